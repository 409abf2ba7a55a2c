import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { readClip } from '../../pipeline/audio/readClip';
import { int64Tensor, modelBytes, node, valueInfo } from '../../pipeline/ml/onnxWriter';
import { readManifest } from '../../pipeline/models/modelPaths';
import { cutModelAt, withBatchDim } from '../../pipeline/models/onnxCut';
import { ort } from '../../pipeline/models/ortSession';
import { SpeakerEncoder } from '../../pipeline/models/speakerEncoder';
import { fixture } from '../helpers';

test('cutting a model at an inner tensor: that tensor becomes the input, the nodes before it go', async () => {
  const model = modelBytes({
    name: 'chain', initializers: [], inputs: [valueInfo('a', [2])], outputs: [valueInfo('c', [2])],
    nodes: [node('Relu', ['a'], ['b']), node('Neg', ['b'], ['c'])],
  });
  const cut = await ort.InferenceSession.create(cutModelAt(model, 'b', [2]));
  assert.deepEqual(cut.inputNames, ['b']);
  // Relu is gone: a negative value passes straight to Neg
  const out = await cut.run({ b: new ort.Tensor('float32', Float32Array.from([-3, 4]), [2]) });
  assert.deepEqual(Array.from(out.c.data as Float32Array), [3, -4]);
  assert.throws(() => cutModelAt(model, 'nowhere', [2]), /no node of the model makes "nowhere"/);
});

test('tone_color_se cut at its spectrogram, fed the host STFT, gives the whole model\'s embedding (1e-5)', async () => {
  const m = readManifest('tone_color_se');
  assert.ok(m.frontEnd, 'the shipped manifest declares its front end');
  const whole = await ort.InferenceSession.create(fs.readFileSync(m.path), { intraOpNumThreads: 1 });
  const enc = await SpeakerEncoder.open();
  try {
    const speech = await readClip(fixture('librispeech', '1069-133699-0000.flac'), m.sampleRate);
    // a long utterance, and a 0.4 s one that the encoder tiles up to its minimum length first
    for (const x of [speech, speech.subarray(0, Math.round(0.4 * m.sampleRate))]) {
      const got = await enc.embed(x);
      const tiled = new Float32Array(Math.max(x.length, m.sampleRate));
      for (let o = 0; o < tiled.length; o += x.length) tiled.set(x.subarray(0, Math.min(x.length, tiled.length - o)), o);
      const raw = (await whole.run({ [whole.inputNames[0]]: new ort.Tensor('float32', tiled, [tiled.length, 1]) }))[whole.outputNames[0]].data as Float32Array;
      const norm = Math.hypot(...raw);
      const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - raw[i] / norm)));
      assert.ok(worst <= 1e-5, `worst difference ${worst}`);
    }
  } finally {
    await enc.release();
    await whole.release();
  }
});

test('freeing a batch-1 export\'s batch dimension: inputs, outputs and its Reshape constants take B rows', async () => {
  // as Keras exports do: batch 1 fixed in the graph's dims and in a Reshape's shape constant
  const model = modelBytes({
    name: 'fixed', initializers: [int64Tensor('shape', [1, 2, 2])], inputs: [valueInfo('x', [1, 4])], outputs: [valueInfo('y', [1, 2, 2])],
    nodes: [node('Reshape', ['x', 'shape'], ['r']), node('Neg', ['r'], ['y'])],
  });
  const fixed = await ort.InferenceSession.create(model);
  const rows = new ort.Tensor('float32', Float32Array.from({ length: 12 }, (_, i) => i), [3, 4]);
  await assert.rejects(fixed.run({ x: rows }), /invalid dimensions|cannot be reshaped/);
  const free = await ort.InferenceSession.create(withBatchDim(model, { x: ['batch', 4], y: ['batch', 2, 2] }));
  const out = await free.run({ x: rows });
  assert.deepEqual(out.y.dims, [3, 2, 2]);
  assert.deepEqual(Array.from(out.y.data as Float32Array), Array.from({ length: 12 }, (_, i) => -i));
  assert.throws(() => withBatchDim(model, { z: ['batch'] }), /no input or output z/);
});

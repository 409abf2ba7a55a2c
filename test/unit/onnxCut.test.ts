import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { readClip } from '../../pipeline/audio/readClip';
import { modelBytes, node, valueInfo } from '../../pipeline/ml/onnxWriter';
import { readManifest } from '../../pipeline/models/modelPaths';
import { cutModelAt } from '../../pipeline/models/onnxCut';
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

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { predict, trainMlp } from '../../pipeline/ml/mlp';
import { seededRandom, gaussian } from '../../pipeline/ml/random';
import { classify, trainClassifier } from '../../pipeline/tone/classifier';
import { labelFile } from '../../pipeline/tone/corpusLabels';
import { scoreTone, speakerFolds } from '../../pipeline/tone/evaluate';
import { saveToneModel, ToneModel, type ToneSidecar } from '../../pipeline/tone/toneModel';
import { tmpDir } from '../helpers';

/** Three Gaussian blobs in 12 dims, one per class. */
function blobs(n: number, seed: number) {
  const rand = seededRandom(seed);
  const x: Float64Array[] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push(Float64Array.from({ length: 12 }, (_, d) => (d % 3 === c ? 3 : 0) + gaussian(rand) + 100 * (d === 11 ? 1 : 0)));
    y.push(['angry', 'neutral', 'sad'][c]);
  }
  return { x, y };
}

test('corpus names: RAVDESS, EmoDB, TESS, SAVEE and emotion folders give emotion and speaker', () => {
  assert.deepEqual(labelFile('/d/Actor_12/03-01-05-01-02-01-12.wav', '/d'), { file: '/d/Actor_12/03-01-05-01-02-01-12.wav', emotion: 'angry', speaker: 'ravdess-12', corpus: 'ravdess' });
  assert.equal(labelFile('/d/03a01Wa.wav', '/d')?.emotion, 'angry');
  assert.equal(labelFile('/d/16b10Tb.wav', '/d')?.speaker, 'emodb-16');
  assert.equal(labelFile('/d/OAF_back_ps.wav', '/d')?.emotion, 'surprised');
  assert.equal(labelFile('/d/DC/sa03.wav', '/d')?.speaker, 'savee-DC');
  assert.equal(labelFile('/d/JK_n12.wav', '/d')?.emotion, 'neutral');
  assert.deepEqual(labelFile('/d/anna/happy/take 1.wav', '/d', 'folders'), { file: '/d/anna/happy/take 1.wav', emotion: 'happy', speaker: 'anna', corpus: 'folders' });
  assert.equal(labelFile('/d/loose.wav', '/d'), undefined);
});

test('leave-speakers-out folds never share a speaker; scores count a confusion matrix', () => {
  const folds = speakerFolds(['a', 'b', 'c', 'd', 'e', 'a'], 3);
  for (const f of folds) for (const s of f.test) assert.ok(!f.train.has(s));
  assert.deepEqual(folds.flatMap((f) => [...f.test]).sort(), ['a', 'b', 'c', 'd', 'e']);
  const s = scoreTone(['x', 'y'], ['x', 'x', 'y', 'y'], ['x', 'y', 'y', 'y']);
  assert.deepEqual(s.confusion, [[1, 1], [0, 2]]);
  assert.equal(s.accuracy, 0.75);
  assert.ok(Math.abs(s.perClass[0].f1 - 2 / 3) < 1e-12);
});

test('the MLP learns separable classes and is deterministic given its seed', () => {
  const { x, y } = blobs(150, 3);
  const opts = { hidden: [16], alpha: 1e-3, learningRate: 1e-2, epochs: 30, batchSize: 16, seed: 7, dropout: 0.1 };
  const a = trainClassifier(x, y, ['angry', 'neutral', 'sad'], opts);
  const b = trainClassifier(x, y, ['angry', 'neutral', 'sad'], opts);
  assert.deepEqual(a.classifier.mlp.layers[0].w, b.classifier.mlp.layers[0].w);
  const test = blobs(60, 99);
  const correct = test.x.filter((v, i) => { const p = classify(a.classifier, v); return ['angry', 'neutral', 'sad'][p.indexOf(Math.max(...p))] === test.y[i]; }).length;
  assert.ok(correct >= 57, `${correct}/60`);
  // early stopping keeps the best epoch on the validation set
  const r = trainMlp(x.slice(0, 90).map((v) => Float32Array.from(v, (t, d) => (d === 11 ? t - 100 : t))), y.slice(0, 90).map((l) => ['angry', 'neutral', 'sad'].indexOf(l)), 3,
    { ...opts, epochs: 200, patience: 5, validation: { x: x.slice(90).map((v) => Float32Array.from(v, (t, d) => (d === 11 ? t - 100 : t))), y: y.slice(90).map((l) => ['angry', 'neutral', 'sad'].indexOf(l)) } });
  assert.ok(r.epochs < 200 && r.bestEpoch <= r.epochs - 5);
});

test('the exported ONNX, run by onnxruntime-node, equals the trainer\'s own forward pass within 1e-5', async () => {
  const { x, y } = blobs(90, 5);
  const { classifier } = trainClassifier(x, y, ['angry', 'neutral', 'sad'], { hidden: [32, 8], alpha: 1e-3, learningRate: 1e-2, epochs: 10, batchSize: 16, seed: 1 });
  const file = path.join(tmpDir('sds-tone-onnx-'), 'tone-test.onnx');
  const sidecar = { format: 'sds-tone/1', classes: classifier.classes, feature: { kind: 'seed', version: 1, sampleRate: 16000, dims: 12, names: [] }, normalise: 'global',
    mean: Array.from(classifier.mean), scale: Array.from(classifier.scale), training: {} } as unknown as ToneSidecar;
  await saveToneModel(file, classifier, sidecar);
  const m = await ToneModel.open(file);
  const probs = await m.probabilities(x);
  await m.release();
  let worst = 0;
  x.forEach((v, i) => classify(classifier, v).forEach((p, c) => (worst = Math.max(worst, Math.abs(p - probs[i][c])))));
  assert.ok(worst <= 1e-5, String(worst));
  assert.ok(predict(classifier.mlp, new Float32Array(12)).length === 3);
});

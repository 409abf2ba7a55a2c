import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeMono } from '../pipeline/audio/ffmpeg';
import { PatchClassifier } from '../pipeline/segmentation/patchClassifier';
import { segmentStream } from '../pipeline/segmentation/inaSegmenter';
import { medianPitch } from '../pipeline/segmentation/gender';

export interface GenderFile { file: string; reader: string; sex: 'M' | 'F' }

export function librispeechFiles(root: string): { train: GenderFile[]; other: GenderFile[] } {
  const tsv = (f: string) => fs.readFileSync(f, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const trainDir = path.join(root, 'train-clean-100');
  const train = tsv(path.join(trainDir, 'speakers.tsv')).map(([file, reader, sex]) => ({ file: path.join(trainDir, file), reader, sex: sex as 'M' | 'F' }));
  const otherDir = path.join(root, 'test-other');
  const other = tsv(path.join(otherDir, 'speakers.tsv')).flatMap(([reader, sex]) =>
    fs.readdirSync(path.join(otherDir, reader)).filter((f) => f.endsWith('.flac')).map((f) => ({ file: path.join(otherDir, reader, f), reader, sex: sex as 'M' | 'F' })));
  return { train, other };
}

/** Majority label (by speech seconds) of the full segmenter, plus the file's median voiced pitch. */
export async function labelFile(c: PatchClassifier, file: string): Promise<{ label: 'M' | 'F' | '?'; f0: number }> {
  const r = await segmentStream(decodeMono(file, { sampleRate: 16000 }), c, { engine: 'smn', gender: true });
  let m = 0, f = 0;
  for (const s of r.segments) {
    if (s.label === 'male') m += s.stop - s.start;
    if (s.label === 'female') f += s.stop - s.start;
  }
  return { label: m + f === 0 ? '?' : m >= f ? 'M' : 'F', f0: medianPitch(r.f0) };
}

/** Threshold that best separates the given readers' median pitches (midpoint of the best split). */
export function fitThreshold(samples: { f0: number; sex: 'M' | 'F' }[]): number {
  const xs = samples.filter((s) => s.f0 > 0).sort((a, b) => a.f0 - b.f0);
  let best = -1, thr = 160;
  for (let i = 0; i < xs.length - 1; i++) {
    const t = (xs[i].f0 + xs[i + 1].f0) / 2;
    const acc = xs.filter((s) => (s.f0 < t ? 'M' : 'F') === s.sex).length;
    if (acc > best) { best = acc; thr = t; }
  }
  return thr;
}

function speakerEncoderPath(): string {
  return path.resolve(__dirname, '..', '..', 'shared', 'models', 'speaker', 'tone_color_se.onnx');
}

/** L2-normalised tone_color_se embedding of a whole file (22.05 kHz in), for the encoder-based comparison. */
async function embed(session: import('onnxruntime-node').InferenceSession, file: string): Promise<number[]> {
  const ort = await import('onnxruntime-node');
  const parts: Float32Array[] = [];
  for await (const c of decodeMono(file, { sampleRate: 22050 })) parts.push(c);
  const x = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { x.set(p, o); o += p.length; }
  const out = await session.run({ audio: new ort.Tensor('float32', x, [x.length, 1]) });
  const e = Array.from(out.se.data as Float32Array);
  const norm = Math.hypot(...e);
  return e.map((v) => v / norm);
}

/** Plain L2-regularised logistic regression by gradient descent: small, deterministic, no dependency. */
function fitLogistic(X: number[][], y: number[], l2 = 1e-2, iters = 2000, lr = 0.5): (x: number[]) => number {
  const d = X[0].length;
  const w = new Float64Array(d);
  let b = 0;
  for (let it = 0; it < iters; it++) {
    const g = new Float64Array(d);
    let gb = 0;
    for (let i = 0; i < X.length; i++) {
      let z = b;
      for (let j = 0; j < d; j++) z += w[j] * X[i][j];
      const err = 1 / (1 + Math.exp(-z)) - y[i];
      for (let j = 0; j < d; j++) g[j] += err * X[i][j];
      gb += err;
    }
    for (let j = 0; j < d; j++) w[j] -= lr * (g[j] / X.length + l2 * w[j]);
    b -= (lr * gb) / X.length;
  }
  return (x) => x.reduce((z, v, j) => z + v * w[j], b);
}

export async function evalGender(cnn: PatchClassifier, root: string, shippedHz: number): Promise<void> {
  const { train, other } = librispeechFiles(root);
  const pct = (k: number, n: number) => `${k}/${n} (${((100 * k) / n).toFixed(1)}%)`;
  const trainRes = [] as (GenderFile & { label: string; f0: number })[];
  for (const g of train) trainRes.push({ ...g, ...(await labelFile(cnn, g.file)) });
  const otherRes = [] as (GenderFile & { label: string; f0: number })[];
  for (const g of other) otherRes.push({ ...g, ...(await labelFile(cnn, g.file)) });
  console.log('## Gender (majority label per file)\n');
  console.log(`Pitch boundary shipped: ${shippedHz} Hz (fitted on the 60 train-clean-100 readers).\n`);
  console.log('| method | 60 train-clean-100 readers | leave-readers-out (10 folds) | test-other readers (3 x 10 files) |');
  console.log('|---|---|---|---|');
  // pitch: full segmenter with the shipped boundary, plus the boundary refitted per fold on the other readers
  const folds = 10;
  let cv = 0;
  for (let f = 0; f < folds; f++) {
    const test = trainRes.filter((_, i) => i % folds === f);
    const thr = fitThreshold(trainRes.filter((_, i) => i % folds !== f));
    cv += test.filter((t) => (t.f0 > 0 && t.f0 < thr ? 'M' : 'F') === t.sex).length;
  }
  const ok = (rs: { label: string; sex: string }[]) => rs.filter((r) => r.label === r.sex).length;
  console.log(`| pitch (segmenter: per-step pitch, Viterbi) | ${pct(ok(trainRes), 60)} | ${pct(cv, 60)} (median pitch vs refitted boundary) | ${pct(ok(otherRes), otherRes.length)} |`);
  const wrong = [...trainRes, ...otherRes].filter((r) => r.label !== r.sex).map((r) => `${r.reader}${r.sex}@${r.f0.toFixed(0)}Hz`);
  // speaker encoder + logistic regression, scored the same way
  const encPath = speakerEncoderPath();
  if (fs.existsSync(encPath)) {
    const ort = await import('onnxruntime-node');
    const se = await ort.InferenceSession.create(encPath, { intraOpNumThreads: 2 });
    const Xtr: number[][] = [];
    for (const g of train) Xtr.push(await embed(se, g.file));
    const Xot: number[][] = [];
    for (const g of other) Xot.push(await embed(se, g.file));
    const ytr = train.map((g) => (g.sex === 'F' ? 1 : 0));
    let cvE = 0;
    for (let f = 0; f < folds; f++) {
      const idx = train.map((_, i) => i).filter((i) => i % folds !== f);
      const model = fitLogistic(idx.map((i) => Xtr[i]), idx.map((i) => ytr[i]));
      cvE += train.map((_, i) => i).filter((i) => i % folds === f && (model(Xtr[i]) > 0 ? 1 : 0) === ytr[i]).length;
    }
    const full = fitLogistic(Xtr, ytr);
    const okOther = other.filter((g, i) => (full(Xot[i]) > 0 ? 'F' : 'M') === g.sex).length;
    console.log(`| speaker encoder (tone_color_se) + logistic regression | (not used in-sample) | ${pct(cvE, 60)} | ${pct(okOther, other.length)} |`);
    await se.release();
  }
  console.log(`\nMisclassified by pitch: ${wrong.join(', ') || 'none'}\n`);
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeMono } from '../pipeline/audio/ffmpeg';
import { PatchClassifier } from '../pipeline/segmentation/patchClassifier';
import { segmentStream } from '../pipeline/segmentation/inaSegmenter';
import { medianPitch } from '../pipeline/segmentation/gender';
import { trainAndScore } from './train-gender';

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

export async function evalGender(cnn: PatchClassifier, root: string, shippedHz: number): Promise<void> {
  const { train, other } = librispeechFiles(root);
  const pct = (k: number, n: number) => `${k}/${n} (${((100 * k) / n).toFixed(1)}%)`;
  const trainRes = [] as (GenderFile & { label: string; f0: number })[];
  for (const g of train) trainRes.push({ ...g, ...(await labelFile(cnn, g.file)) });
  const otherRes = [] as (GenderFile & { label: string; f0: number })[];
  for (const g of other) otherRes.push({ ...g, ...(await labelFile(cnn, g.file)) });
  const folds = 10;
  let cv = 0;
  for (let f = 0; f < folds; f++) {
    const test = trainRes.filter((_, i) => i % folds === f);
    const thr = fitThreshold(trainRes.filter((_, i) => i % folds !== f));
    cv += test.filter((t) => (t.f0 > 0 && t.f0 < thr ? 'M' : 'F') === t.sex).length;
  }
  const ok = (rs: { label: string; sex: string }[]) => rs.filter((r) => r.label === r.sex).length;
  const enc = await trainAndScore(root, false);
  console.log('## Gender: files whose majority label (by speech seconds) is right\n');
  console.log('| method | leave-readers-out, 60 train-clean-100 readers (10 folds) | in-sample, 60 readers | test-other: 3 unseen readers x 10 files |');
  console.log('|---|---|---|---|');
  console.log(`| speaker encoder (tone_color_se, 6 s windows) + logistic regression: **default** | ${pct(enc.cv, enc.n)} | (not reported) | ${pct(enc.other, enc.nOther)} |`);
  console.log(`| pitch (${shippedHz} Hz boundary fitted on the 60 readers; CV refits it per fold on median pitch) | ${pct(cv, 60)} | ${pct(ok(trainRes), 60)} | ${pct(ok(otherRes), otherRes.length)} |`);
  console.log(`\nWrong with the encoder: ${enc.wrong.join(', ') || 'none'}`);
  const wrong = [...trainRes, ...otherRes].filter((r) => r.label !== r.sex).map((r) => `${r.reader}${r.sex}@${r.f0.toFixed(0)}Hz`);
  console.log(`Wrong with pitch: ${wrong.join(', ') || 'none'}\n`);
}

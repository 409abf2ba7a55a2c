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

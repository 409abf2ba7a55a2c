/**
 * `npm run train:gender`: trains models/gender_lr.json (logistic regression on speaker-encoder embeddings of 6 s
 * speech windows) on the 60 LibriSpeech train-clean-100 readers in ../shared/audio, and prints its
 * leave-readers-out cross-validation and its score on the 3 test-other readers it never saw.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeMono } from '../pipeline/audio/ffmpeg';
import { fitLogistic, logit } from '../pipeline/ml/logistic';
import { modelsDir } from '../pipeline/models/modelPaths';
import { SpeakerEncoder } from '../pipeline/models/speakerEncoder';
import { embedPieces, relabelByGender, speechPieces, type GenderModel, type Piece } from '../pipeline/segmentation/genderByEncoder';
import { segmentStream, type Segment } from '../pipeline/segmentation/inaSegmenter';
import { PatchClassifier } from '../pipeline/segmentation/patchClassifier';
import { librispeechFiles, type GenderFile } from './eval-gender';

const WINDOW = 6;
const L2 = 1e-3;
const SWITCH_EXP = 1;
const FOLDS = 10;

interface Embedded extends GenderFile { segments: Segment[]; pieces: Piece[]; X: Float32Array[] }

export async function embedAll(files: GenderFile[], cnn: PatchClassifier, enc: SpeakerEncoder): Promise<Embedded[]> {
  const out: Embedded[] = [];
  for (const f of files) {
    const r = await segmentStream(decodeMono(f.file, { sampleRate: 16000 }), cnn, { engine: 'smn', gender: false });
    const pieces = speechPieces(r.segments, WINDOW);
    const X: Float32Array[] = [];
    await embedPieces(f.file, pieces, enc, (i, e) => (X[i] = e));
    out.push({ ...f, segments: r.segments, pieces, X });
  }
  return out;
}

export function majority(e: Embedded, model: GenderModel): 'M' | 'F' {
  const scores = Float32Array.from(e.X.map((x) => logit(model, x)));
  let m = 0;
  let f = 0;
  for (const s of relabelByGender(e.segments, e.pieces, scores, model)) {
    if (s.label === 'male') m += s.stop - s.start;
    if (s.label === 'female') f += s.stop - s.start;
  }
  return m >= f ? 'M' : 'F';
}

export function fit(data: Embedded[], meta: Omit<GenderModel, 'weights' | 'bias'>): GenderModel {
  const X = data.flatMap((d) => d.X);
  const y = data.flatMap((d) => d.X.map(() => (d.sex === 'F' ? 1 : 0)));
  return { ...meta, ...fitLogistic(X, y, { l2: L2 }) };
}

export async function trainAndScore(root: string, write: boolean): Promise<{ cv: number; other: number; n: number; nOther: number; wrong: string[] }> {
  const cnn = await PatchClassifier.open();
  const enc = await SpeakerEncoder.open();
  const { train, other } = librispeechFiles(root);
  const tr = await embedAll(train, cnn, enc);
  const ot = await embedAll(other, cnn, enc);
  const meta = { encoder: enc.name, windowSeconds: WINDOW, switchExp: SWITCH_EXP, trainedOn: '', crossValidation: '' };
  let cv = 0;
  const wrong: string[] = [];
  for (let k = 0; k < FOLDS; k++) {
    // readers, not files, are what a fold holds out: each train-clean-100 file is its own reader
    const model = fit(tr.filter((_, i) => i % FOLDS !== k), meta);
    for (const e of tr.filter((_, i) => i % FOLDS === k)) {
      if (majority(e, model) === e.sex) cv++;
      else wrong.push(`${e.reader}${e.sex}`);
    }
  }
  const full = fit(tr, meta);
  const okOther = ot.filter((e) => majority(e, full) === e.sex).length;
  ot.filter((e) => majority(e, full) !== e.sex).forEach((e) => wrong.push(`${e.reader}${e.sex}(test-other)`));
  if (write) {
    full.trainedOn = `LibriSpeech train-clean-100 (CC BY 4.0), one utterance from each of ${tr.length} readers (${tr.filter((e) => e.sex === 'F').length} F), ${tr.reduce((n, e) => n + e.X.length, 0)} windows of <= ${WINDOW} s`;
    full.crossValidation = `${FOLDS}-fold leave-readers-out: ${cv}/${tr.length} files with the right majority label; test-other readers: ${okOther}/${ot.length}`;
    fs.writeFileSync(path.join(modelsDir(), 'gender_lr.json'), JSON.stringify({ ...full, weights: full.weights.map((w) => +w.toPrecision(7)) }, null, 1) + '\n');
  }
  await cnn.release();
  await enc.release();
  return { cv, other: okOther, n: tr.length, nOther: ot.length, wrong };
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..', 'shared', 'audio', 'librispeech');
  trainAndScore(root, true).then((r) => {
    console.log(`leave-readers-out (${FOLDS} folds): ${r.cv}/${r.n}; test-other: ${r.other}/${r.nOther}; wrong: ${r.wrong.join(', ')}`);
    console.log(`wrote ${path.join(modelsDir(), 'gender_lr.json')}`);
  });
}

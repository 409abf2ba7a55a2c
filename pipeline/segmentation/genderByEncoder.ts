import * as fs from 'node:fs';
import { decodeMono, type FfmpegPaths } from '../audio/ffmpeg';
import { logit, type LogisticModel } from '../ml/logistic';
import { modelsDir } from '../models/modelPaths';
import type { SpeakerEncoder } from '../models/speakerEncoder';
import type { Segment } from './inaSegmenter';
import { switchCost, viterbi } from './viterbi';
import * as path from 'node:path';

/** models/gender_lr.json: a logistic regression on speaker-encoder embeddings of speech windows (female = 1). */
export interface GenderModel extends LogisticModel {
  encoder: string;
  windowSeconds: number;
  /** 10^-exp cost of switching gender between consecutive windows of one speech segment. */
  switchExp: number;
  trainedOn: string;
  crossValidation: string;
}

export function loadGenderModel(): GenderModel {
  return JSON.parse(fs.readFileSync(path.join(modelsDir(), 'gender_lr.json'), 'utf8')) as GenderModel;
}

/** A window of one speech segment, embedded as a unit. */
export interface Piece {
  segment: number;
  start: number;
  end: number;
}

/** Splits each `speech` segment into equal pieces no longer than `windowSeconds`. */
export function speechPieces(segments: Segment[], windowSeconds: number): Piece[] {
  const pieces: Piece[] = [];
  segments.forEach((s, i) => {
    if (s.label !== 'speech') return;
    const n = Math.max(1, Math.ceil((s.stop - s.start) / windowSeconds - 1e-9));
    const len = (s.stop - s.start) / n;
    for (let k = 0; k < n; k++) pieces.push({ segment: i, start: s.start + k * len, end: k === n - 1 ? s.stop : s.start + (k + 1) * len });
  });
  return pieces;
}

/**
 * Decodes `file` again at the encoder's rate and embeds each piece as its audio goes by: only one piece's samples
 * are in memory at a time.
 */
export async function embedPieces(
  file: string,
  pieces: Piece[],
  encoder: SpeakerEncoder,
  onEmbedding: (index: number, embedding: Float32Array) => void,
  opts: { signal?: AbortSignal; paths?: FfmpegPaths } = {},
): Promise<void> {
  if (!pieces.length) return;
  const sr = encoder.sampleRate;
  let at = 0; // absolute sample index of the next incoming sample
  let i = 0;
  let buf: Float32Array | undefined;
  let filled = 0;
  const bounds = (p: Piece) => [Math.round(p.start * sr), Math.round(p.end * sr)];
  const finish = async () => {
    await Promise.resolve(onEmbedding(i, await encoder.embed(buf!.subarray(0, filled))));
    buf = undefined;
    i++;
  };
  for await (const chunk of decodeMono(file, { sampleRate: sr, signal: opts.signal, paths: opts.paths })) {
    let off = 0;
    while (off < chunk.length && i < pieces.length) {
      const [a, b] = bounds(pieces[i]);
      const pos = at + off;
      if (pos < a) {
        off = Math.min(chunk.length, a - at);
        continue;
      }
      buf ??= new Float32Array(Math.max(1, b - a));
      const take = Math.min(chunk.length - off, b - pos);
      if (take > 0) {
        buf.set(chunk.subarray(off, off + take), filled);
        filled += take;
        off += take;
      }
      if (at + off >= b) {
        await finish();
        filled = 0;
      }
    }
    at += chunk.length;
    if (i >= pieces.length) break;
  }
  // the decoded stream can end a few samples short of the table's last stop
  while (i < pieces.length) {
    buf ??= new Float32Array(1);
    await finish();
    filled = 0;
  }
}

/** Replaces each `speech` segment by male/female runs, Viterbi-smoothed over its pieces' classifier scores. */
export function relabelByGender(segments: Segment[], pieces: Piece[], scores: Float32Array, model: GenderModel): Segment[] {
  const out: Segment[] = [];
  const trans = switchCost(model.switchExp, 2);
  let p = 0;
  segments.forEach((s, i) => {
    if (s.label !== 'speech') {
      out.push({ ...s });
      return;
    }
    const first = p;
    while (p < pieces.length && pieces[p].segment === i) p++;
    // state 0 female, 1 male; score > 0 means female
    const path = viterbi(p - first, 2, (t, k) => -Math.log1p(Math.exp(k === 0 ? -scores[first + t] : scores[first + t])), trans);
    for (let t = first; t < p; t++) {
      const label = path[t - first] === 0 ? 'female' : 'male';
      const last = out[out.length - 1];
      if (last && last.label === label && t > first) last.stop = round(pieces[t].end);
      else out.push({ label, start: round(pieces[t].start), stop: round(pieces[t].end) });
    }
  });
  return out;
}

export async function genderByEncoder(
  file: string,
  segments: Segment[],
  encoder: SpeakerEncoder,
  model: GenderModel,
  opts: { signal?: AbortSignal; paths?: FfmpegPaths } = {},
): Promise<Segment[]> {
  const pieces = speechPieces(segments, model.windowSeconds);
  const scores = new Float32Array(pieces.length);
  await embedPieces(file, pieces, encoder, (k, e) => (scores[k] = logit(model, e)), opts);
  return relabelByGender(segments, pieces, scores, model);
}

const round = (t: number) => Math.round(t * 1000) / 1000;

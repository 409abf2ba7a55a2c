import type { Segment } from './inaSegmenter';
import { runs, switchCost, viterbi } from './viterbi';

/**
 * Gender from pitch: the boundary between typical male (~85-155 Hz) and female (~165-255 Hz) speaking pitch,
 * fitted on the 60 LibriSpeech train-clean-100 readers (bench/eval-gender.ts scores it leave-readers-out).
 */
export const DEFAULT_GENDER_THRESHOLD_HZ = 152;
const SPREAD = 0.08; // log-Hz scale of the logistic: 10% above the boundary is ~75% female
const FLOOR = 0.02; // one step never carries more than ln(49) nats of evidence
const SWITCH_EXP = 80; // as inaSpeechSegmenter's gender Viterbi

/** Log emission of [female, male] for a pitch value; unvoiced (0) is uninformative. */
export function genderEmission(f0: number, state: number, thresholdHz: number): number {
  let pf = 0.5;
  if (f0 > 0) pf = 1 / (1 + Math.exp(-(Math.log(f0) - Math.log(thresholdHz)) / SPREAD));
  pf = Math.min(1 - FLOOR, Math.max(FLOOR, pf));
  return Math.log(state === 0 ? pf : 1 - pf);
}

/**
 * Splits every `speech` segment into female/male runs from pitch sampled every `step` seconds (f0[k] at k*step),
 * Viterbi-smoothed so a voice keeps its label through unvoiced and octave-jumping frames.
 */
export function genderByPitch(segments: Segment[], f0: Float32Array, thresholdHz = DEFAULT_GENDER_THRESHOLD_HZ, step = 0.02): Segment[] {
  const out: Segment[] = [];
  const trans = switchCost(SWITCH_EXP, 2);
  for (const seg of segments) {
    if (seg.label !== 'speech') {
      out.push({ ...seg });
      continue;
    }
    const a = Math.round(seg.start / step);
    const b = Math.max(a + 1, Math.round(seg.stop / step));
    const path = viterbi(b - a, 2, (t, g) => genderEmission(f0[a + t] ?? 0, g, thresholdHz), trans);
    for (const [g, s, e] of runs(path)) {
      out.push({
        label: g === 0 ? 'female' : 'male',
        start: s === 0 ? seg.start : round((a + s) * step),
        stop: e === path.length ? seg.stop : round((a + e) * step),
      });
    }
  }
  return out;
}

/** Median voiced pitch (0 when nothing is voiced). */
export function medianPitch(f0: ArrayLike<number>): number {
  const v = Array.from(f0).filter((x) => x > 0).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : 0;
}

const round = (t: number) => Math.round(t * 1000) / 1000;

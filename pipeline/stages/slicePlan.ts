import type { Segment } from '../segmentation/inaSegmenter';

export interface SliceOptions {
  labels: string[];
  min: number;
  max: number;
  pad: number;
  /** Same-label segments separated by less than this are merged into one clip. */
  mergeGap: number;
  /** cut from the original mixture (default) or from its separated vocals stem (sds separate) */
  on?: 'mixture' | 'vocals';
}

export const DEFAULT_SLICE: SliceOptions = { labels: ['male', 'female', 'speech'], min: 1.5, max: 15, pad: 0.1, mergeGap: 0.3 };

export interface ClipPlan {
  label: string;
  start: number;
  end: number;
}

/**
 * Chooses clips from a segment table: merge same-label runs across short gaps, split runs longer than `max` at
 * their quietest point (from `energy`, log energy per `step` seconds), drop what is shorter than `min`, then pad.
 */
export function planClips(segments: Segment[], duration: number, opts: SliceOptions, energy?: Float32Array, step = 0.02): ClipPlan[] {
  const merged: ClipPlan[] = [];
  for (const s of segments) {
    if (!opts.labels.includes(s.label)) continue;
    const last = merged[merged.length - 1];
    if (last && last.label === s.label && s.start - last.end < opts.mergeGap) last.end = s.stop;
    else merged.push({ label: s.label, start: s.start, end: s.stop });
  }
  const out: ClipPlan[] = [];
  for (const m of merged) {
    for (const piece of splitLong(m, opts, energy, step)) {
      if (piece.end - piece.start < opts.min) continue;
      out.push({ label: piece.label, start: round(Math.max(0, piece.start - opts.pad)), end: round(Math.min(duration, piece.end + opts.pad)) });
    }
  }
  return out;
}

function splitLong(clip: ClipPlan, opts: SliceOptions, energy: Float32Array | undefined, step: number): ClipPlan[] {
  const pieces: ClipPlan[] = [];
  let cur = clip.start;
  // room for the padding on both sides keeps padded clips within max too
  const max = Math.max(opts.min * 2, opts.max - 2 * opts.pad);
  while (clip.end - cur > max) {
    // the cut must leave at least `min` on each side and at most `max` on the left
    const lo = cur + opts.min;
    const hi = Math.min(cur + max, clip.end - opts.min);
    const cut = hi > lo ? quietest(lo, hi, energy, step) : cur + max;
    pieces.push({ label: clip.label, start: cur, end: cut });
    cur = cut;
  }
  pieces.push({ label: clip.label, start: cur, end: clip.end });
  return pieces;
}

function quietest(lo: number, hi: number, energy: Float32Array | undefined, step: number): number {
  if (!energy || !energy.length) return hi;
  let best = Infinity;
  let at = hi;
  for (let k = Math.ceil(lo / step); k <= Math.floor(hi / step) && k < energy.length; k++) {
    const v = Number.isFinite(energy[k]) ? energy[k] : -Infinity;
    if (v < best) {
      best = v;
      at = k * step;
    }
  }
  return at;
}

const round = (t: number) => Math.round(t * 1000) / 1000;

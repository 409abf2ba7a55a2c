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
  /** The diarized speaker (an RTTM label) when the source was diarized. */
  speaker?: string;
}

/** A segment-table row, possibly narrowed to one diarized speaker. */
export type PlanSegment = Segment & { speaker?: string };

/**
 * Splits segments at speaker turns (RTTM, possibly overlapping): each piece of a segment covered by a turn carries
 * that speaker; where turns overlap the later-starting one wins, and uncovered pieces keep no speaker. So a clip never
 * spans two voices, and the merge across short gaps stays within one speaker.
 */
export function withSpeakers(segments: Segment[], turns: Segment[]): PlanSegment[] {
  if (!turns.length) return segments;
  const sorted = [...turns].sort((a, b) => a.start - b.start);
  // flatten the turns into a contiguous speaker timeline ('' = nobody)
  const edges = [...new Set(sorted.flatMap((t) => [t.start, t.stop]))].sort((a, b) => a - b);
  const spans: { start: number; stop: number; speaker: string }[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const mid = (edges[i] + edges[i + 1]) / 2;
    let who = '';
    for (const t of sorted) if (t.start <= mid && mid < t.stop) who = t.label;
    const last = spans[spans.length - 1];
    if (last && last.speaker === who && last.stop === edges[i]) last.stop = edges[i + 1];
    else spans.push({ start: edges[i], stop: edges[i + 1], speaker: who });
  }
  const out: PlanSegment[] = [];
  for (const s of segments) {
    let at = s.start;
    for (const sp of spans) {
      if (sp.stop <= at || sp.start >= s.stop) continue;
      if (sp.start > at) out.push({ ...s, start: at, stop: sp.start });
      const stop = Math.min(s.stop, sp.stop);
      out.push(sp.speaker ? { ...s, start: Math.max(at, sp.start), stop, speaker: sp.speaker } : { ...s, start: Math.max(at, sp.start), stop });
      at = stop;
    }
    if (at < s.stop) out.push({ ...s, start: at });
  }
  return out;
}

/**
 * Chooses clips from a segment table: merge same-label runs across short gaps, split runs longer than `max` at
 * their quietest point (from `energy`, log energy per `step` seconds), drop what is shorter than `min`, then pad.
 */
export function planClips(segments: PlanSegment[], duration: number, opts: SliceOptions, energy?: Float32Array, step = 0.02): ClipPlan[] {
  const merged: ClipPlan[] = [];
  for (const s of segments) {
    if (!opts.labels.includes(s.label)) continue;
    const last = merged[merged.length - 1];
    if (last && last.label === s.label && last.speaker === s.speaker && s.start - last.end < opts.mergeGap) last.end = s.stop;
    else merged.push({ label: s.label, start: s.start, end: s.stop, ...(s.speaker ? { speaker: s.speaker } : {}) });
  }
  const out: ClipPlan[] = [];
  for (const m of merged) {
    for (const piece of splitLong(m, opts, energy, step)) {
      if (piece.end - piece.start < opts.min) continue;
      out.push({ ...piece, start: round(Math.max(0, piece.start - opts.pad)), end: round(Math.min(duration, piece.end + opts.pad)) });
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
    pieces.push({ ...clip, start: cur, end: cut });
    cur = cut;
  }
  pieces.push({ ...clip, start: cur, end: clip.end });
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

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
  /** where long runs are split and edges may fall: the quietest point, or between the words of the machine transcripts */
  at?: (typeof CUT_AT)[number];
}

export const CUT_AT = ['quiet', 'words'] as const;
export const DEFAULT_SLICE: SliceOptions = { labels: ['male', 'female', 'speech'], min: 1.5, max: 15, pad: 0.1, mergeGap: 0.3, at: 'quiet' };

/** A word's span on the source's time line (seconds). */
export interface WordSpan {
  start: number;
  end: number;
}

/** An edge closer than this to a word's start or end is not inside it (word times are 20 ms steps of attention). */
const WORD_EDGE_SLACK = 0.02;
const TIME_EPSILON = 1e-6;

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
 * Given `words` (sorted, source time), runs are split in the widest pause between words instead, and an edge that
 * falls inside a word moves out of it: the word joins the clip if it is mostly the clip's and fits under `max`, else
 * it is left out whole. So no clip starts or ends mid-word.
 */
export function planClips(segments: PlanSegment[], duration: number, opts: SliceOptions, energy?: Float32Array, step = 0.02, words: WordSpan[] = []): ClipPlan[] {
  const merged: ClipPlan[] = [];
  for (const s of segments) {
    if (!opts.labels.includes(s.label)) continue;
    const last = merged[merged.length - 1];
    if (last && last.label === s.label && last.speaker === s.speaker && s.start - last.end < opts.mergeGap) last.end = s.stop;
    else merged.push({ label: s.label, start: s.start, end: s.stop, ...(s.speaker ? { speaker: s.speaker } : {}) });
  }
  const out: ClipPlan[] = [];
  for (const m of merged) {
    for (const piece of splitLong(m, opts, energy, step, words)) {
      if (piece.end - piece.start < opts.min) continue;
      const padded = { ...piece, start: Math.max(0, piece.start - opts.pad), end: Math.min(duration, piece.end + opts.pad) };
      const clip = words.length ? clearOfWords(padded, piece, words, opts, duration) : padded;
      if (clip.end - clip.start < opts.min) continue;
      out.push({ ...clip, start: round(clip.start), end: round(clip.end) });
    }
  }
  return out;
}

/** The word (index) that `t` falls inside, if any. */
function wordAround(words: WordSpan[], t: number): number {
  let lo = 0;
  let hi = words.length - 1;
  while (lo <= hi) {
    const k = (lo + hi) >> 1;
    // to the microsecond: word times are sums of a clip's start and an offset, and an edge exactly one slack in is out
    if (words[k].end - WORD_EDGE_SLACK <= t + TIME_EPSILON) lo = k + 1;
    else if (words[k].start + WORD_EDGE_SLACK >= t - TIME_EPSILON) hi = k - 1;
    else return k;
  }
  return -1;
}

/** Where a clip starting with word k starts: `pad` before it, but no further back than half way to the word before. */
const cutBefore = (words: WordSpan[], k: number, pad: number) => Math.max(0, words[k].start - pad, k > 0 ? (words[k - 1].end + words[k].start) / 2 : -Infinity);
/** Where a clip ending with word k ends: `pad` after it, but no further on than half way to the word after. */
const cutAfter = (words: WordSpan[], k: number, pad: number, duration: number) => Math.min(duration, words[k].end + pad, k + 1 < words.length ? (words[k].end + words[k + 1].start) / 2 : Infinity);

function clearOfWords(clip: ClipPlan, core: ClipPlan, words: WordSpan[], opts: SliceOptions, duration: number): ClipPlan {
  let { start, end } = clip;
  const s = wordAround(words, start);
  if (s >= 0) {
    const mine = (words[s].start + words[s].end) / 2 >= core.start;
    const whole = cutBefore(words, s, opts.pad);
    start = mine && end - whole <= opts.max ? whole : Math.max(start, cutAfter(words, s, opts.pad, duration));
  }
  const e = wordAround(words, end);
  if (e >= 0) {
    const mine = (words[e].start + words[e].end) / 2 <= core.end;
    const whole = cutAfter(words, e, opts.pad, duration);
    end = mine && whole - start <= opts.max ? whole : Math.min(end, cutBefore(words, e, opts.pad));
  }
  return { ...clip, start, end };
}

function splitLong(clip: ClipPlan, opts: SliceOptions, energy: Float32Array | undefined, step: number, words: WordSpan[]): ClipPlan[] {
  const pieces: ClipPlan[] = [];
  let cur = clip.start;
  // room for the padding on both sides keeps padded clips within max too
  const max = Math.max(opts.min * 2, opts.max - 2 * opts.pad);
  while (clip.end - cur > max) {
    // the cut must leave at least `min` on each side and at most `max` on the left
    const lo = cur + opts.min;
    const hi = Math.min(cur + max, clip.end - opts.min);
    const cut = hi > lo ? widestPause(lo, hi, words, energy, step) ?? quietest(lo, hi, energy, step) : cur + max;
    pieces.push({ ...clip, start: cur, end: cut });
    cur = cut;
  }
  pieces.push({ ...clip, start: cur, end: clip.end });
  return pieces;
}

/**
 * The middle of the longest pause between two words in [lo, hi], if any; of pauses as long (to a step of the word
 * times: words that touch all have none), the quietest.
 */
function widestPause(lo: number, hi: number, words: WordSpan[], energy: Float32Array | undefined, step: number): number | undefined {
  const pauses: { mid: number; gap: number }[] = [];
  for (let k = 0; k + 1 < words.length; k++) {
    const mid = (words[k].end + words[k + 1].start) / 2;
    if (mid >= lo && mid <= hi) pauses.push({ mid, gap: words[k + 1].start - words[k].end });
  }
  if (!pauses.length) return undefined;
  const widest = Math.max(...pauses.map((p) => p.gap));
  const level = (t: number) => (energy && Number.isFinite(energy[Math.round(t / step)]) ? energy[Math.round(t / step)] : 0);
  return pauses.filter((p) => p.gap >= widest - WORD_EDGE_SLACK).reduce((a, b) => (level(b.mid) < level(a.mid) ? b : a)).mid;
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

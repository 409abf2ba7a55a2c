/**
 * Edits of a contiguous segment table, as pure functions: each returns a new table that still covers the same span
 * with no gaps or overlaps. The timeline view dispatches them; the extension turns the result into a WorkspaceEdit.
 */
export interface Seg {
  label: string;
  start: number;
  stop: number;
}

/** Shortest segment an edit may leave behind (seconds). */
export const MIN_SEG = 0.02;

const r3 = (t: number) => Math.round(t * 1000) / 1000;

/** Moves the boundary between segs[i-1] and segs[i] to t; both neighbours follow, clamped to keep MIN_SEG each. */
export function moveBoundary(segs: Seg[], i: number, t: number): Seg[] {
  if (i <= 0 || i >= segs.length) return segs;
  const lo = segs[i - 1].start + MIN_SEG;
  const hi = segs[i].stop - MIN_SEG;
  if (hi < lo) return segs;
  const at = r3(Math.min(hi, Math.max(lo, t)));
  return segs.map((s, k) => (k === i - 1 ? { ...s, stop: at } : k === i ? { ...s, start: at } : s));
}

/** Index of the segment containing t (the last one for t at the very end). */
export function indexAt(segs: Seg[], t: number): number {
  const i = segs.findIndex((s) => t >= s.start && t < s.stop);
  return i >= 0 ? i : segs.length - 1;
}

/** Splits the segment under t in two (same label); no-op within MIN_SEG of its edges. */
export function splitAt(segs: Seg[], t: number): Seg[] {
  const i = indexAt(segs, t);
  const s = segs[i];
  if (!s || t - s.start < MIN_SEG || s.stop - t < MIN_SEG) return segs;
  const at = r3(t);
  return [...segs.slice(0, i), { ...s, stop: at }, { ...s, start: at }, ...segs.slice(i + 1)];
}

/** Merges segs[i] with the next one, keeping segs[i]'s label. */
export function mergeNext(segs: Seg[], i: number): Seg[] {
  if (i < 0 || i >= segs.length - 1) return segs;
  return [...segs.slice(0, i), { ...segs[i], stop: segs[i + 1].stop }, ...segs.slice(i + 2)];
}

export function relabel(segs: Seg[], i: number, label: string): Seg[] {
  if (!segs[i] || segs[i].label === label) return segs;
  return normalise(segs.map((s, k) => (k === i ? { ...s, label } : s)));
}

/** Deletes segs[i] by giving its span to the previous segment (or the next, for the first). */
export function remove(segs: Seg[], i: number): Seg[] {
  if (segs.length < 2 || !segs[i]) return segs;
  return i > 0 ? mergeNext(segs, i - 1) : [{ ...segs[1], start: segs[0].start }, ...segs.slice(2)];
}

/** Adds [start, stop) with `label`, trimming whatever it overlaps. */
export function add(segs: Seg[], start: number, stop: number, label: string): Seg[] {
  const a = r3(Math.max(segs[0]?.start ?? 0, Math.min(start, stop)));
  const b = r3(Math.min(segs[segs.length - 1]?.stop ?? stop, Math.max(start, stop)));
  if (b - a < MIN_SEG) return segs;
  const out: Seg[] = [];
  for (const s of segs) {
    if (s.stop <= a || s.start >= b) out.push(s);
    else {
      if (s.start < a) out.push({ ...s, stop: a });
      if (s.stop > b) out.push({ ...s, start: b });
    }
  }
  out.push({ label, start: a, stop: b });
  return normalise(out.sort((x, y) => x.start - y.start));
}

/** Merges neighbours that share a label, so the table stays in inaSpeechSegmenter's canonical form. */
export function normalise(segs: Seg[]): Seg[] {
  const out: Seg[] = [];
  for (const s of segs) {
    const last = out[out.length - 1];
    if (last && last.label === s.label) out[out.length - 1] = { ...last, stop: s.stop };
    else out.push({ ...s });
  }
  return out;
}

export function totals(segs: Seg[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of segs) m.set(s.label, (m.get(s.label) ?? 0) + s.stop - s.start);
  return m;
}

/** True when the table is contiguous (each stop is the next start) and every segment has positive length. */
export function isContiguous(segs: Seg[]): boolean {
  return segs.every((s, k) => s.stop > s.start && (k === 0 || Math.abs(s.start - segs[k - 1].stop) < 1e-9));
}

/** The segments drawn when the labels in `hidden` are switched off in the legend (their indices in the table). */
export function shownIndices(segs: Seg[], hidden: ReadonlySet<string>): number[] {
  return segs.flatMap((s, i) => (hidden.has(s.label) ? [] : [i]));
}

/** A legend click: the label shown again when it was hidden, hidden when it was shown (the table is never edited). */
export function toggled(hidden: ReadonlySet<string>, label: string): Set<string> {
  const next = new Set(hidden);
  if (!next.delete(label)) next.add(label);
  return next;
}

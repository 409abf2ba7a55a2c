import Papa from 'papaparse';
import type { Segment } from '../segmentation/inaSegmenter';

export const SEGMENT_LABELS = ['male', 'female', 'music', 'noise', 'noEnergy', 'speech'] as const;

/** inaSpeechSegmenter's CSV: tab separated, header `labels start stop`, seconds. */
export function formatSegmentCsv(segments: Segment[]): string {
  return Papa.unparse(
    { fields: ['labels', 'start', 'stop'], data: segments.map((s) => [s.label, fmt(s.start), fmt(s.stop)]) },
    { delimiter: '\t', newline: '\n' },
  ) + '\n';
}

/** Reads a segment table with tab or comma separators; names the file and row on malformed input. */
export function parseSegmentCsv(text: string, file = '<segments>'): Segment[] {
  const parsed = Papa.parse<Record<string, string>>(text.trim(), { header: true, delimiter: '', skipEmptyLines: true });
  const fields = parsed.meta.fields ?? [];
  for (const f of ['labels', 'start', 'stop']) {
    if (!fields.includes(f)) throw new Error(`${file}: missing column "${f}" (expected header: labels start stop)`);
  }
  return parsed.data.map((row, i) => {
    const start = Number(row.start);
    const stop = Number(row.stop);
    if (!Number.isFinite(start) || !Number.isFinite(stop) || stop < start || start < 0) {
      throw new Error(`${file}: row ${i + 2} has invalid times (${row.start}, ${row.stop}): start >= 0 and stop >= start, in seconds`);
    }
    return { label: row.labels, start, stop };
  });
}

/**
 * A table as the cutting stages may use it, for a file `duration` seconds long: rows in time order, none overlapping
 * another (an error naming both rows: which label is right is the user's call), rows past the end clamped to it or
 * dropped, each with a warning naming the row.
 */
export function checkSegments(segments: Segment[], duration: number, file: string): { segments: Segment[]; warnings: string[] } {
  const rows = segments.map((s, i) => ({ s, row: i + 2 })).sort((a, b) => a.s.start - b.s.start || a.s.stop - b.s.stop);
  for (let k = 1; k < rows.length; k++) {
    const [p, c] = [rows[k - 1], rows[k]];
    if (c.s.start < p.s.stop - 5e-4) {
      throw new Error(`${file}: row ${c.row} (${c.s.label} ${fmt(c.s.start)}-${fmt(c.s.stop)}) overlaps row ${p.row} (${p.s.label} ${fmt(p.s.start)}-${fmt(p.s.stop)}); each moment needs one label (the timeline keeps tables contiguous)`);
    }
  }
  const warnings: string[] = [];
  const out: Segment[] = [];
  for (const { s, row } of rows) {
    if (!(duration > 0) || s.stop <= duration + 5e-4) out.push(s);
    else if (s.start >= duration - 5e-4) warnings.push(`${file}: row ${row} (${s.label} ${fmt(s.start)}-${fmt(s.stop)}) starts after the end of the audio (${fmt(duration)} s): ignored`);
    else {
      warnings.push(`${file}: row ${row} (${s.label} ${fmt(s.start)}-${fmt(s.stop)}) runs past the end of the audio (${fmt(duration)} s): clamped to ${fmt(duration)}`);
      out.push({ ...s, stop: duration });
    }
  }
  return { segments: out, warnings };
}

/** Seconds with millisecond precision, no trailing zeros (29.08, not 29.080000000000002). */
export function fmt(t: number): string {
  return String(Math.round(t * 1000) / 1000);
}

/** Label per 10 ms frame, for comparing tables frame by frame. */
export function labelsPerFrame(segments: Segment[], frames: number, step = 0.01): string[] {
  const out: string[] = new Array(frames).fill('');
  for (const s of segments) {
    for (let i = Math.round(s.start / step); i < Math.min(frames, Math.round(s.stop / step)); i++) out[i] = s.label;
  }
  return out;
}

/** Makes a table contiguous from 0: gaps (and the tail up to `duration`) become noEnergy. */
export function fillGaps(segments: Segment[], duration?: number): Segment[] {
  const out: Segment[] = [];
  let t = 0;
  for (const s of [...segments].sort((a, b) => a.start - b.start)) {
    if (s.start > t + 5e-4) out.push({ label: 'noEnergy', start: t, stop: s.start });
    out.push({ ...s, start: Math.max(s.start, t) });
    t = Math.max(t, s.stop);
  }
  if (duration !== undefined && duration > t + 5e-4) out.push({ label: 'noEnergy', start: t, stop: duration });
  return out;
}

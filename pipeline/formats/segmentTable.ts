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
    if (!Number.isFinite(start) || !Number.isFinite(stop) || stop < start) {
      throw new Error(`${file}: row ${i + 2} has invalid times (${row.start}, ${row.stop})`);
    }
    return { label: row.labels, start, stop };
  });
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

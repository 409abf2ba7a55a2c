import type { Segment } from '../segmentation/inaSegmenter';
import { fillGaps } from './segmentTable';

/** Audacity label track: `start<TAB>end<TAB>label` per line, seconds; spectral-selection lines (`\t...`) skipped. */
export function formatAudacityLabels(segments: Segment[]): string {
  return segments.map((s) => `${s.start.toFixed(6)}\t${s.stop.toFixed(6)}\t${s.label}`).join('\n') + '\n';
}

export function parseAudacityLabels(text: string, file = '<labels>'): Segment[] {
  const out: Segment[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('\\')) return;
    const [a, b, ...rest] = line.split('\t');
    const start = Number(a);
    const stop = Number(b);
    if (!Number.isFinite(start) || !Number.isFinite(stop) || stop < start) throw new Error(`${file}: line ${i + 1} is not "start<TAB>end<TAB>label"`);
    out.push({ label: rest.join('\t').trim() || 'speech', start, stop });
  });
  return fillGaps(out);
}

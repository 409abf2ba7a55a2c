import type { Segment } from '../segmentation/inaSegmenter';
import { fillGaps } from './segmentTable';

/** Praat TextGrid, long text format, one interval tier, as inaSpeechSegmenter writes it. */
export function formatTextGrid(segments: Segment[], tier = 'inaSpeechSegmenter'): string {
  const xmax = segments.length ? segments[segments.length - 1].stop : 0;
  const f = (t: number) => t.toFixed(6);
  const lines = ['File type = "ooTextFile"', 'Object class = "TextGrid"', '', 'xmin = 0.000000', `xmax = ${f(xmax)}`, 'tiers? <exists> ', 'size = 1', 'item []:',
    '\titem [1]:', '\t\tclass = "IntervalTier"', `\t\tname = "${tier}"`, '\t\txmin = 0.000000', `\t\txmax = ${f(xmax)}`, `\t\tintervals: size = ${segments.length}`];
  segments.forEach((s, i) => {
    lines.push(`\t\tintervals[${i + 1}]:`, `\t\t\t xmin = ${f(s.start)}`, `\t\t\t xmax = ${f(s.stop)}`, `\t\t\t text = "${s.label.replace(/"/g, '""')}"`);
  });
  return lines.join('\n') + '\n';
}

/**
 * Reads the first interval tier of a long-format TextGrid. Empty intervals become noEnergy, so the table stays
 * contiguous as inaSpeechSegmenter's are.
 */
export function parseTextGrid(text: string, file = '<textgrid>'): Segment[] {
  if (!/Object class = "TextGrid"/.test(text)) throw new Error(`${file}: not a Praat TextGrid (long text format)`);
  const tier = text.split(/class = "IntervalTier"/)[1];
  if (!tier) throw new Error(`${file}: has no interval tier`);
  const body = tier.split(/class = "TextTier"|item \[\d+\]:/)[0];
  const re = /intervals\s*\[\d+\]:\s*xmin = ([-\d.eE+]+)\s*xmax = ([-\d.eE+]+)\s*text = "((?:[^"]|"")*)"/g;
  const out: Segment[] = [];
  for (let m; (m = re.exec(body)); ) out.push({ label: m[3].replace(/""/g, '"') || 'noEnergy', start: Number(m[1]), stop: Number(m[2]) });
  if (!out.length) throw new Error(`${file}: the interval tier has no intervals`);
  return fillGaps(out);
}

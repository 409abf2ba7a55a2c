import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Segment } from '../segmentation/inaSegmenter';
import { writeFileAtomic } from '../util/atomic';
import { formatAudacityLabels, parseAudacityLabels } from './audacityLabels';
import { formatRttm, parseRttm, rttmFileId } from './rttm';
import { formatSegmentCsv, parseSegmentCsv } from './segmentTable';
import { formatTextGrid, parseTextGrid } from './textGrid';

export type TableFormat = 'csv' | 'audacity' | 'textgrid' | 'rttm';

/** Format from the extension: .csv/.tsv ina table, .txt Audacity labels, .TextGrid Praat, .rttm. */
export function formatOf(file: string): TableFormat {
  const ext = path.extname(file).toLowerCase();
  const f = ({ '.csv': 'csv', '.tsv': 'csv', '.txt': 'audacity', '.textgrid': 'textgrid', '.rttm': 'rttm' } as Record<string, TableFormat>)[ext];
  if (!f) throw new Error(`${file}: unknown segment table format "${ext}" (use .csv, .txt (Audacity), .TextGrid or .rttm)`);
  return f;
}

export function readTableFile(file: string, format = formatOf(file)): Segment[] {
  const text = fs.readFileSync(file, 'utf8');
  switch (format) {
    case 'csv': return parseSegmentCsv(text, file);
    case 'audacity': return parseAudacityLabels(text, file);
    case 'textgrid': return parseTextGrid(text, file);
    case 'rttm': return parseRttm(text, file);
  }
}

export function formatTable(segments: Segment[], format: TableFormat, name: string): string {
  switch (format) {
    case 'csv': return formatSegmentCsv(segments);
    case 'audacity': return formatAudacityLabels(segments);
    case 'textgrid': return formatTextGrid(segments);
    case 'rttm': return formatRttm(segments, rttmFileId(name));
  }
}

/** `sds convert <in> <out>`: between the four formats, chosen by extension. */
export async function convertTable(input: string, output: string): Promise<number> {
  const segments = readTableFile(input);
  await writeFileAtomic(output, formatTable(segments, formatOf(output), input));
  return segments.length;
}

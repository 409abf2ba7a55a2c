import * as fs from 'node:fs';
import Papa from 'papaparse';
import { writeFileAtomic } from '../util/atomic';

export type Row = Record<string, string>;

/** Reads a comma-separated table with a header; a missing file is an empty table. */
export function readTable(file: string): Row[] {
  if (!fs.existsSync(file)) return [];
  const parsed = Papa.parse<Row>(fs.readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true });
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    throw new Error(`${file}: row ${(e.row ?? 0) + 2}: ${e.message}`);
  }
  return parsed.data;
}

/** Writes rows atomically; columns are `columns` first, then any extra columns the rows carry (never dropped). */
export async function writeTable(file: string, rows: Row[], columns: string[]): Promise<void> {
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !columns.includes(c));
  const fields = [...columns, ...extra];
  const text = Papa.unparse({ fields, data: rows.map((r) => fields.map((f) => r[f] ?? '')) }, { newline: '\n' });
  await writeFileAtomic(file, text + '\n');
}

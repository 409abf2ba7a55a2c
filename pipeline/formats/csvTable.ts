import * as fs from 'node:fs';
import Papa from 'papaparse';
import { writeFileAtomic } from '../util/atomic';

export type Row = Record<string, string>;

/** Parses a comma-separated table with a header (the text of sources.csv or clips.csv); `name` goes in errors. */
export function parseTable(text: string, name: string): { fields: string[]; rows: Row[] } {
  const parsed = Papa.parse<Row>(text, { header: true, skipEmptyLines: true });
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    throw new Error(`${name}: row ${(e.row ?? 0) + 2}: ${e.message}`);
  }
  return { fields: parsed.meta.fields ?? [], rows: parsed.data };
}

/** The table as text: `columns` first, then any extra columns the rows carry (never dropped). */
export function formatTable(rows: Row[], columns: string[]): string {
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !columns.includes(c));
  const fields = [...columns, ...extra];
  return Papa.unparse({ fields, data: rows.map((r) => fields.map((f) => r[f] ?? '')) }, { newline: '\n' }) + '\n';
}

/** Reads a table file; a missing file is an empty table. */
export function readTable(file: string): Row[] {
  if (!fs.existsSync(file)) return [];
  return parseTable(fs.readFileSync(file, 'utf8'), file).rows;
}

/**
 * Writes rows atomically (see formatTable for the column order). A table that would not change is not written: an
 * editor holding it open with unsaved edits would otherwise see a newer file on disk and refuse to save over it.
 */
export async function writeTable(file: string, rows: Row[], columns: string[]): Promise<void> {
  const text = formatTable(rows, columns);
  if ((await fs.promises.readFile(file, 'utf8').catch(() => undefined)) === text) return;
  await writeFileAtomic(file, text);
}

/** A clip table's rows grouped by their source, in the table's order. */
export function clipsBySource(rows: Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const mine = out.get(r.source);
    if (mine) mine.push(r);
    else out.set(r.source, [r]);
  }
  return out;
}

/** Rows of a clip table, refusing one edited into a shape the stages cannot read (a clear message, nothing changed). */
export function readClipTable(file: string): Row[] {
  const rows = readTable(file);
  const missing = rows.length ? ['path'].filter((c) => !(c in rows[0])) : [];
  if (missing.length) throw new Error(`${file}: no ${missing.join(', ')} column (was it edited by hand?); every clip row needs its path`);
  const empty = rows.findIndex((r) => !r.path);
  if (empty >= 0) throw new Error(`${file}: row ${empty + 2} has an empty path`);
  return rows;
}

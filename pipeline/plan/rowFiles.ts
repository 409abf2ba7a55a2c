import * as fs from 'node:fs';
import * as path from 'node:path';
import { clipsBySource, type Row } from '../formats/csvTable';
import { writeFileAtomic } from '../util/atomic';
import type { StageRecord } from './plan';

// Many writers, one writer of the tables. A worker or a shard (docs/scale.md) never writes sources.csv or clips.csv:
// what a stage would have written of a source goes into that source's row file, `.sds/rows/<stage>/<id>.json`, with
// the pipeline's record of it; `sds merge` (or the queue's coordinator) folds the row files into the tables and the
// pipeline state under the dataset lock. A row file holds a source's rows whole, as the stage left them, so folding
// twice, or after a job ran twice, gives the same tables.

/** Which sources a process writes row files for, and as which stage (`seq`: its place in the pipeline). */
export interface RowScope {
  stage: string;
  seq: number;
  has: (source: string) => boolean;
}

export interface RowFile {
  stage: string;
  seq: number;
  source: string;
  /** the source's sources.csv row */
  row?: Row;
  /** all of the source's clips.csv rows (none: it has no clips now) */
  clips?: Row[];
  /** what the pipeline records of this stage and source (state.ts) */
  record?: { key: string; options: string; algorithm: string; entry: StageRecord['sources'][string] };
}

/** The register step, before any stage: a source's first sources.csv row. */
export const REGISTER_SEQ = -1;

export const rowsDir = (dataset: string) => path.join(dataset, '.sds', 'rows');
const fileOf = (dataset: string, stage: string, source: string) => path.join(rowsDir(dataset), stage, `${source}.json`);

/** Every row file, in pipeline order (register, then stage by stage), a stage's by source id. */
export function readRowFiles(dataset: string): RowFile[] {
  const dir = rowsDir(dataset);
  if (!fs.existsSync(dir)) return [];
  const out: RowFile[] = [];
  for (const stage of fs.readdirSync(dir)) {
    const sub = path.join(dir, stage);
    if (!fs.statSync(sub).isDirectory()) continue;
    for (const f of fs.readdirSync(sub)) {
      if (!f.endsWith('.json') || f.startsWith('.')) continue;
      const file = path.join(sub, f);
      try {
        out.push(JSON.parse(fs.readFileSync(file, 'utf8')) as RowFile);
      } catch (e) {
        throw new Error(`${file}: unreadable row file (${(e as Error).message}); a worker writes these atomically, so it was edited or the disk is failing`);
      }
    }
  }
  return out.sort(pipelineOrder);
}

/** Register first, then stage by stage; within a stage, by source id. */
export const pipelineOrder = (a: RowFile, b: RowFile) => a.seq - b.seq || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0);

/** Sets parts of one source's row file for the scope's stage (the parts not given are kept). */
export async function updateRowFile(dataset: string, scope: RowScope, source: string, part: Pick<RowFile, 'row' | 'clips' | 'record'>): Promise<RowFile> {
  const file = fileOf(dataset, scope.stage, source);
  let was: RowFile | undefined;
  try {
    was = JSON.parse(fs.readFileSync(file, 'utf8')) as RowFile;
  } catch {
    was = undefined;
  }
  const next: RowFile = { ...was, ...part, stage: scope.stage, seq: scope.seq, source };
  await writeFileAtomic(file, JSON.stringify(next) + '\n');
  return next;
}

/** sources.csv's rows with the row files' over them (a new source goes after the others, in id order). */
export function overlaySources(rows: Row[], files: RowFile[]): Row[] {
  const out = rows.map((r) => ({ ...r }));
  const at = new Map(out.map((r, i) => [r.id, i]));
  for (const f of files) {
    if (!f.row) continue;
    const i = at.get(f.source);
    if (i !== undefined) out[i] = { ...f.row };
    else at.set(f.source, out.push({ ...f.row }) - 1);
  }
  return out;
}

/** clips.csv's rows with each row file's clips in place of its source's (grouped by source id, as slice writes them). */
export function overlayClips(rows: Row[], files: RowFile[]): Row[] {
  const bySource = clipsBySource(rows);
  let changed = false;
  for (const f of files) {
    if (!f.clips) continue;
    bySource.set(f.source, f.clips.map((r) => ({ ...r })));
    changed = true;
  }
  if (!changed) return rows;
  return [...bySource.keys()].sort().flatMap((k) => bySource.get(k)!);
}

/** The pipeline records the row files carry, set into a state's stages as the runner itself records them. */
export function foldRecords(stages: Record<string, StageRecord>, files: RowFile[]): void {
  for (const f of files) {
    if (!f.record) continue;
    const { key, options, algorithm, entry } = f.record;
    const st = stages[key];
    if (!st || st.options !== options || st.algorithm !== algorithm) stages[key] = { options, algorithm, sources: { ...st?.sources } };
    stages[key].sources[f.source] = entry;
  }
}

/** Removes folded row files (a fold runs when no worker writes: after the shards, at the end of a queued run). */
export function removeRowFiles(dataset: string, files: RowFile[]): void {
  for (const f of files) fs.rmSync(fileOf(dataset, f.stage, f.source), { force: true });
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../dataset';
import { SEGMENT_LABELS } from '../formats/segmentTable';
import type { Row } from '../formats/csvTable';
import { cleanStaleTemps } from '../util/atomic';
import { hashJson } from '../util/hash';
import { ProcessPool } from '../util/processPool';
import { openClipCleaner, type ClipCleaner, type CleanClipReply, type CleanClipRequest } from './cleanClip';
import { cleanPathFor, normalRel, ownedClip } from './clipPaths';
import { forEachEntry } from './forEachEntry';
import { denoiserStreams } from './denoisers';
import type { CleanOptions } from './cleanOptions';
import { inScope, type StageContext, type StageReport } from './types';

/** Fewer clips than this are cleaned in-process: a worker's start (its model sessions) costs about a clip's work. */
const MIN_CLIPS_FOR_WORKERS = 4;

/**
 * The clip chain in this process, or with --jobs > 1 in that many worker processes with one-thread sessions:
 * onnxruntime's `session.run` holds Node's main thread (DTLN calls it twice every 8 ms of audio), so clips cleaned
 * concurrently in one process queue behind each other. Each process takes as many clips at once as its denoiser
 * batches (`streams`). Opened at the first clip to clean: a rerun with every clip up to date starts no model.
 */
function openCleaner(ds: Dataset, opts: CleanOptions, ctx: StageContext, clips: number): Pick<ClipCleaner, 'clean' | 'release'> & { workers: number; streams: number; openFailed: (e: unknown) => boolean } {
  const workers = ctx.jobs > 1 && clips >= MIN_CLIPS_FOR_WORKERS ? Math.min(ctx.jobs, clips) : 0;
  const streams = denoiserStreams(opts.denoise);
  let opened: Promise<Pick<ClipCleaner, 'clean' | 'release'>> | undefined;
  const open = () => (opened ??= workers
    ? ProcessPool.start<CleanClipRequest, CleanClipReply>('cleanWorker', __dirname, workers, { dir: ds.dir, opts, ffmpeg: ctx.ffmpeg }, ctx.log, ctx.signal, streams)
      .then((pool) => ({ clean: (req: CleanClipRequest) => pool.run(req), release: () => pool.close() }))
    : openClipCleaner(ds, opts, ctx));
  let failure: unknown;
  return {
    workers, streams,
    clean: async (req) => (await open().catch((e) => { throw (failure = e); })).clean(req),
    openFailed: (e) => e === failure,
    // a chain that failed to open has nothing to release (its error was each clip's)
    release: async () => opened?.then((c) => c.release(), () => undefined),
  };
}

/** Bumped when cleaning changes what it writes, so reruns clean again clips cleaned by older code (2: zero-phase filters). */
export const CLEAN_VERSION = 2;

/**
 * Cleaned files (`clean/<label>/<source>_<nnnn>.wav`, as clean writes them for slice's clips) whose clip is no
 * longer in clips.csv: a re-slice moved the clip to another label or dropped it. Only sources in the run's scope.
 */
function removeOrphans(ds: Dataset, rows: Row[], ctx: StageContext): number {
  const live = new Set(rows.map((r) => r.clean_path && normalRel(r.clean_path)).filter(Boolean));
  const ids = new Set(ds.readSources().map((s) => s.id).filter((id) => inScope(ctx, id)));
  let removed = 0;
  for (const label of SEGMENT_LABELS) {
    const dir = path.join(ds.dir, 'clean', label);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      const m = /^(.+)_\d{4,}\.wav$/.exec(f);
      const rel = `clean/${label}/${f}`;
      if (!m || !ids.has(m[1]) || !ownedClip(`clips/${label}/${f}`, m[1]) || live.has(rel)) continue;
      fs.rmSync(path.join(dir, f), { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Cleans every clip in clips.csv into <dir>/clean/<label>/<name>.wav and adds the before/after metrics and the
 * cleaned path to clips.csv. Raw clips and originals are never written.
 */
export async function runClean(dir: string, opts: CleanOptions, ctx: StageContext, only?: string[]): Promise<StageReport> {
  // absolute: the guard below compares resolved paths (`sds clean --out ds` had refused every clip)
  const outDir = path.resolve(dir);
  const ds = new Dataset(outDir, ctx.rows);
  cleanStaleTemps(path.join(outDir, 'clean'));
  const report: StageReport = { stage: 'clean', processed: 0, skipped: 0, failed: [], summary: [] };
  const rows = ds.readClips();
  if (!rows.length) {
    report.failed.push({ file: ds.clipsCsv, error: `no clips in ${ds.clipsCsv}: run slice first` });
    return report;
  }
  const todo = only ? rows.filter((r) => only.includes(r.path)) : rows;
  const cleaner = openCleaner(ds, opts, ctx, todo.length);
  const key = hashJson({ opts, v: CLEAN_VERSION });
  let limited = 0;
  let changed = 0;
  try {
    const where = (row: Row) => {
      const outRel = cleanPathFor(row.path);
      return { input: path.resolve(outDir, row.path), outRel, output: path.join(outDir, outRel), id: row.path.replace(/[\\/]/g, '__') };
    };
    // a marker is keyed by the clip's size and time stamp: a clip cut again is cleaned again
    const inputKey = (input: string) => {
      const st = fs.statSync(input, { throwIfNoEntry: false });
      return st?.isFile() ? `${key}:${st.size}:${Math.round(st.mtimeMs)}` : undefined;
    };
    await forEachEntry({
      // each process gets as many clips at once as its denoiser batches
      entries: todo, jobs: (cleaner.workers || ctx.jobs) * cleaner.streams, name: (row) => where(row).input, source: (row) => row.source, fatal: cleaner.openFailed,
      marker: { ds, stage: 'clean', of: (row) => {
        const k = only ? undefined : inputKey(where(row).input);
        return k ? { id: where(row).id, key: k } : undefined;
      } },
      // done before: a run killed before it wrote clips.csv left the row's cells in the marker
      stillThere: (row, record) => fs.existsSync(where(row).output) && !!(row.clean_path || record),
      restore: (row, record) => {
        if (row.clean_path || !record) return;
        Object.assign(row, JSON.parse(record));
        changed++;
      },
      process: async (row) => {
        const { input, outRel, output } = where(row);
        // written only under clean/, never over the clip or anything outside the dataset
        if (!output.startsWith(path.join(outDir, 'clean') + path.sep) || output === input) throw new Error(`refusing to write ${output}: cleaned clips go under clean/ only`);
        const { cells, note } = await cleaner.clean({ input, output, outRel, rate: Number(row.sample_rate) || 16000, source: row.source });
        if (note.startsWith('limited')) limited++;
        Object.assign(row, cells);
        changed++;
        return { detail: note, record: JSON.stringify(cells) };
      },
    }, report, ctx);
  } finally {
    await cleaner.release();
    // a run that changed no row leaves the table as it was
    if (changed) await ds.writeClips(rows);
  }
  const gone = removeOrphans(ds, rows, ctx);
  report.summary = [`${report.processed} clips cleaned into clean/ (${opts.denoise === 'off' ? 'no denoiser' : opts.denoise}, ${Number.isFinite(opts.loudness) ? `${opts.loudness} LUFS, ${opts.truePeak} dBTP` : 'level untouched'})${cleaner.workers && report.processed ? ` in ${cleaner.workers} worker processes` : ''}`,
    ...(limited ? [`${limited} clips needed the limiter to stay under ${opts.truePeak} dBTP (see clean_note)`] : []),
    ...(gone ? [`${gone} cleaned files of clips a re-slice moved or dropped were removed`] : [])];
  return report;
}

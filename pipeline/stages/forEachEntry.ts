import type { Dataset } from '../dataset';
import { forEachLimit } from '../util/pool';
import { errorMessage, inScope, namingFile, type StageContext, type StageReport } from './types';

/** What one entry's processing says back: a detail for its progress line, and what its resume marker keeps. */
export interface EntryResult {
  detail?: string;
  /** nothing new came of it (already there under another name): counted as skipped, not processed */
  skipped?: boolean;
  /** kept beside the marker's key (a stage whose results live in a shared table restores them from it after a kill) */
  record?: string;
}

/**
 * The per-entry loop every stage runs (sources or clips), written once: skip what its marker says is done, report
 * start / done / failure per entry, count them in the report, and go on after a failure; cancellation stops it.
 * NeMo SDP's BaseParallelProcessor is the pattern: the stage prepares, this processes each entry, the stage finalises.
 */
export interface EntryLoop<T> {
  entries: T[];
  /** how the entry is named in progress and errors (a file path) */
  name: (entry: T) => string;
  /** the source id the entry belongs to: entries of sources out of the run's scope are left alone */
  source?: (entry: T) => string | undefined;
  /** entries in flight at once (default 1) */
  jobs?: number;
  /** the resume marker: `stage` under .sds/done, the entry's id and the key of its inputs and options */
  marker?: { ds: Dataset; stage: string; of: (entry: T) => { id: string; key: string } | undefined };
  /** entries known to be done without a marker (a URL already in sources.csv) */
  skip?: (entry: T) => boolean;
  /** whether a marked entry's outputs are still there (a marker alone is not enough) */
  stillThere?: (entry: T, record: string) => boolean;
  /** gives a skipped entry back what its marker kept (a row a killed run never saved) */
  restore?: (entry: T, record: string) => void;
  process: (entry: T, index: number) => Promise<EntryResult | void>;
  /** an error that is the stage's, not the entry's (its models did not open): rethrown, ending the loop */
  fatal?: (error: unknown) => boolean;
  /** after each entry, done or failed (periodic saves) */
  after?: (entry: T, index: number) => Promise<void>;
}

export async function forEachEntry<T>(loop: EntryLoop<T>, report: StageReport, ctx: StageContext): Promise<void> {
  const entries = loop.source && ctx.sources ? loop.entries.filter((e) => inScope(ctx, loop.source!(e))) : loop.entries;
  // out of scope: unchanged since the pipeline last ran them, counted as up to date
  report.skipped += loop.entries.length - entries.length;
  const total = entries.length;
  await forEachLimit(entries, loop.jobs ?? 1, async (entry, index) => {
    ctx.signal?.throwIfAborted();
    const file = loop.name(entry);
    const mark = loop.marker?.of(entry);
    const record = mark && loop.marker!.ds.doneRecord(loop.marker!.stage, mark.id, mark.key);
    if (loop.skip?.(entry) || (record !== undefined && (loop.stillThere?.(entry, record) ?? true))) {
      if (record !== undefined) loop.restore?.(entry, record);
      report.skipped++;
      ctx.progress({ kind: 'file-done', file, skipped: true });
      return;
    }
    ctx.progress({ kind: 'file-start', file, index, total });
    try {
      const r = (await loop.process(entry, index)) ?? {};
      if (mark) await loop.marker!.ds.markDone(loop.marker!.stage, mark.id, mark.key, r.record);
      if (r.skipped) report.skipped++;
      else report.processed++;
      ctx.progress({ kind: 'file-done', file, skipped: !!r.skipped, detail: r.detail });
    } catch (e) {
      if (ctx.signal?.aborted || loop.fatal?.(e)) throw e;
      const source = loop.source?.(entry);
      report.failed.push({ file, error: namingFile(file, e), ...(source !== undefined ? { source } : {}) });
      ctx.progress({ kind: 'file-error', file, error: errorMessage(e) });
    }
    await loop.after?.(entry, index);
  });
}

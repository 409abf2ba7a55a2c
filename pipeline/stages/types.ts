import type { FfmpegPaths } from '../audio/ffmpeg';

export type ProgressEvent =
  | { kind: 'file-start'; file: string; index: number; total: number }
  | { kind: 'file-progress'; file: string; fraction: number }
  | { kind: 'file-done'; file: string; skipped: boolean; detail?: string }
  | { kind: 'file-error'; file: string; error: string }
  /** queued behind another writer of the same dataset (`detail` names it) */
  | { kind: 'waiting'; detail: string }
  /** a pipeline's stage `index` of `total` starts, with `todo` sources (`detail`: what it redoes and why) */
  | { kind: 'stage'; stage: string; index: number; total: number; todo: number; detail: string };

/** What every stage gets from whoever runs it (host process or CLI). */
export interface StageContext {
  signal?: AbortSignal;
  jobs: number;
  ffmpeg: FfmpegPaths;
  log: (message: string) => void;
  progress: (event: ProgressEvent) => void;
  /** what is running, as the dataset lock names it to a second writer (`sds slice --out ds`) */
  command?: string;
  /** queue behind another writer of the same dataset instead of failing at once */
  wait?: boolean;
  /**
   * Only these sources (ids) are worked on; every other entry is left exactly as it is. The pipeline runner sets it
   * to the sources its plan found changed (pipeline/plan/runner.ts); unset, a stage works on all of them.
   */
  sources?: ReadonlySet<string>;
  /**
   * Set in a worker or a shard (docs/scale.md): the tables are not written, each source's rows go to its row file
   * (pipeline/plan/rowFiles.ts) for `sds merge` or the queue's coordinator to fold in.
   */
  rows?: import('../plan/rowFiles').RowScope;
}

/** Whether a stage works on this source in this run (see StageContext.sources). */
export const inScope = (ctx: Pick<StageContext, 'sources'>, source: string | undefined) => !ctx.sources || (source !== undefined && ctx.sources.has(source));

export interface FileError {
  file: string;
  error: string;
  /** the source the failed entry belongs to (a clip's): the pipeline skips that source's later stages */
  source?: string;
}

export interface StageReport {
  stage: string;
  processed: number;
  skipped: number;
  failed: FileError[];
  /** Human-readable lines (per-label seconds, clip counts). */
  summary: string[];
  /** What the run changed or repaired on its own and the user should know (a clamped row, zeroed samples). */
  warnings?: FileError[];
  /** wall seconds it took (the pipeline runner times each stage) */
  seconds?: number;
  /** its summary is the whole of what it says (a plan, a status): no counts line */
  listing?: boolean;
  /** Findings about the dataset, for the Problems panel (lint). */
  diagnostics?: import('./lint').LintDiagnostic[];
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An error message that names its file exactly once, whether or not the error already did. */
export function namingFile(file: string, e: unknown): string {
  const msg = errorMessage(e);
  return msg.startsWith(file) ? msg : `${file}: ${msg}`;
}

/**
 * Errors with a typed reason, so callers (the CLI's exit code, the host's JSON-RPC reply, the extension's offer of a
 * fix) decide by `reason`, never by matching message text.
 */
export type ErrorReason = 'usage' | 'locked' | 'missing-model';

export class SdsError extends Error {
  constructor(readonly reason: ErrorReason, message: string) {
    super(message);
    this.name = 'SdsError';
  }
}

/** A command line or request that cannot run as given: an unknown or out-of-range value. Nothing has been written. */
export class OptionError extends SdsError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** Another writer holds the dataset (`holder` is what its lock file says). */
export class LockHeldError extends SdsError {
  constructor(message: string, readonly holder: LockInfo) {
    super('locked', message);
  }
}

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  started: string;
}

/** A model whose manifest is there but whose weights are not (yet): fetch it, or point at a copy you have. */
export class MissingModelError extends SdsError {
  constructor(readonly model: string) {
    super('missing-model', `model "${model}" is not downloaded: sds models fetch ${model}, or sds models install ${model} <file.onnx> with a copy you have`);
  }
}

export const reasonOf = (e: unknown): ErrorReason | undefined => (e instanceof SdsError ? e.reason : undefined);

/** What crosses JSON-RPC with an error (ResponseError's data): its reason and what the reason needs. */
export interface ErrorData {
  reason: ErrorReason;
  model?: string;
  holder?: LockInfo;
  /** a pipeline file's problems, each at its JSON path (and line) */
  file?: string;
  problems?: { path: string; message: string; line?: number; column?: number }[];
}

export function errorData(e: unknown): ErrorData | undefined {
  if (!(e instanceof SdsError)) return undefined;
  const config = e as SdsError & Pick<ErrorData, 'file' | 'problems'>;
  return { reason: e.reason, ...(e instanceof MissingModelError ? { model: e.model } : {}), ...(e instanceof LockHeldError ? { holder: e.holder } : {}),
    ...(config.problems ? { file: config.file, problems: config.problems } : {}) };
}

/**
 * Errors with a typed reason, so callers (the CLI's exit code, the host's JSON-RPC reply, the extension's offer of a
 * fix) decide by `reason`, never by matching message text.
 */
export type ErrorReason = 'usage' | 'locked';

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

export const reasonOf = (e: unknown): ErrorReason | undefined => (e instanceof SdsError ? e.reason : undefined);

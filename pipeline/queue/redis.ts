import { OptionError } from '../errors';
import { pipelineStages } from '../stages/commandKit';

// Where the queue lives and what its parts are called: one BullMQ queue per pipeline stage (`sds-segment`), so a
// worker can take some stages only (`sds worker --stages segment`), and the keys `sds cancel` sets.

export interface Connection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** BullMQ's workers block on Redis: every command waits for a reconnection instead of failing */
  maxRetriesPerRequest: null;
  enableOfflineQueue: true;
  retryStrategy: (times: number) => number;
}

/** `redis://[user:password@]host[:port][/db]` as BullMQ's connection options (it reconnects for ever, backing off to 2 s). */
export function connectionOf(url: string): Connection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OptionError(`--queue: "${url}" is not a Redis URL (redis://host:6379/0)`);
  }
  if (u.protocol !== 'redis:') throw new OptionError(`--queue: "${url}" is not a redis:// URL`);
  const db = u.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db)) throw new OptionError(`--queue: "${url}": the database is a number (redis://host:6379/0)`);
  return {
    host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), db: Number(db || 0),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}), ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: (times) => Math.min(200 * times, 2000),
  };
}

/** The stages that have a queue: the per-source ones, by their sds.json names. */
export const queuedStages = (): string[] => [...pipelineStages()].filter(([, d]) => d.pipeline.scope === 'source').map(([name]) => name);

/** The queue of a stage's jobs, by the stage's name in sds.json (a second clean's jobs go to `sds-clean` too). */
export const queueOf = (stage: string) => `sds-${stage}`;

/** Set by `sds cancel`: jobs enqueued before this time (ms) are not started. */
export const CANCEL_BEFORE_KEY = 'sds:cancel-before';
/** Set by a coordinator stopped with Ctrl+C: its run's jobs are not started. */
export const cancelKey = (run: string) => `sds:cancel:${run}`;

/** What a job carries: the pipeline file (workers read it from the shared folder), the stage and the source. */
export interface JobData {
  config: string;
  key: string;
  stage: string;
  source: string;
  /** the coordinator's run, and when it enqueued the job (cancellation) */
  run: string;
  enqueued: number;
}

/** What a finished job says back to the coordinator. */
export interface JobResult {
  processed: number;
  skipped: number;
  seconds: number;
}

import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Parent -> worker: one request. Worker -> parent: readiness, logs, and each request's answer. */
export type PoolRequest<Q> = { id: number; req: Q };
export type PoolReply<R> =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string } // could not start
  | { kind: 'log'; message: string }
  | { kind: 'result'; id: number; value: R }
  | { kind: 'error'; id: number; message: string };

/** The environment variable a pool worker finds its settings in. */
export const POOL_DATA_ENV = 'SDS_POOL_WORKER';

/**
 * Worker processes answering requests one at a time each: for model stages whose onnxruntime `session.run` is
 * synchronous on Node's main thread, so that one process uses one core's worth whatever its thread count. A worker
 * is the bundle `<name>.js` beside the running bundle in dist/, or, run from the sources (tests, bench), `<name>.ts`
 * beside `fromDir` through tsx. Each gets SDS_ORT_THREADS=1 and single-threaded GC.
 */
export class ProcessPool<Q, R> {
  /** requests in flight per started worker */
  private readonly load = new Map<ChildProcess, number>();
  private readonly waiting: ((w: ChildProcess | undefined) => void)[] = [];
  private readonly pending = new Map<number, { resolve: (v: R) => void; reject: (e: Error) => void }>();
  private readonly workers: ChildProcess[] = [];
  private nextId = 0;
  private broken?: Error;

  private constructor(private readonly perWorker: number) {}

  /**
   * `signal`: a cancelled run ends the workers, and what they held or waited for fails as cancelled. `perWorker`:
   * requests a worker is given at once (a worker that batches concurrent requests, as DTLN's does, wants several).
   */
  static async start<Q, R>(name: string, fromDir: string, count: number, data: unknown, log?: (m: string) => void, signal?: AbortSignal, perWorker = 1): Promise<ProcessPool<Q, R>> {
    const pool = new ProcessPool<Q, R>(perWorker);
    signal?.addEventListener('abort', () => void pool.close(), { once: true });
    const ts = path.join(fromDir, `${name}.ts`);
    const fromSource = __filename.endsWith('.ts') && fs.existsSync(ts);
    const started = Array.from({ length: count }, () => new Promise<void>((resolve, reject) => {
      const w = fork(fromSource ? ts : path.join(__dirname, `${name}.js`), [], {
        execArgv: [...(fromSource ? ['--import', 'tsx'] : []), '--single-threaded-gc'],
        env: { ...process.env, SDS_ORT_THREADS: '1', [POOL_DATA_ENV]: JSON.stringify(data) },
        // stdout is the host process's JSON-RPC channel: nothing of the worker's may reach it
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      pool.workers.push(w);
      w.on('message', (m: PoolReply<R>) => {
        if (m.kind === 'log') return log?.(m.message);
        if (m.kind === 'ready') {
          pool.load.set(w, 0);
          pool.handOut();
          return resolve();
        }
        if (m.kind === 'failed') return reject(new Error(m.message));
        const p = pool.pending.get(m.id);
        pool.pending.delete(m.id);
        pool.release(w);
        if (m.kind === 'result') p?.resolve(m.value);
        else p?.reject(new Error(m.message));
      });
      w.on('exit', (code, signal) => {
        const e = new Error(`${name} worker stopped (${signal ?? `exit ${code}`})`);
        reject(e);
        pool.fail(e);
      });
    }));
    try {
      await Promise.all(started);
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  private release(w: ChildProcess): void {
    this.load.set(w, (this.load.get(w) ?? 1) - 1);
    this.handOut();
  }

  /** The started worker with the fewest requests in flight, if it can take one more. */
  private leastLoaded(): ChildProcess | undefined {
    let best: ChildProcess | undefined;
    for (const [w, n] of this.load) if (n < this.perWorker && (!best || n < this.load.get(best)!)) best = w;
    return best;
  }

  /** Gives free capacity to requests waiting for it, least-loaded worker first. */
  private handOut(): void {
    for (let w = this.leastLoaded(); w && this.waiting.length; w = this.leastLoaded()) {
      this.load.set(w, this.load.get(w)! + 1);
      this.waiting.shift()!(w);
    }
  }

  /** A worker gone while in use fails what it held and what waits: the stage reports them, nothing hangs. */
  private fail(e: Error): void {
    if (this.closing) return;
    this.broken = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Answers `req` on the next free worker. */
  async run(req: Q): Promise<R> {
    if (this.broken) throw this.broken;
    if (this.closing) throw new Error('cancelled');
    const free = this.leastLoaded();
    if (free) this.load.set(free, this.load.get(free)! + 1);
    const w = free ?? (await new Promise<ChildProcess | undefined>((resolve) => this.waiting.push(resolve)));
    if (!w) throw new Error('cancelled');
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.send({ id, req } satisfies PoolRequest<Q>);
    });
  }

  private closing = false;

  /** Ends every worker and waits until they have gone; what was in flight or waiting fails as cancelled (a run aborted). */
  async close(): Promise<void> {
    this.closing = true;
    const cancelled = new Error('cancelled');
    for (const p of this.pending.values()) p.reject(cancelled);
    this.pending.clear();
    for (const next of this.waiting.splice(0)) next(undefined);
    await Promise.all(this.workers.map((w) => {
      if (w.pid === undefined || w.exitCode !== null || w.signalCode !== null) return undefined;
      const gone = new Promise((resolve) => w.once('exit', resolve));
      w.kill();
      return gone;
    }));
  }
}

/** The worker's side: `open` once (its failure is reported, then the process ends), then each request answered in turn. */
export function serveRequests<D, Q, R>(open: (data: D, log: (m: string) => void) => Promise<(req: Q) => Promise<R>>): void {
  const data = JSON.parse(process.env[POOL_DATA_ENV] ?? '{}') as D;
  const send = (m: PoolReply<R>, sent: () => void = () => undefined) => process.send!(m, sent);
  const handler = open(data, (message) => send({ kind: 'log', message }));
  handler.then(() => send({ kind: 'ready' }), (e) => send({ kind: 'failed', message: (e as Error).message }, () => process.disconnect()));
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m: PoolRequest<Q>) => {
    try {
      send({ kind: 'result', id: m.id, value: await (await handler)(m.req) });
    } catch (e) {
      send({ kind: 'error', id: m.id, message: (e as Error).message });
    }
  });
}

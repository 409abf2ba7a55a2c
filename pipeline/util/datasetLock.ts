import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LockHeldError, type LockInfo } from '../errors';
import { pidAlive } from './atomic';

/** One writer per dataset: what holds `<dataset>/.sds/lock` until `release()`. */
export interface DatasetLock {
  release(): void;
  /** the dead holder whose lock this one replaced, when there was one */
  tookOver?: LockInfo;
}

export interface LockOptions {
  /** wait for the holder instead of failing at once */
  wait?: boolean;
  signal?: AbortSignal;
  /** told of a lock taken over from a holder that is gone */
  log?: (m: string) => void;
  /** told once when the request has to wait, with who it waits for (the one report of a wait) */
  onWait?: (holder: string) => void;
  pollMs?: number;
}

export const lockFile = (dir: string) => path.join(dir, '.sds', 'lock');

/** Holders inside this process (the host runs one request after another per dataset): dataset -> its queue's tail. */
const inProcess = new Map<string, { info: LockInfo; tail: Promise<void> }>();

/**
 * Takes the dataset's lock for `command`. Another process holding it: LockHeldError naming it (or, with `wait`, a
 * wait until it is gone). A lock left by a process that no longer runs on this host is taken over (`tookOver`).
 * Within one process, a second request for the same dataset queues behind the first when `wait` is set.
 */
export async function lockDataset(dir: string, command: string, opts: LockOptions = {}): Promise<DatasetLock> {
  const key = path.resolve(dir);
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), command, started: new Date().toISOString() };
  const held = inProcess.get(key);
  let releaseLocal!: () => void;
  const turn = new Promise<void>((r) => (releaseLocal = r));
  if (held && !opts.wait) throw new LockHeldError(heldMessage(dir, held.info), held.info);
  const before = held?.tail ?? Promise.resolve();
  inProcess.set(key, { info: mine, tail: before.then(() => turn) });
  try {
    if (held) {
      opts.onWait?.(`"${held.info.command}"`);
      await untilAborted(before, opts.signal);
    }
    const tookOver = await takeFile(dir, mine, opts);
    let released = false;
    const onExit = () => removeIfOurs(lockFile(dir), mine);
    process.once('exit', onExit);
    return {
      tookOver,
      release: () => {
        if (released) return;
        released = true;
        process.removeListener('exit', onExit);
        removeIfOurs(lockFile(dir), mine);
        if (inProcess.get(key)?.info === mine) inProcess.delete(key);
        releaseLocal();
      },
    };
  } catch (e) {
    if (inProcess.get(key)?.info === mine) inProcess.delete(key);
    releaseLocal();
    throw e;
  }
}

/** `p`, or the signal's reason as soon as it aborts (a queued command that is cancelled leaves the queue at once). */
function untilAborted(p: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => (signal.removeEventListener('abort', onAbort), resolve()));
  });
}

async function takeFile(dir: string, mine: LockInfo, opts: LockOptions): Promise<LockInfo | undefined> {
  const file = lockFile(dir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let tookOver: LockInfo | undefined;
  let told = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    // written whole under a temp name, then linked: a reader never sees a half-written lock, and link fails if one exists
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
    fs.writeFileSync(tmp, JSON.stringify(mine) + '\n');
    try {
      fs.linkSync(tmp, file);
      return tookOver;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const { info, text } = readHolder(file);
    if (info === undefined && text === undefined) continue; // released in between
    if (isStale(file, info)) {
      if (removeIfSame(file, text!)) {
        tookOver = info ?? { pid: 0, host: '?', command: 'unreadable lock', started: '?' };
        opts.log?.(`${dir}: took over the lock of ${describe(tookOver)}, which is no longer running`);
      }
      continue;
    }
    if (!opts.wait) throw new LockHeldError(heldMessage(dir, info!), info!);
    if (!told) opts.onWait?.(describe(info!));
    told = true;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
  }
}

function readHolder(file: string): { info?: LockInfo; text?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return Number.isInteger(info.pid) ? { info, text } : { text };
  } catch {
    return { text };
  }
}

/** Dead on this host, or a lock nobody can read that has sat there a while; another host's holder is never judged. */
function isStale(file: string, info: LockInfo | undefined): boolean {
  if (!info) {
    try {
      return Date.now() - fs.statSync(file).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
  if (info.host !== os.hostname()) return false;
  // our own pid with no holder of ours in this process: a recycled pid from an earlier run
  if (info.pid === process.pid) return ![...inProcess.values()].some((h) => h.info.pid === info.pid && h.info.started === info.started);
  return !pidAlive(info.pid);
}

/** Removes the lock only while it still says `text` (never a lock another taker has just written). */
function removeIfSame(file: string, text: string): boolean {
  const aside = `${file}.stale.${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return false;
  }
  if (fs.readFileSync(aside, 'utf8') === text) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  // it changed hands between our read and the rename: put it back
  try {
    fs.linkSync(aside, file);
  } catch {
    /* a third taker got there: theirs stands */
  }
  fs.rmSync(aside, { force: true });
  return false;
}

function removeIfOurs(file: string, mine: LockInfo): void {
  const { info } = readHolder(file);
  if (info && info.pid === mine.pid && info.started === mine.started && info.host === mine.host) fs.rmSync(file, { force: true });
}

const describe = (h: LockInfo) => `"${h.command}" (pid ${h.pid} on ${h.host}, since ${h.started})`;

function heldMessage(dir: string, h: LockInfo): string {
  return `${dir} is being written by ${describe(h)}; wait for it to finish, or pass --wait to queue behind it`;
}

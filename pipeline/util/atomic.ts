import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** This machine in a temp file's name: workers on other hosts share the dataset folder, and their pids mean nothing here. */
const HOST = os.hostname().toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 40) || 'host';

/** A temp name beside the target, so the final rename stays on one filesystem and is atomic. */
export function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}@${HOST}.${Math.random().toString(36).slice(2, 8)}.tmp`);
}

/** Writes via temp file + rename: readers (and a rerun after kill -9) see the old file or the new one, never half. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPath(target);
  try {
    await fs.promises.writeFile(tmp, data);
    await fs.promises.rename(tmp, target);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

/** Runs `produce(tmp)` and renames its output into place only when it succeeds. */
export async function produceAtomic(target: string, produce: (tmp: string) => Promise<void>): Promise<void> {
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPath(target);
  try {
    await produce(tmp);
    await fs.promises.rename(tmp, target);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

// `.name.pid@host.rand.tmp`; older versions wrote no host (theirs are this machine's)
const TEMP = /^\..+\.(\d+)(?:@([a-z0-9-]+))?\.[a-z0-9]+\.tmp$/;

/**
 * Removes temp files left by a killed run (their writer's pid is gone), so a rerun starts clean. Only this host's:
 * another machine's writer may be alive.
 */
export function cleanStaleTemps(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const m = TEMP.exec(e.name);
    if (!e.isFile() || !m || (m[2] !== undefined && m[2] !== HOST) || pidAlive(Number(m[1]))) continue;
    fs.rmSync(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name), { force: true });
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

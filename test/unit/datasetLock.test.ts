import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { test } from 'node:test';
import { LockHeldError } from '../../pipeline/errors';
import { lockDataset, lockFile } from '../../pipeline/util/datasetLock';
import { tmpDir } from '../helpers';

test('in one process a second writer is refused, or with wait runs after the first releases', async () => {
  const dir = tmpDir('sds-lock-');
  const first = await lockDataset(dir, 'slice');
  const info = JSON.parse(fs.readFileSync(lockFile(dir), 'utf8'));
  assert.deepEqual([info.pid, info.host, info.command], [process.pid, os.hostname(), 'slice']);
  await assert.rejects(lockDataset(dir, 'clean'), (e: unknown) => e instanceof LockHeldError && e.reason === 'locked' && /"slice" \(pid \d+/.test(e.message));
  const order: string[] = [];
  const queued = lockDataset(dir, 'tone classify', { wait: true }).then((l) => (order.push('second'), l));
  await new Promise((r) => setImmediate(r));
  order.push('first done');
  first.release();
  const second = await queued;
  assert.deepEqual(order, ['first done', 'second']);
  assert.equal(JSON.parse(fs.readFileSync(lockFile(dir), 'utf8')).command, 'tone classify');
  // a queued request that is cancelled leaves the queue; the one behind it still gets its turn
  const abort = new AbortController();
  const cancelled = lockDataset(dir, 'speaker score', { wait: true, signal: abort.signal });
  const third = lockDataset(dir, 'export', { wait: true });
  abort.abort(new Error('cancelled'));
  await assert.rejects(cancelled, /cancelled/);
  second.release();
  (await third).release();
  assert.ok(!fs.existsSync(lockFile(dir)));
});

test('a live holder in another process is named; a dead one on this host is taken over; another host is never judged', async () => {
  const dir = tmpDir('sds-lock-');
  fs.mkdirSync(`${dir}/.sds`);
  const sleeper = spawn('sleep', ['30']);
  try {
    fs.writeFileSync(lockFile(dir), JSON.stringify({ pid: sleeper.pid, host: os.hostname(), command: 'sds segment x', started: 't0' }));
    await assert.rejects(lockDataset(dir, 'slice'), /is being written by "sds segment x" \(pid \d+ on .*, since t0\)/);
    let waited = false;
    const waiting = lockDataset(dir, 'slice', { wait: true, pollMs: 20, onWait: () => (waited = true) });
    await new Promise((r) => setTimeout(r, 100));
    sleeper.kill('SIGKILL');
    const l = await waiting;
    assert.ok(waited, 'it said it was waiting');
    assert.equal(l.tookOver?.command, 'sds segment x', 'the killed holder left its lock, which is taken over');
    l.release();
  } finally {
    sleeper.kill('SIGKILL');
  }
  const dead = spawnSync('true').pid!;
  fs.writeFileSync(lockFile(dir), JSON.stringify({ pid: dead, host: 'another-machine', command: 'sds clean', started: 't1' }));
  await assert.rejects(lockDataset(dir, 'slice'), /"sds clean" \(pid \d+ on another-machine/);
});

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, fixture, sds, tmpDir } from '../helpers';

// Scaling out (docs/scale.md): shards and queue workers build the same dataset, byte for byte, as one process.

const READERS = fs.readdirSync(fixture('librispeech')).filter((f) => f.endsWith('.flac')).sort();
const STAMP = new Date('2026-01-01T00:00:00Z');

/** 20 sources (the four LibriSpeech readers under five names each) and an sds.json segmenting to an export. */
export function scaleProject(prefix: string, sources = 20): { dir: string; ds: string; config: string } {
  const dir = tmpDir(prefix);
  fs.mkdirSync(path.join(dir, 'rec'));
  for (let i = 0; i < sources; i++) {
    const file = path.join(dir, 'rec', `take${String.fromCharCode(97 + Math.floor(i / READERS.length))}-${READERS[i % READERS.length]}`);
    fs.copyFileSync(fixture('librispeech', READERS[i % READERS.length]), file);
    fs.utimesSync(file, STAMP, STAMP); // the same time stamps in every project: sources.csv records them
  }
  const config = path.join(dir, 'sds.json');
  fs.writeFileSync(config, JSON.stringify({ dataset: 'ds', inputs: ['rec'], stages: [
    { stage: 'segment', options: { 'gender-method': 'pitch' } },
    { stage: 'slice', options: { labels: ['male', 'female'], min: 1, max: 8 } },
    { stage: 'clean', options: { preset: 'seed' } },
    { stage: 'lint' },
    { stage: 'export', options: { format: 'ljspeech' } },
  ] }, null, 2));
  return { dir, ds: path.join(dir, 'ds'), config };
}

/** Every file of a dataset (its bookkeeping under .sds left out) by relative path, its text with the project's folder named `<root>`. */
export function contents(p: { dir: string; ds: string }): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(p.ds, { recursive: true, withFileTypes: true })) {
    const abs = path.join(e.parentPath, e.name);
    const rel = path.relative(p.ds, abs);
    if (!e.isFile() || rel.startsWith('.sds')) continue;
    const bytes = fs.readFileSync(abs);
    out.set(rel, /\.(csv|html|txt|json|tsv)$/.test(rel) ? bytes.toString('utf8').split(p.dir).join('<root>') : createHash('sha256').update(bytes).digest('hex'));
  }
  return out;
}

export function assertSameDataset(got: Map<string, string>, want: Map<string, string>): void {
  const differ = [...new Set([...got.keys(), ...want.keys()])].filter((k) => got.get(k) !== want.get(k)).sort();
  assert.deepEqual(differ, [], `files that differ from the one-process run: ${differ.join(', ')}`);
  assert.ok(want.has('clips.csv') && want.has('sources.csv') && [...want.keys()].some((k) => k.startsWith('clean/')), 'the reference has tables and cleaned clips');
}

let reference: Map<string, string> | undefined;
/** The dataset one `sds run` builds from the same project (built once for every test here). */
export function oneProcess(): Map<string, string> {
  if (reference) return reference;
  const p = scaleProject('sds-scale-one-');
  const r = sds('run', '--config', p.config, '-q');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return (reference = contents(p));
}

test('sds run --shard 0/3, 1/3, 2/3 one after the other, then sds merge: the dataset one process builds', () => {
  const want = oneProcess();
  const p = scaleProject('sds-scale-shards-');
  const done: number[] = [];
  for (const i of [0, 1, 2]) {
    const r = sds('run', '--config', p.config, '--shard', `${i}/3`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    done.push(Number(/segment: (\d+) processed/.exec(r.stdout)?.[1] ?? 0));
    assert.match(r.stdout, /lint: .*\n\s+left to sds merge/);
    assert.ok(!fs.existsSync(path.join(p.ds, 'clips.csv')) && !fs.existsSync(path.join(p.ds, 'sources.csv')), 'a shard writes no table');
  }
  assert.equal(done.reduce((a, b) => a + b, 0), 20, `each source segmented by one shard: ${done}`);
  assert.ok(done.every((n) => n > 0), `every shard had work: ${done}`);
  const m = sds('merge', p.ds);
  assert.equal(m.status, 0, m.stdout + m.stderr);
  assert.match(m.stdout, /merge: 20 processed/);
  for (const s of ['segment', 'slice', 'clean']) assert.match(m.stdout, new RegExp(`${s}: 0 processed, 20 up to date`), `the shards did ${s}`);
  assert.match(m.stdout, /export: \d+ processed/);
  assertSameDataset(contents(p), want);
  assert.ok(!fs.existsSync(path.join(p.ds, '.sds', 'rows')) || !fs.readdirSync(path.join(p.ds, '.sds', 'rows'), { recursive: true }).some((f) => String(f).endsWith('.json')), 'every row file folded');

  // the shards' run again finds nothing to do, and a plain run after the merge neither
  const again = sds('run', '--config', p.config);
  assert.equal(again.status, 0, again.stderr);
  for (const s of ['segment', 'slice', 'clean']) assert.match(again.stdout, new RegExp(`${s}: 0 processed, 20 up to date`));
});

test('sds run --shard reads a Slurm array task or a Kubernetes Indexed Job from the environment', () => {
  const p = scaleProject('sds-scale-env-', 4);
  const plain = sds('run', '--config', p.config, '--dry-run');
  assert.equal(plain.status, 0, plain.stderr);
  const env = (e: Record<string, string>) => spawnSds(['run', '--config', p.config], e);
  const k8s = env({ JOB_COMPLETION_INDEX: '0' });
  assert.equal(k8s.status, 2, 'an Indexed Job without SDS_SHARD_COUNT is refused before anything runs');
  assert.match(k8s.stderr, /SDS_SHARD_COUNT is not/);
  const total = [1, 2].map((task) => env({ SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '2' }))
    .map((r) => {
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /shard [01]\/2/);
      return Number(/segment: (\d+) processed/.exec(r.stdout)?.[1] ?? 0);
    });
  assert.equal(total[0] + total[1], 4);
  assert.ok(!fs.existsSync(path.join(p.ds, 'clips.csv')));
});

const spawnSds = (args: string[], env: Record<string, string>) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

// --- queue mode: a real redis-server (Debian's), real BullMQ workers as separate processes ---

interface Redis {
  url: string;
  port: number;
  dir: string;
  proc: ChildProcess;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Until `ok()` holds, checked every 50 ms (a condition, not a sleep: a busy machine only makes it slower). */
async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pong = (port: number) => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';

/** redis-server on 127.0.0.1 at a free port, in its own folder, with the append-only file on (as a queue's Redis should be). */
async function startRedis(at?: { port: number; dir: string }): Promise<Redis> {
  const port = at?.port ?? (await freePort());
  const dir = at?.dir ?? tmpDir('sds-redis-');
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
  await until(`redis-server on port ${port}`, () => pong(port), 20_000);
  return { url: `redis://127.0.0.1:${port}/0`, port, dir, proc };
}

async function stopRedis(r: Redis): Promise<void> {
  if (r.proc.exitCode !== null) return;
  const exited = new Promise((res) => r.proc.once('exit', res));
  r.proc.kill('SIGTERM');
  await exited;
}

/** A CLI process run in the background, its output collected as it comes. */
interface Running {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number>;
}

function start(args: string[], cwd?: string): Running {
  const proc = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  proc.stdout!.on('data', (d) => (text += d));
  proc.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number>((res) => proc.once('exit', (code, sig) => res(code ?? (sig ? 128 : 1))));
  return { proc, out: () => text, exited };
}

const worker = (r: Redis) => start(['worker', '--queue', r.url, '--stall-seconds', '3']);
const count = (text: string, re: RegExp) => (text.match(new RegExp(re, 'g')) ?? []).length;

/** What a queue test runs on: its own Redis, a 20-source project and `n` workers, all stopped after the test. */
interface Rig {
  redis: Redis;
  p: { dir: string; ds: string; config: string };
  workers: Running[];
  /** the one-process dataset of the same project */
  want: Map<string, string>;
  /** starts the coordinator: `sds run --config ... --queue ...` and `extra` */
  coordinator: (...extra: string[]) => Running;
}

async function onQueue(prefix: string, n: number, body: (rig: Rig) => Promise<void>): Promise<void> {
  const want = oneProcess();
  const rig: Rig = { redis: await startRedis(), p: scaleProject(prefix), workers: [], want, coordinator: (...extra) => start(['run', '--config', rig.p.config, '--queue', rig.redis.url, ...extra]) };
  rig.workers = Array.from({ length: n }, () => worker(rig.redis));
  try {
    await body(rig);
  } finally {
    for (const w of rig.workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGINT');
    await Promise.all(rig.workers.map((w) => w.exited));
    await stopRedis(rig.redis);
  }
}

test('queue: a coordinator and 3 workers on 20 sources, one worker killed -9 mid-job twice: everything finishes, byte for byte the one-process dataset', { timeout: 300_000 }, () =>
  onQueue('sds-scale-queue-', 3, async ({ redis, p, workers, want, coordinator: run }) => {
    const coordinator = run();
    // kill -9 a worker in the middle of a job, then another one in the middle of its next
    for (const victim of [workers[0], workers[1]]) {
      const seen = count(victim.out(), /: started/);
      await until('a worker to start a job', () => count(victim.out(), /: started/) > seen && !/done in/.test(victim.out().split(/: started/).pop()!));
      victim.proc.kill('SIGKILL');
      await victim.exited;
      workers.push(worker(redis));
    }
    const code = await coordinator.exited;
    assert.equal(code, 0, coordinator.out());
    assert.match(coordinator.out(), /segment: 20 processed, 0 up to date, 0 failed/);
    assert.match(coordinator.out(), /merge: 20 processed/);
    assertSameDataset(contents(p), want);
    // the killed workers' jobs ran again elsewhere (BullMQ's stalled-job check), each job done once in the end
    const status = sds('status', '--config', p.config, '--queue', redis.url);
    assert.equal(status.status, 0, status.stdout + status.stderr);
    for (const s of ['segment', 'slice', 'clean']) assert.match(status.stdout, new RegExp(`${s}: 0 waiting, 0 waiting for an earlier stage, 0 active, 20 done, 0 failed`));
  }));

test('queue: Redis stopped and started again mid-run: workers and coordinator reconnect, nothing lost or duplicated', { timeout: 300_000 }, () =>
  onQueue('sds-scale-redis-', 2, async (rig) => {
    const coordinator = rig.coordinator();
    await until('a few jobs done', () => rig.workers.reduce((n, w) => n + count(w.out(), /done in/), 0) >= 6);
    await stopRedis(rig.redis);
    assert.ok(!pong(rig.redis.port), 'Redis is down');
    rig.redis = await startRedis(rig.redis);
    const code = await coordinator.exited;
    assert.equal(code, 0, coordinator.out());
    assert.match(coordinator.out(), /merge: 20 processed/);
    assertSameDataset(contents(rig.p), rig.want);
  }));

test('queue: a truncated file fails its stage after its attempts, is named by sds status, and the other 20 finish', { timeout: 300_000 }, () =>
  onQueue('sds-scale-poison-', 2, async ({ redis, p, workers, want, coordinator: run }) => {
    const poison = path.join(p.dir, 'rec', 'zz-truncated.flac');
    fs.writeFileSync(poison, fs.readFileSync(fixture('librispeech', READERS[0])).subarray(0, 300));
    const coordinator = run('--attempts', '2');
    const code = await coordinator.exited;
    assert.equal(code, 1, 'a failed file: exit 1');
    assert.match(coordinator.out(), /segment: 20 processed, 0 up to date, 1 failed/);
    assert.match(coordinator.out(), /zz-truncated\.flac: .*\(after 2 attempts\)/);
    assert.equal(contents(p).get('clips.csv'), want.get('clips.csv'), 'the other sources\' clips, as one process cuts them');
    const status = sds('status', '--queue', redis.url);
    assert.match(status.stdout, /segment: .*1 failed/);
    assert.match(status.stdout + status.stderr, /0021_zz_truncated.*segment: .*zz-truncated\.flac/s);
    assert.equal(count(workers.map((w) => w.out()).join('\n'), /segment 0021_zz_truncated: started/), 2, 'tried twice, then failed for good');
  }));

const STOPS: { how: string; stop: (coordinator: Running, redis: Redis) => void; said: RegExp }[] = [
  { how: 'sds cancel', said: /sds cancel: (\d+) of 20 sources finished, and are in the tables/, stop: (_c, redis) => {
    const c = sds('cancel', '--queue', redis.url);
    assert.equal(c.status, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /waiting jobs dropped/);
  } },
  { how: 'Ctrl+C on the coordinator', said: /stopped \(Ctrl\+C\)[^\n]*: (\d+) of 20 sources finished, and are in the tables/, stop: (c) => c.proc.kill('SIGINT') },
];

for (const way of STOPS) {
  test(`queue: ${way.how} mid-run drops the jobs not started; the coordinator folds what finished, releases the lock and stops; the next run goes on to the one-process dataset`, { timeout: 300_000 }, () =>
    onQueue('sds-scale-stop-', 1, async ({ redis, p, workers, want, coordinator: run }) => {
      const coordinator = run();
      await until('a few jobs done', () => count(workers[0].out(), /done in/) >= 4);
      way.stop(coordinator, redis);
      assert.equal(await coordinator.exited, 1, coordinator.out());
      const finished = Number(way.said.exec(coordinator.out())?.[1]);
      assert.ok(finished < 20, `stopped before the end (${finished} finished): ${coordinator.out()}`);
      assert.ok(!fs.existsSync(path.join(p.ds, '.sds', 'lock')), 'the dataset lock is released');
      // what finished is in the tables; the rest was never started
      const clips = fs.readFileSync(path.join(p.ds, 'clips.csv'), 'utf8');
      assert.ok(new Set([...clips.matchAll(/^clips\/\w+\/(\d{4}_[a-z0-9_]+)_\d{4}\.wav/gm)].map((m) => m[1])).size < 20);
      const again = run();
      assert.equal(await again.exited, 0, again.out());
      assertSameDataset(contents(p), want);
    }));
}

/**
 * Queue mode (`sds run --queue`, `sds worker`), part of `npm run bench`, on a real redis-server started here:
 * 1. throughput of BENCH_QUEUE_SOURCES (8) sources of BENCH_QUEUE_MINUTES (3) minutes each, segment + slice (the
 *    segmentation-bound part of a pipeline), with 1 worker and with 2: x real time of each and the ratio;
 * 2. queue overhead per job: from one job's end to the same worker's next start (fetch, lock, the pipeline file read),
 *    and from the enqueue to the first job's start;
 * 3. Redis memory per queued job: used_memory before and after the coordinator enqueues, no worker running yet.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { queueOf } from '../pipeline/queue/redis';
import { buildLong, OUT, ROOT } from './benchAudio';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const SOURCES = Number(process.env.BENCH_QUEUE_SOURCES ?? 8);
const MINUTES = Number(process.env.BENCH_QUEUE_MINUTES ?? 3);
const STAGES = ['segment', 'slice'];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const redisCli = (port: number, ...args: string[]) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout;
const usedMemory = (port: number) => Number(/used_memory:(\d+)/.exec(redisCli(port, 'info', 'memory'))?.[1] ?? NaN);

async function until(ok: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > 600_000) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function project(name: string): string {
  const dir = path.join(OUT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'rec'), { recursive: true });
  const long = buildLong(MINUTES);
  for (let i = 0; i < SOURCES; i++) fs.linkSync(long, path.join(dir, 'rec', `programme-${i}.wav`));
  const config = path.join(dir, 'sds.json');
  fs.writeFileSync(config, JSON.stringify({ dataset: 'ds', inputs: ['rec'], stages: [{ stage: 'segment' }, { stage: 'slice', options: { labels: ['male', 'female'], min: 1.5 } }] }));
  return config;
}

const started = (args: string[]): ChildProcess => spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
/** A process whose log lines are kept, not shown. */
function startedQuietly(args: string[]): { proc: ChildProcess; said: () => string } {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  proc.stderr!.on('data', (d) => (text += d));
  return { proc, said: () => text };
}
const exited = (p: ChildProcess) => new Promise<number>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c ?? 1))));

interface Timing { wall: number; gaps: number[]; firstStart: number; perJobKb: number; instanceKb: number; /** a job's creation to its start, the least over the first stage's jobs */ latency: number }

async function runWith(workers: number, port: number, threads?: number, workersFirst = false): Promise<Timing> {
  console.error(`queue bench: ${workers} worker(s), threads ${threads ?? 'default'}${workersFirst ? ', started before the enqueue' : ''}`);
  const url = `redis://127.0.0.1:${port}/0`;
  redisCli(port, 'flushall');
  const config = project(`queue-${workers}w${threads ?? ''}${workersFirst ? 'first' : ''}`);
  const workerArgs = ['worker', '--queue', url, ...(threads ? ['--threads', String(threads)] : [])];
  const early = workersFirst ? Array.from({ length: workers }, () => startedQuietly(workerArgs)) : [];
  // idle workers waiting on the queues: each has said so (its first line)
  if (workersFirst) await until(() => early.every((w) => w.said().includes('sds worker:')), 'the workers to start');
  const before = usedMemory(port);
  const t0 = Date.now();
  const coordinator = started(['run', '--config', config, '--queue', url, '-q']);
  // enqueued, no worker yet: Redis holds every job of the run
  const jobs = SOURCES * STAGES.length;
  if (!workersFirst) await until(() => {
    if (coordinator.exitCode !== null) throw new Error(`the coordinator stopped before enqueuing (exit ${coordinator.exitCode})`);
    return Number(redisCli(port, 'llen', `bull:${queueOf('segment')}:wait`)) === SOURCES;
  }, 'the coordinator to enqueue');
  // what the run's keys take (MEMORY USAGE of each), per job: the connections' buffers left out
  const keys = redisCli(port, '--scan', '--pattern', 'bull:*').split('\n').filter(Boolean);
  const bytes = keys.reduce((a, k) => a + Number(redisCli(port, 'memory', 'usage', k).trim() || 0), 0);
  const perJobKb = bytes / jobs / 1024;
  const instanceKb = (usedMemory(port) - before) / jobs / 1024;
  const ws = workersFirst ? early.map((w) => w.proc) : Array.from({ length: workers }, () => started([...workerArgs, '-q']));
  if ((await exited(coordinator)) !== 0) throw new Error('the coordinator failed');
  const wall = (Date.now() - t0) / 1000;
  for (const w of ws) w.kill('SIGINT');
  await Promise.all(ws.map(exited));
  // each job's start and end, from BullMQ's own records
  const done: { on: number; end: number; by: string; stage: string; created: number }[] = [];
  for (const s of STAGES) {
    const q = new Queue(queueOf(s), { connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null } });
    for (const j of await q.getCompleted(0, -1)) done.push({ on: j.processedOn!, end: j.finishedOn!, by: j.processedBy ?? '?', stage: s, created: j.timestamp });
    await q.close();
  }
  const gaps: number[] = [];
  for (const by of new Set(done.map((d) => d.by))) {
    const mine = done.filter((d) => d.by === by).sort((a, b) => a.on - b.on);
    for (let i = 1; i < mine.length; i++) gaps.push(mine[i].on - mine[i - 1].end);
  }
  return { wall, gaps, firstStart: Math.min(...done.map((d) => d.on)) - t0, perJobKb, instanceKb, latency: Math.min(...done.filter((d) => d.stage === STAGES[0]).map((d) => d.on - d.created)) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('\n(queue bench skipped: no redis-server; bash scripts/setup.sh installs it)');
    return;
  }
  spawnSync(process.execPath, [path.join(ROOT, 'build.mjs')], { stdio: 'ignore' });
  const port = await freePort();
  fs.mkdirSync(OUT, { recursive: true });
  const dir = fs.mkdtempSync(path.join(OUT, 'redis-'));
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
  try {
    await until(() => redisCli(port, 'ping').trim() === 'PONG', 'redis-server');
    const audio = SOURCES * MINUTES * 60;
    // one thread per worker: what each added worker (or core) brings; then one worker with every core's thread
    const one = await runWith(1, port, 1);
    const two = await runWith(2, port, 1);
    const whole = await runWith(1, port);
    const waiting = await runWith(2, port, 1, true);
    const x = (t: Timing) => `${(audio / t.wall).toFixed(0)}x real time (${t.wall.toFixed(1)} s)`;
    console.log(`\n| queue mode: ${SOURCES} sources x ${MINUTES} min, segment + slice | 1 worker, --threads 1 | 2 workers, --threads 1 | 2 / 1 | 1 worker, default threads |`);
    console.log('|---|---|---|---|---|');
    console.log(`| throughput (coordinator start to tables folded) | ${x(one)} | ${x(two)} | ${(one.wall / two.wall).toFixed(2)}x | ${x(whole)} |`);
    console.log(`| queue overhead per job (one job's end to the worker's next start, median) | ${median(one.gaps).toFixed(0)} ms | ${median(two.gaps).toFixed(0)} ms | | ${median(whole.gaps).toFixed(0)} ms |`);
    console.log(`| enqueue to the first job's start (plan, enqueue, a worker process starting) | ${one.firstStart} ms | ${two.firstStart} ms | | ${whole.firstStart} ms |`);
    console.log(`| a job's creation to its start, workers idle and waiting (least over the first stage's jobs) | | ${waiting.latency} ms (${x(waiting)}) | | |`);
    console.log(`| Redis memory per queued job: its keys (MEMORY USAGE) / used_memory growth | ${one.perJobKb.toFixed(2)} / ${one.instanceKb.toFixed(2)} KB | ${two.perJobKb.toFixed(2)} / ${two.instanceKb.toFixed(2)} KB | | |`);
  } finally {
    redis.kill('SIGTERM');
    await exited(redis);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

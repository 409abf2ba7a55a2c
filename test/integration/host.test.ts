import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { HostClient } from '../../host/client';
import { parseSegmentCsv } from '../../pipeline/formats/segmentTable';
import type { ProgressEvent } from '../../pipeline/stages/types';
import { fixture, ROOT, tmpDir } from '../helpers';

const logs: string[] = [];
const client = new HostClient({ hostScript: path.join(ROOT, 'dist', 'host.js'), log: (level, m) => logs.push(`${level}: ${m}`) });
after(() => client.dispose());

test('the host process segments and slices real audio and reports progress per file', async () => {
  const out = tmpDir('sds-host-');
  const events: ProgressEvent[] = [];
  const reports = await client.runStage({ stage: 'run', inputs: [fixture('ina', 'musanmix.wav')], out }, {}, (e) => events.push(e));
  assert.deepEqual(reports.map((r) => r.stage), ['segment', 'slice', 'report'], 'a run is the pipeline of segment and slice, with its report');
  assert.ok(fs.existsSync(path.join(out, 'report.html')));
  assert.equal(reports[0].processed, 1);
  assert.equal(reports[1].failed.length, 0);
  assert.notEqual(client.pid, process.pid, 'work ran in another process');
  const segs = parseSegmentCsv(fs.readFileSync(path.join(out, 'segments', '0001_musanmix.csv'), 'utf8'));
  assert.deepEqual([...new Set(segs.map((s) => s.label))].sort(), ['male', 'music', 'noEnergy', 'noise']);
  assert.ok(events.some((e) => e.kind === 'file-progress' && e.fraction > 0 && e.fraction <= 1));
  assert.ok(events.some((e) => e.kind === 'file-done' && e.detail === '3 clips'));
  assert.ok(logs.some((l) => /execution provider (cpu|cuda)/.test(l)), logs.join('\n'));
});

/** Segments eight copies of musanmix with `jobs`, cancelling once the first file is done. */
async function segmentCancelled(jobs: number): Promise<{ dir: string; out: string }> {
  const dir = tmpDir('sds-host-cancel-');
  for (let i = 0; i < 8; i++) fs.copyFileSync(fixture('ina', 'musanmix.wav'), path.join(dir, `f${i}.wav`));
  const out = path.join(dir, 'out');
  const abort = new AbortController();
  const run = client.runStage({ stage: 'segment', inputs: [dir], out }, { jobs }, (e) => {
    if (e.kind === 'file-done' && !e.skipped) abort.abort();
  }, abort.signal);
  await assert.rejects(run, /cancel/i);
  return { dir, out };
}

test('cancelling stops the run without leaving partial files', async () => {
  const { out } = await segmentCancelled(1);
  const csvs = fs.readdirSync(path.join(out, 'segments'));
  assert.ok(csvs.length >= 1 && csvs.length < 8, `stopped early: ${csvs}`);
  assert.ok(csvs.every((f) => f.endsWith('.csv')), 'no temp files');
});

test('cancelling a run on worker processes (--jobs 2, many files) stops them too: no hang, every table written is whole', async () => {
  const { dir, out } = await segmentCancelled(2);
  const csvs = fs.readdirSync(path.join(out, 'segments')).filter((f) => f.endsWith('.csv'));
  assert.ok(csvs.length >= 1 && csvs.length < 8, `stopped early: ${csvs}`);
  for (const f of csvs) {
    const segs = parseSegmentCsv(fs.readFileSync(path.join(out, 'segments', f), 'utf8'));
    assert.ok(Math.abs(segs[segs.length - 1].stop - 74.52) < 0.05, `${f} whole`);
  }
  // the next run finishes the rest (a temp file a killed worker left is swept first)
  const reports = await client.runStage({ stage: 'segment', inputs: [dir], out }, { jobs: 2 }, () => undefined);
  assert.equal(reports[0].processed + reports[0].skipped, 8);
  assert.ok(fs.readdirSync(path.join(out, 'segments')).every((f) => f.endsWith('.csv')));
});

test('after the host crashes, the next request starts a fresh one and says so in the log', async () => {
  const before = client.pid!;
  process.kill(before, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(logs.some((l) => l.startsWith('error: pipeline host exited')));
  const out = tmpDir('sds-host-restart-');
  const reports = await client.runStage({ stage: 'segment', inputs: [fixture('ina', 'silence2sec.wav')], out }, {}, () => {});
  assert.equal(reports[0].processed, 1);
  assert.notEqual(client.pid, before);
});

test('errors cross JSON-RPC with their reason as data; requests on one dataset queue, and a foreign writer is waited for', async () => {
  const out = tmpDir('sds-host-queue-');
  await assert.rejects(client.runStage({ stage: 'slice', out, options: { labels: ['male', '../x'] } }, {}, () => undefined),
    (e: { data?: { reason?: string }; message: string }) => e.data?.reason === 'usage' && /--labels: "\.\.\/x" is not one of male, female/.test(e.message));
  assert.ok(!fs.existsSync(path.join(out, '.sds')), 'a usage error writes nothing');

  // a command line holds the dataset (a live process on this host): the host's request waits, says so, then runs
  fs.mkdirSync(path.join(out, '.sds'), { recursive: true });
  const holder = spawn('sleep', ['60']);
  fs.writeFileSync(path.join(out, '.sds', 'lock'), JSON.stringify({ pid: holder.pid, host: os.hostname(), command: 'sds clean --out x', started: 't0' }));
  const events: string[] = [];
  const first = client.runStage({ stage: 'segment', inputs: [fixture('ina', 'musanmix.wav')], out, options: { gender: false } }, {}, (e) => events.push(`first ${e.kind}`));
  // started right behind it, on the same dataset: runs after the first, never beside it
  const second = client.runStage({ stage: 'slice', out }, {}, (e) => events.push(`second ${e.kind}`));
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => events.includes('first waiting') && (clearInterval(poll), resolve()), 20);
  });
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => events.includes('second waiting') && (clearInterval(poll), resolve()), 20);
  });
  assert.ok(!events.some((e) => e.endsWith('file-start')), 'nothing ran while the lock was held');
  holder.kill('SIGKILL');
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a[0].processed, 1);
  assert.equal(b[0].failed.length, 0, JSON.stringify(b));
  const lastOfFirst = events.lastIndexOf('first file-done');
  const firstOfSecond = events.findIndex((e) => e.startsWith('second file-'));
  assert.ok(lastOfFirst >= 0 && firstOfSecond > lastOfFirst, events.join(', '));
  assert.ok(a[0].summary.some((l) => /took over the dataset lock of "sds clean --out x"/.test(l)));
});

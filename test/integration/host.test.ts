import assert from 'node:assert/strict';
import * as fs from 'node:fs';
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
  assert.equal(reports.length, 2);
  assert.equal(reports[0].processed, 1);
  assert.equal(reports[1].failed.length, 0);
  assert.notEqual(client.pid, process.pid, 'work ran in another process');
  const segs = parseSegmentCsv(fs.readFileSync(path.join(out, 'segments', '0001_musanmix.csv'), 'utf8'));
  assert.deepEqual([...new Set(segs.map((s) => s.label))].sort(), ['male', 'music', 'noEnergy', 'noise']);
  assert.ok(events.some((e) => e.kind === 'file-progress' && e.fraction > 0 && e.fraction <= 1));
  assert.ok(events.some((e) => e.kind === 'file-done' && e.detail === '3 clips'));
  assert.ok(logs.some((l) => /execution provider (cpu|cuda)/.test(l)), logs.join('\n'));
});

test('cancelling stops the run without leaving partial files', async () => {
  const dir = tmpDir('sds-host-cancel-');
  for (let i = 0; i < 8; i++) fs.copyFileSync(fixture('ina', 'musanmix.wav'), path.join(dir, `f${i}.wav`));
  const out = path.join(dir, 'out');
  const abort = new AbortController();
  const run = client.runStage({ stage: 'segment', inputs: [dir], out }, { jobs: 1 }, (e) => {
    if (e.kind === 'file-done' && !e.skipped) abort.abort();
  }, abort.signal);
  await assert.rejects(run, /cancel/i);
  const csvs = fs.readdirSync(path.join(out, 'segments'));
  assert.ok(csvs.length >= 1 && csvs.length < 8, `stopped early: ${csvs}`);
  assert.ok(csvs.every((f) => f.endsWith('.csv')), 'no temp files');
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

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Dataset } from '../../pipeline/dataset';
import { readTable } from '../../pipeline/formats/csvTable';
import { checkPipeline } from '../../pipeline/plan/config';
import { foldRows } from '../../pipeline/plan/fold';
import { shareable } from '../../pipeline/plan/step';
import '../../pipeline/stages/registry';
import { readRowFiles } from '../../pipeline/plan/rowFiles';
import { readState } from '../../pipeline/plan/state';
import { inShard, parseShard, shardFromEnv, shardOf } from '../../pipeline/plan/shard';
import { tmpDir } from '../helpers';

test('shards: every id in exactly one share, the shares near even, and adding sources never moves one', () => {
  const ids = Array.from({ length: 3000 }, (_, i) => `${String(i + 1).padStart(4, '0')}_programme_${i}`);
  const counts = [0, 0, 0, 0, 0];
  for (const id of ids) {
    const owners = [0, 1, 2, 3, 4].filter((i) => inShard({ index: i, count: 5 })(id));
    assert.equal(owners.length, 1);
    counts[owners[0]]++;
  }
  for (const c of counts) assert.ok(Math.abs(c - 600) < 90, `shares of 3000 over 5: ${counts}`);
  const before = new Map(ids.slice(0, 1000).map((id) => [id, shardOf(id, 5)]));
  // a later ingest adds 2000 sources: the first thousand stay where they were
  for (const [id, s] of before) assert.equal(shardOf(id, 5), s);
});

test('shards: i/n is checked, and array jobs say which they are', () => {
  assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  assert.throws(() => parseShard('3/3'), /--shard: "3\/3" is not i\/n/);
  assert.throws(() => parseShard('a/b'), /not i\/n/);
  assert.equal(shardFromEnv({}), undefined);
  assert.deepEqual(shardFromEnv({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '8', SLURM_ARRAY_TASK_MIN: '1' }), { index: 3, count: 8 });
  assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: '0', SDS_SHARD_COUNT: '10' }), { index: 0, count: 10 });
  assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: '0' }), /SDS_SHARD_COUNT is not/);
});

test('row files: two shares give every source the id one process would, write no table, and fold into one', async () => {
  const dir = tmpDir('sds-rows-');
  const rec = path.join(dir, 'rec');
  fs.mkdirSync(rec);
  const files = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => path.join(rec, `${n}.wav`));
  files.forEach((f, i) => fs.writeFileSync(f, `not really audio ${i}`));
  const ds = path.join(dir, 'ds');
  const got: string[][] = [];
  for (const index of [0, 1]) {
    const view = new Dataset(ds, { stage: 'register', seq: -1, has: inShard({ index, count: 2 }) });
    const rows = await view.register(files);
    got.push(rows.map((r) => r.id));
    // the share's slice: one clip per source, its rows as a row file
    const clipsView = new Dataset(ds, { stage: 'slice', seq: 1, has: inShard({ index, count: 2 }) });
    await clipsView.writeClips(rows.map((r) => ({ path: `clips/male/${r.id}_0001.wav`, source: r.id, start: '0', end: '1', label: 'male', duration: '1', sample_rate: '16000' })));
  }
  assert.ok(!fs.existsSync(path.join(ds, 'sources.csv')) && !fs.existsSync(path.join(ds, 'clips.csv')), 'a share writes no table');
  const all = got.flat().sort();
  assert.equal(all.length, 6, 'each source in one share');
  assert.deepEqual(all, ['0001_a', '0002_b', '0003_c', '0004_d', '0005_e', '0006_f'], 'the same ids one process gives');
  assert.equal(readRowFiles(ds).length, 12);

  const folded = await foldRows(ds);
  assert.deepEqual(folded, { files: 12, sources: 6 });
  assert.deepEqual(readTable(path.join(ds, 'sources.csv')).map((r) => r.id), all);
  assert.deepEqual(readTable(path.join(ds, 'clips.csv')).map((r) => r.source), all, 'clips grouped in source order');
  assert.equal(readRowFiles(ds).length, 0, 'folded row files are removed');
  assert.deepEqual(readState(ds).stages, {});

  // a source in scope whose clips are all gone: its rows go, the others stay
  const one = new Dataset(ds, { stage: 'slice', seq: 1, has: (id) => id === '0002_b' });
  await one.writeClips(one.readClips().filter((r) => r.source !== '0002_b'));
  await foldRows(ds);
  assert.deepEqual(readTable(path.join(ds, 'clips.csv')).map((r) => r.source), all.filter((id) => id !== '0002_b'));
});

test('shares: per-source stages are shared out, except one that looks across sources (speaker-score\'s automatic threshold)', () => {
  const dir = tmpDir('sds-share-');
  const stages = (score: Record<string, unknown>) => checkPipeline({ dataset: 'ds', inputs: ['.'], stages: [{ stage: 'segment' }, { stage: 'slice' }, { stage: 'speaker-score', options: score }, { stage: 'lint' }] }, dir, path.join(dir, 'sds.json')).stages;
  assert.deepEqual(stages({ ref: 'host', 'auto-threshold': true }).map(shareable), [true, true, false, false]);
  assert.deepEqual(stages({ ref: 'host', 'min-sim': 0.6 }).map(shareable), [true, true, true, false]);
});

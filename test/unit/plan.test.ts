import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRun, planStage, type StagePlanInput, type StageRecord } from '../../pipeline/plan/plan';

const stage = (key: string, sources: [string, string][], o: Partial<StagePlanInput> = {}): StagePlanInput => ({
  key, scope: 'source', first: false, options: 'o1', algorithm: 'a1', sources: sources.map(([id, fp]) => ({ id, fp, outputs: true })), ...o,
});
const record = (sources: Record<string, string>, o: Partial<StageRecord> = {}): StageRecord => ({ options: 'o1', algorithm: 'a1', sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, { in: v }])), ...o });
const reasons = (rows: { source: string; reason: string }[]) => Object.fromEntries(rows.map((r) => [r.source, r.reason]));

test('a stage is planned per source: what it reads, its options, its model and its outputs decide', () => {
  const s = stage('segment', [['a', 'h1'], ['b', 'h2'], ['c', 'h3']], { first: true });
  assert.deepEqual(reasons(planStage(s, undefined)), { a: 'new', b: 'new', c: 'new' });
  assert.deepEqual(reasons(planStage(s, record({ a: 'h1', b: 'h2', c: 'h3' }))), { a: 'up-to-date', b: 'up-to-date', c: 'up-to-date' });
  assert.deepEqual(reasons(planStage(s, record({ a: 'h1', b: 'old' }))), { a: 'up-to-date', b: 'input', c: 'new' });
  assert.deepEqual(reasons(planStage({ ...s, first: false }, record({ a: 'h1', b: 'old', c: 'h3' }))), { a: 'up-to-date', b: 'upstream-output', c: 'up-to-date' });
  assert.deepEqual(reasons(planStage(s, record({ a: 'h1', b: 'h2', c: 'h3' }, { options: 'o0' }))), { a: 'options', b: 'options', c: 'options' });
  assert.deepEqual(reasons(planStage(s, record({ a: 'h1', b: 'h2', c: 'h3' }, { algorithm: 'a0' }))), { a: 'algorithm', b: 'algorithm', c: 'algorithm' });
  const gone = { ...s, sources: s.sources.map((x) => ({ ...x, outputs: x.id !== 'c' })) };
  assert.deepEqual(reasons(planStage(gone, record({ a: 'h1', b: 'h2', c: 'h3' }))), { a: 'up-to-date', b: 'up-to-date', c: 'missing-output' });
  const failed: StageRecord = { ...record({ a: 'h1', c: 'h3' }), sources: { ...record({ a: 'h1', c: 'h3' }).sources, b: { failed: 'x.wav: not audio' } } };
  assert.deepEqual(reasons(planStage(s, failed)), { a: 'up-to-date', b: 'failed-before', c: 'up-to-date' });
  const rows = planStage(s, record({ a: 'h1', b: 'h2', c: 'h3' }), { pending: new Set(['a']), failed: new Set(['c']) });
  assert.deepEqual(reasons(rows), { a: 'upstream-pending', b: 'up-to-date', c: 'upstream-failed' });
  assert.deepEqual(rows.map((r) => r.todo), [true, false, false], 'a source an earlier stage failed on is skipped, not done');
});

test('the whole plan: a source one stage redoes waits in every later stage, and a dataset-wide stage waits on any', () => {
  const stages = [stage('segment', [['a', 's1'], ['b', 's2']], { first: true }), stage('slice', [['a', 't1'], ['b', 't2']]), stage('export', [['*', 'e1']], { scope: 'dataset' })];
  const done = { segment: record({ a: 's1', b: 's2' }), slice: record({ a: 't1', b: 't2' }), export: record({ '*': 'e1' }) };
  assert.ok(planRun(stages, done).flat().every((r) => !r.todo), 'nothing changed: nothing to do');
  const edited = planRun(stages, { ...done, segment: record({ a: 's1', b: 'old' }) });
  assert.deepEqual(edited.map(reasons), [{ a: 'up-to-date', b: 'input' }, { a: 'up-to-date', b: 'upstream-pending' }, { '*': 'upstream-pending' }]);
  const always = planRun([{ ...stage('ingest', [['*', '']]), scope: 'always' }, ...stages.slice(1)], done);
  assert.deepEqual(always.map(reasons), [{ '*': 'always' }, { a: 'up-to-date', b: 'up-to-date' }, { '*': 'up-to-date' }]);
});

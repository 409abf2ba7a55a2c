import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPipeline, ConfigError, parsePipeline } from '../../pipeline/plan/config';
import { PIPELINE_PRESETS } from '../../pipeline/plan/presets';
import { parseCommand } from '../../cli/parseCommand';
import '../../pipeline/stages/registry';

const dir = path.resolve('/data/show');
const problems = (text: string) => {
  try {
    parsePipeline(text, 'sds.json');
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail('the file was accepted');
};
const file = (stages: unknown[], extra: object = {}) => JSON.stringify({ dataset: 'ds', inputs: ['rec'], stages, ...extra }, null, 2);

test('every preset is a pipeline sds run accepts, each stage becoming the request its command line would', () => {
  for (const [name, p] of Object.entries(PIPELINE_PRESETS)) {
    const cfg = checkPipeline({ dataset: 'ds', inputs: ['rec'], stages: p.stages }, dir, `${name}.json`);
    assert.equal(cfg.stages.length, p.stages.length, name);
    assert.equal(cfg.dataset, path.join(dir, 'ds'));
  }
  const cfg = checkPipeline({ dataset: 'ds', inputs: ['rec'], stages: PIPELINE_PRESETS['seed-radio'].stages }, dir);
  assert.deepEqual(cfg.stages.find((s) => s.stage === 'slice')!.req, { stage: 'slice', out: path.join(dir, 'ds'), sources: undefined,
    options: { engine: undefined, gender: undefined, genderMethod: undefined, labels: ['male'], min: 1.5, max: undefined, pad: undefined, mergeGap: undefined, at: undefined, on: 'vocals' } });
  assert.deepEqual(cfg.stages.find((s) => s.stage === 'segment')!.req, { stage: 'segment', inputs: [path.join(dir, 'rec')], out: path.join(dir, 'ds'),
    options: { engine: 'smn', gender: undefined, genderMethod: undefined, labels: undefined, min: undefined, max: undefined, pad: undefined, mergeGap: undefined, at: undefined, on: 'vocals' } });
  // files named in the file are relative to it; a reference voice is speaker-enroll's own input
  assert.equal(cfg.stages.find((s) => s.stage === 'tone-classify')!.req.stage === 'tone-classify' && (cfg.stages.find((s) => s.stage === 'tone-classify')!.req as { options: { model: string } }).options.model, path.join(dir, 'tone.onnx'));
  assert.deepEqual((cfg.stages.find((s) => s.stage === 'speaker-enroll')!.req as { inputs: string[] }).inputs, [path.join(dir, 'host-reference.wav')]);
});

test('a syntax error is named by line and column, and nothing runs', () => {
  const e = problems('{\n  "dataset": "ds",\n  "stages": [ { "stage": "segment" }, ]\n}');
  assert.match(e.message, /^sds\.json:3:\d+: not valid JSON: value expected/);
  assert.match(e.message, /nothing ran$/);
});

test('each problem is given with its JSON path, its value and what is allowed', () => {
  const e = problems(file([
    { stage: 'segment', options: { engine: 'fast' } },
    { stage: 'slice', options: { min: -1, labels: 'male' } },
    { stage: 'clean', options: { loudness: '-23', colour: 'red' } },
    { stage: 'polish' },
  ]));
  const byPath = Object.fromEntries(e.problems.map((p) => [p.path, p.message]));
  assert.match(byPath['/stages/0/options/engine'], /"fast" is not one of smn, sm or silero/);
  assert.match(byPath['/stages/1/options/min'], /must be >= 0, got -1/);
  assert.match(byPath['/stages/1/options/labels'], /"male" is a string; labels takes an array of strings/);
  assert.match(byPath['/stages/2/options/loudness'], /"-23" is a string; loudness takes a number/);
  assert.match(byPath['/stages/2/options/colour'], /clean has no option "colour"; its options: preset, lowpass/);
  assert.match(byPath['/stages/3/stage'], /"polish" is not a pipeline stage; one of ingest, separate, segment/);
  // the line of each value, for the terminal and the Problems panel
  const min = e.problems.find((p) => p.path === '/stages/1/options/min')!;
  assert.equal(file([{ stage: 'segment', options: { engine: 'fast' } }, { stage: 'slice', options: { min: -1, labels: 'male' } }]).split('\n')[min.line! - 1].trim(), '"min": -1,');
  assert.match(e.message, /^sds\.json:\d+:\d+: \/stages\/0\/options\/engine: /m);
});

test('a stage order that cannot work, a URL without ingest and a missing dataset are refused', () => {
  const e = problems(JSON.stringify({ inputs: ['https://example.org/show.mp3'], stages: [{ stage: 'slice' }, { stage: 'segment' }], extra: 1 }));
  const byPath = Object.fromEntries(e.problems.map((p) => [p.path, p.message]));
  assert.match(byPath['/stages/0/stage'], /slice must come after segment \(stage 1\)/);
  assert.match(byPath['/inputs/0'], /a URL is fetched by an ingest stage/);
  assert.match(byPath['/dataset'], /give the dataset folder/);
  assert.match(byPath['/extra'], /unknown key; allowed: \$schema, description, dataset, inputs or stages/);
  assert.match(problems(file([{ stage: 'segment', inputs: ['x.wav'] }])).message, /\/stages\/0\/inputs: segment takes no inputs of its own/);
  assert.match(problems(file([])).message, /\/stages: \[\]: give the stages in order/);
  assert.match(problems(file([{ stage: 'export' }])).message, /\/stages\/0: export needs --format/);
});

test('sds run reads sds.json unless given recordings; a stage option on the line beside a pipeline file is refused', () => {
  assert.deepEqual(parseCommand(['run']), { kind: 'stage', req: { stage: 'pipeline', file: 'sds.json' }, jobs: undefined, wait: undefined, ffmpeg: undefined, quiet: undefined });
  assert.deepEqual((parseCommand(['run', '--shard', '1/4']) as { req: object }).req, { stage: 'pipeline', file: 'sds.json', shard: { index: 1, count: 4 } });
  assert.deepEqual((parseCommand(['run', '--queue', 'redis://h:6380/2', '--attempts', '2']) as { req: object }).req, { stage: 'pipeline', file: 'sds.json', queue: 'redis://h:6380/2', attempts: 2 });
  assert.throws(() => parseCommand(['run', '--shard', '1/4', '--queue', 'redis://h']), /--shard or --queue/);
  assert.throws(() => parseCommand(['run', 'a.wav', '--out', 'ds', '--shard', '0/2']), /--shard splits a pipeline/);
  assert.throws(() => parseCommand(['worker']), /worker needs --queue/);
  assert.equal((parseCommand(['run', '--config', 'x/sds.json', '--dry-run']) as { req: { dryRun?: boolean } }).req.dryRun, true);
  assert.throws(() => parseCommand(['run', '--config', 'sds.json', '--min', '3']), /run --config: the stages' options come from sds\.json \(edit it\), not from --min/);
  assert.throws(() => parseCommand(['run', 'a.wav', '--config', 'sds.json']), /give --config or recordings, not both/);
  assert.equal((parseCommand(['run', 'a.wav', '--out', 'ds']) as { req: { stage: string } }).req.stage, 'run');
});

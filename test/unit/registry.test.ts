import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cliDoc, commandHelp, usage } from '../../cli/help';
import { parseCommand } from '../../cli/parseCommand';
import { runStage } from '../../pipeline/stages/dispatch';
import { num, text } from '../../pipeline/stages/optionKinds';
import { allCommands, commandNamed, defineCommand } from '../../pipeline/stages/registry';
import { pipelineSchema, settingsSchema } from '../../pipeline/stages/settings';
import { DEFAULT_SLICE } from '../../pipeline/stages/slicePlan';
import { generated } from '../../scripts/generated';
import { ROOT } from '../helpers';

test('docs/cli.md, package.json\'s settings and the stage options schema are what the registry generates (npm run generate)', () => {
  for (const [file, text] of Object.entries(generated(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')))) {
    assert.equal(fs.readFileSync(path.join(ROOT, file), 'utf8'), text, `${file} is stale: run npm run generate`);
  }
});

test('the settings carry the stages\' own defaults and bounds', () => {
  const s = settingsSchema();
  assert.deepEqual([s['sds.slice.min'].default, s['sds.slice.min'].minimum, s['sds.slice.labels'].default], [DEFAULT_SLICE.min, 0, DEFAULT_SLICE.labels]);
  assert.equal(s['sds.segment.gender'].default, true, 'the --no-gender flag is the setting gender, on by default');
  assert.deepEqual(s['sds.clean.loudness'].type, ['number', 'null'], 'no default of its own: the preset\'s');
  assert.match('model.onnx', new RegExp(s['sds.clean.denoise'].pattern as string), 'a denoiser setting takes a .onnx model too');
  assert.doesNotMatch('bogus', new RegExp(s['sds.clean.denoise'].pattern as string));
});

test('every option of every command has help, and a choice lists its values', () => {
  for (const c of allCommands()) {
    assert.ok(c.summary && c.cli, c.cli);
    for (const [name, o] of Object.entries(c.options)) {
      assert.ok(o.help.length > 5, `${c.cli} --${name} has help`);
      if (o.kind === 'choice') assert.ok(o.values?.length, `${c.cli} --${name} lists its values`);
      if (o.descriptions) assert.equal(o.descriptions.length, o.values?.length, `${c.cli} --${name}: one description per value`);
    }
  }
});

test('a command defined in one place parses, runs, shows in help, docs, settings and schema, and is named when another command is given its option', async () => {
  defineCommand({
    cli: 'demo-echo', summary: 'a stage that exists only in this test', synopsis: '--out <dir> <files...>',
    options: { level: num('how loud', { default: 3, min: 0 }), colour: text('a name') }, settings: { group: 'demo', options: ['level'] },
    build: (o, args, out) => ({ kind: 'stage', req: { stage: 'side-files', out, exts: [String(o.level ?? 'none') as 'txt', ...args as 'txt'[]] } }),
    // a stage of its own: dispatch runs it with no edit of its own (the request's type is the test's business)
    run: { request: 'demo-echo' as never, prepare: (req) => ({ run: async () => [{ stage: 'demo-echo', processed: 1, skipped: 0, failed: [], summary: [`echo ${(req as unknown as { word: string }).word}`] }] }) },
  });
  const reports = await runStage({ stage: 'demo-echo', word: 'hello' } as never, { jobs: 1, ffmpeg: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }, log: () => undefined, progress: () => undefined });
  assert.deepEqual(reports[0].summary, ['echo hello']);
  const parsed = parseCommand(['demo-echo', '--out', 'ds', '--level', '7', 'a.wav']);
  assert.deepEqual(parsed, { kind: 'stage', req: { stage: 'side-files', out: 'ds', exts: ['7', 'a.wav'] }, jobs: undefined, wait: undefined, ffmpeg: undefined, quiet: undefined });
  assert.throws(() => parseCommand(['demo-echo', '--out', 'ds', '--level', 'loud']), /--level expects a number, got "loud"/);
  assert.throws(() => parseCommand(['slice', '--out', 'ds', '--colour', 'red']), /--colour is not an option of slice \(demo-echo takes it\)/);
  assert.match(usage(), /sds demo-echo --out <dir> <files\.\.\.> \[--level 3\] \[--colour x\]\n\s+a stage that exists only in this test/);
  assert.match(commandHelp(commandNamed('demo-echo')!), /--level 3\s+how loud \(default 3\)/);
  assert.match(cliDoc(), /## sds demo-echo[\s\S]*\| `--level 3` \| how loud\. \| `3` \|/);
  assert.deepEqual(parseCommand(['demo-echo', '--help']), { kind: 'help', code: 0, command: 'demo-echo' });
  assert.deepEqual(settingsSchema()['sds.demo.level'], { type: 'number', default: 3, minimum: 0, description: 'How loud.' });
  assert.deepEqual((pipelineSchema().definitions as Record<string, { properties: object }>)['demo-echo'].properties, {
    level: { type: 'number', default: 3, minimum: 0, description: 'How loud.' }, colour: { type: 'string', default: '', description: 'A name.' } });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readClipTable, readTable, writeTable } from '../../pipeline/formats/csvTable';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import { parseSegmentCsv, formatSegmentCsv } from '../../pipeline/formats/segmentTable';
import { CLI, fixture, sds, tmpDir } from '../helpers';

/** Every file under `dir` with its sha256, by path relative to it (the pipeline's own bookkeeping left out). */
function hashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const abs = path.join(e.parentPath, e.name);
    const rel = path.relative(dir, abs);
    if (e.isFile() && !rel.startsWith('.sds')) out.set(rel, createHash('sha256').update(fs.readFileSync(abs)).digest('hex'));
  }
  return out;
}
const changed = (a: Map<string, string>, b: Map<string, string>) => [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();

/** Four LibriSpeech readers (real speech) in a folder, and an sds.json that segments, slices, cleans and exports them. */
function project(): { dir: string; ds: string; config: string } {
  const dir = tmpDir('sds-pipeline-');
  fs.mkdirSync(path.join(dir, 'rec'));
  for (const f of fs.readdirSync(fixture('librispeech')).filter((f) => f.endsWith('.flac'))) fs.copyFileSync(fixture('librispeech', f), path.join(dir, 'rec', f));
  const config = path.join(dir, 'sds.json');
  fs.writeFileSync(config, JSON.stringify({ dataset: 'ds', inputs: ['rec'], stages: [
    { stage: 'segment', options: { 'gender-method': 'pitch' } },
    { stage: 'slice', options: { labels: ['male', 'female'], min: 1, max: 8 } },
    { stage: 'clean', options: { preset: 'seed' } },
    { stage: 'export', options: { format: 'ljspeech' } },
  ] }, null, 2));
  return { dir, ds: path.join(dir, 'ds'), config };
}

test('sds run --config: every stage once, then nothing; an edited segment table redoes that source only, keeping what people typed', async () => {
  const { dir, ds, config } = project();
  const first = sds('run', '--config', config);
  assert.equal(first.status, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /segment: 4 processed/);
  assert.match(first.stdout, /export: \d+ processed/);
  const clips = readClipTable(path.join(ds, 'clips.csv'));
  assert.ok(clips.length >= 6 && clips.every((c) => c.clean_path && fs.existsSync(path.join(ds, c.clean_path))), 'every clip cut and cleaned');
  const before = hashes(ds);

  const again = sds('run', '--config', config);
  assert.equal(again.status, 0, again.stderr);
  for (const s of ['segment', 'slice', 'clean']) assert.match(again.stdout, new RegExp(`${s}: 0 processed, 4 up to date`));
  assert.match(again.stdout, /export: 0 processed, 1 up to date/);
  assert.deepEqual(changed(before, hashes(ds)), [], 'a rerun with nothing changed writes nothing');

  // a person transcribes and excludes clips of one source, then relabels that source's last segment in the timeline
  const sources = readTable(path.join(ds, 'sources.csv'));
  const target = sources.find((s) => readClipTable(path.join(ds, 'clips.csv')).filter((c) => c.source === s.id).length >= 2)!;
  const rows = readClipTable(path.join(ds, 'clips.csv'));
  const mine = rows.filter((r) => r.source === target.id);
  Object.assign(mine[0], { transcript: 'typed by a person', text_source: 'human' });
  mine[1].excluded = 'yes';
  await writeTable(path.join(ds, 'clips.csv'), rows, CLIP_COLUMNS);
  const table = path.join(ds, 'segments', `${target.id}.csv`);
  const segs = parseSegmentCsv(fs.readFileSync(table, 'utf8'));
  const last = [...segs].reverse().find((s) => s.label === 'male' || s.label === 'female')!;
  last.label = last.label === 'male' ? 'female' : 'male';
  fs.writeFileSync(table, formatSegmentCsv(segs));
  const afterEdits = hashes(ds);

  const plan = sds('run', '--config', config, '--dry-run');
  assert.equal(plan.status, 0, plan.stderr);
  assert.match(plan.stdout, new RegExp(`slice: 1 source to do \\(1 changed upstream output\\); 3 sources up to date\\n  ${target.id}: changed upstream output`));
  assert.match(plan.stdout, /segment: 4 sources up to date/);
  assert.match(plan.stdout, /export: to do/);
  assert.deepEqual(changed(afterEdits, hashes(ds)), [], 'a dry run writes nothing');

  const third = sds('run', '--config', config);
  assert.equal(third.status, 0, third.stderr);
  assert.match(third.stdout, /slice: 1 processed, 3 up to date/);
  const touched = changed(afterEdits, hashes(ds));
  const others = sources.filter((s) => s.id !== target.id).map((s) => s.id);
  assert.ok(touched.length > 0);
  for (const f of touched.filter((f) => f.endsWith('.wav'))) assert.ok(f.includes(target.id), `${f}: only the edited source's clips change on disk`);
  for (const f of [...afterEdits.keys()].filter((f) => others.some((id) => f.includes(id)))) assert.ok(!touched.includes(f), `${f} stays byte-identical`);
  const now = readClipTable(path.join(ds, 'clips.csv')).filter((r) => r.source === target.id);
  assert.equal(now.find((r) => r.start === mine[0].start && r.end === mine[0].end)?.transcript, 'typed by a person', 'a clip whose span did not change keeps its transcript');
  assert.equal(now.find((r) => r.start === mine[1].start && r.end === mine[1].end)?.excluded, 'yes', '... and its exclusion');
  assert.ok(now.every((r) => r.clean_path && fs.existsSync(path.join(ds, r.clean_path))), 'the re-cut clips are cleaned again');
  const orphans = fs.readdirSync(path.join(ds, 'clean'), { recursive: true }).map(String).filter((f) => f.endsWith('.wav') && !readClipTable(path.join(ds, 'clips.csv')).some((r) => r.clean_path === `clean/${f}`));
  assert.deepEqual(orphans, [], 'no cleaned file is left of a clip that moved to another label');

  const status = sds('status', '--config', config);
  assert.equal(status.status, 0, status.stderr);
  for (const s of sources) assert.match(status.stdout, new RegExp(`^${s.id}\\s+done\\s+done\\s+done\\s+done$`, 'm'));
  void dir;
});

test('a source that fails is reported with its stage and skipped downstream; the others finish; exit code 1', () => {
  const { ds, config, dir } = project();
  fs.writeFileSync(path.join(dir, 'rec', 'broken.wav'), 'RIFF but not audio at all');
  const r = sds('run', '--config', config);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /segment: 4 processed, 0 up to date, 1 failed/);
  assert.match(r.stdout, /1 source skipped \(failed in an earlier stage\)/);
  assert.match(r.stdout, /error\(s\):\n {2}segment: .*broken\.wav: /, 'each failed file named with the stage it failed in');
  assert.equal(new Set(readClipTable(path.join(ds, 'clips.csv')).map((c) => c.source)).size, 4, 'the four good sources are sliced');
  // fixed, it is picked up by the next run, and only it
  fs.copyFileSync(fixture('ina', 'musanmix.wav'), path.join(dir, 'rec', 'broken.wav'));
  const fixed = sds('run', '--config', config, '--dry-run');
  assert.match(fixed.stdout, /segment: 1 source to do \(1 failed last time\); 4 sources up to date\n {2}\d+_broken: failed last time/);
  assert.match(fixed.stdout, /slice: 1 source to do \(1 new input\); 4 sources up to date/);
});

test('bad sds.json: one message with the JSON path, the value and what is allowed; nothing written', () => {
  const { ds, config } = project();
  fs.writeFileSync(config, JSON.stringify({ dataset: 'ds', inputs: ['rec'], stages: [{ stage: 'segment' }, { stage: 'slice', options: { min: -2 } }, { stage: 'clean', options: { denoise: 'magic' } }] }, null, 2));
  const r = sds('run', '--config', config);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /sds\.json:\d+:\d+: \/stages\/1\/options\/min: must be >= 0, got -2/);
  assert.match(r.stderr, /\/stages\/2\/options\/denoise: "magic" is not/);
  assert.match(r.stderr, /nothing ran/);
  assert.ok(!fs.existsSync(ds), 'no dataset folder was created');
});

test('sds init writes a preset that runs; a stage run on its own makes the pipeline plan it afresh', () => {
  const { dir, ds } = project();
  fs.rmSync(path.join(dir, 'sds.json'));
  const init = sds('init', dir, '--preset', 'podcast', '--input', path.join(dir, 'rec'));
  assert.equal(init.status, 0, init.stderr);
  const written = JSON.parse(fs.readFileSync(path.join(dir, 'sds.json'), 'utf8'));
  assert.deepEqual(written.inputs, ['rec'], 'inputs are kept relative to sds.json');
  assert.deepEqual(written.stages.map((s: { stage: string }) => s.stage), ['segment', 'slice', 'clean', 'lint', 'export']);
  assert.equal(sds('init', dir).status, 2, 'an existing sds.json is kept');
  // the podcast preset denoises with DTLN; the seed preset keeps this test quick
  written.stages[2].options = { preset: 'seed' };
  written.dataset = 'ds';
  fs.writeFileSync(path.join(dir, 'sds.json'), JSON.stringify(written));
  assert.equal(sds('run', '--config', path.join(dir, 'sds.json'), '-q').status, 0);
  assert.equal(sds('slice', '--out', ds, '--min', '3', '-q').status, 0);
  const plan = sds('run', '--config', path.join(dir, 'sds.json'), '--dry-run');
  assert.match(plan.stdout, /slice: 4 sources to do \(4 new input\)/, 'the standalone slice is not taken for the pipeline\'s');
  assert.match(plan.stdout, /segment: 4 sources up to date/);
  // one source's run (the Dataset view's "Run Pipeline on This Source"): the others stay to do
  const one = readTable(path.join(ds, 'sources.csv'))[0].id;
  const only = sds('run', '--config', path.join(dir, 'sds.json'), '--sources', one);
  assert.equal(only.status, 0, only.stderr);
  assert.match(only.stdout, /slice: 1 processed, 3 up to date[^\n]*\n(  .*\n)*  4 sources to do \(4 new input\); 3 of them left for another run \(--sources\)/);
  assert.match(sds('run', '--config', path.join(dir, 'sds.json'), '--dry-run').stdout, /slice: 3 sources to do \(3 new input\); 1 source up to date/);
});

test('Ctrl+C during a pipeline run stops it; the next run resumes: finished stages up to date, the stopped one skips what it did', { timeout: 240000 }, async () => {
  const { ds, config } = project();
  // DTLN makes clean the long stage, so the interrupt lands inside it
  const body = JSON.parse(fs.readFileSync(config, 'utf8'));
  body.stages[2].options = { preset: 'speech' };
  fs.writeFileSync(config, JSON.stringify(body));
  const child = spawn(process.execPath, [CLI, 'run', '--config', config, '--jobs', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const interrupted = new Promise<void>((resolve) => child.stderr.on('data', (d) => {
    err += d;
    // the first clip cleaned: stop here
    if (/== clean[^\n]*\n[\s\S]*\n {2}done/.test(err) && !child.killed) child.kill('SIGINT'), resolve();
  }));
  await interrupted;
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.notEqual(code, 0, 'an interrupted run does not say it finished');
  assert.ok(!fs.existsSync(path.join(ds, '.sds', 'lock')), 'the lock is released');
  const cleanedBefore = fs.readdirSync(path.join(ds, '.sds', 'done', 'clean')).length;
  assert.ok(cleanedBefore >= 1 && cleanedBefore < readClipTable(path.join(ds, 'clips.csv')).length, `${cleanedBefore} clips cleaned before the interrupt`);
  const again = sds('run', '--config', config, '--jobs', '1');
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /segment: 0 processed, 4 up to date/);
  assert.match(again.stdout, /slice: 0 processed, 4 up to date/);
  const m = /clean: (\d+) processed, (\d+) up to date/.exec(again.stdout)!;
  assert.equal(Number(m[2]), cleanedBefore, 'the clips cleaned before the interrupt are not cleaned again');
  assert.equal(Number(m[1]) + Number(m[2]), readClipTable(path.join(ds, 'clips.csv')).length);
  void out;
});

import assert from 'node:assert/strict';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { readTable, writeTable } from '../../pipeline/formats/csvTable';
import { ACTED_SENTENCES, ACTED_STYLES, CLI, espeakActed, tmpDir } from '../helpers';

const cache = tmpDir('sds-tone-cache-');
const sds = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '-q'], { encoding: 'utf8', env: { ...process.env, SDS_FEATURE_CACHE: cache } });

const STYLES = ACTED_STYLES;
const SENTENCES = ACTED_SENTENCES;
const say = espeakActed;

const data = tmpDir('sds-tone-data-');
before(() => {
  // <speaker>/<emotion>/<n>.wav for three training voices
  for (const voice of ['en', 'en+f3', 'en-us+m3']) for (const style of Object.keys(STYLES)) {
    const dir = path.join(data, voice.replace(/\W/g, '_'), style);
    fs.mkdirSync(dir, { recursive: true });
    SENTENCES.forEach((s, i) => say(s, style, voice, path.join(dir, `${i}.wav`)));
  }
  fs.writeFileSync(path.join(data, 'en', 'calm', 'broken.wav'), 'RIFF this is no audio');
});

test('tone train -> ONNX + sidecar + checkpoints; benchmark by speaker; classify an unseen voice into emotion folders', { timeout: 300000 }, async () => {
  const model = path.join(tmpDir('sds-tone-model-'), 'tone-acted.onnx');
  const train = sds('tone', 'train', '--data', data, '--corpus', 'folders', '--out', model, '--epochs', '40', '--checkpoint-every', '20', '--seed', '3');
  assert.equal(train.status, 1, 'the broken file fails the run (exit 1) ...');
  assert.match(train.stdout, /broken\.wav/);
  assert.match(train.stdout, /calm\/excited from 30 files of 3 speakers/, '... and the other 30 files still train');
  const side = JSON.parse(fs.readFileSync(model.replace('.onnx', '.json'), 'utf8'));
  assert.deepEqual(side.classes, ['calm', 'excited']);
  assert.equal(side.feature.kind, 'rich');
  assert.equal(side.feature.dims, side.mean.length);
  assert.deepEqual(side.training.speakers, ['en', 'en_f3', 'en_us_m3']);
  assert.deepEqual(fs.readdirSync(model.replace('.onnx', '.checkpoints')).sort(), ['epoch-0020.json', 'epoch-0020.onnx', 'epoch-0040.json', 'epoch-0040.onnx']);

  const bench = sds('tone', 'benchmark', '--model', model, '--data', data, '--corpus', 'folders', '--by-speaker', '--folds', '3');
  const acc = Number(/accuracy (\d+\.\d)% on 30 files/.exec(bench.stdout)?.[1]);
  assert.ok(acc >= 90, bench.stdout);
  assert.match(bench.stdout, /\| truth \\ predicted \| calm \| excited \|/);

  // a dataset whose clips are an unseen voice, one recording
  const ds = tmpDir('sds-tone-ds-');
  fs.mkdirSync(path.join(ds, 'clips', 'male'), { recursive: true });
  const rows = SENTENCES.flatMap((s, i) => Object.keys(STYLES).map((style) => {
    const rel = `clips/male/src_${style}_${i}.wav`;
    say(s, style, 'en-gb-x-rp', path.join(ds, rel));
    return { path: rel, source: 'src', start: '0', end: '2', label: 'male', duration: '2', sample_rate: '16000', truth: style };
  }));
  await writeTable(path.join(ds, 'clips.csv'), rows, CLIP_COLUMNS);
  const cls = sds('tone', 'classify', '--model', model, '--out', ds, '--place', 'link');
  assert.equal(cls.status, 0, cls.stdout + cls.stderr);
  assert.match(cls.stdout, /calm\s+\d+ clips\s+[\d.]+%\s+[\d.]+ h/);
  const out = readTable(path.join(ds, 'clips.csv'));
  const right = out.filter((r) => r.emotion === r.truth).length;
  assert.ok(right >= 9, `${right}/10 right: ${out.map((r) => `${r.truth}->${r.emotion} ${r.emotion_prob}`).join(', ')}`);
  for (const r of out) assert.ok(fs.existsSync(path.join(ds, 'emotion', r.emotion, path.basename(r.path))));

  // self-training with the dataset's clips as the unlabelled pool says whether it helped and writes a new model
  const st = sds('tone', 'selftrain', '--model', model, '--data', data, '--corpus', 'folders', '--pool', path.join(ds, 'clips'), '--threshold', '0.8', '--folds', '3');
  assert.match(st.stdout, /of 10 unlabelled clips reached probability 0.8/);
  assert.match(st.stdout, /\d+\.\d% before, \d+\.\d% with self-training: (up|down|unchanged)/);
  assert.ok(fs.existsSync(model.replace('.onnx', '-selftrained.onnx')));
});

test('tone train names a folder without emotions and a missing model clearly', () => {
  const empty = tmpDir('sds-tone-empty-');
  const r = sds('tone', 'train', '--data', empty, '--out', path.join(empty, 'm.onnx'));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /needs at least two emotions/);
  const c = sds('tone', 'classify', '--model', path.join(empty, 'nope.onnx'), '--out', empty);
  assert.match(c.stderr + c.stdout, /nope\.onnx: no such tone model|no clips to classify/);
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Dataset, expandInputs, slug } from '../../pipeline/dataset';
import { tmpDir } from '../helpers';

test('slugs are ASCII, lower case and bounded', () => {
  assert.equal(slug('/x/Émission N°3 — "l\'été".mp3'), 'emission_n_3_l_ete');
  assert.equal(slug('/x/日本語.wav'), 'audio');
  assert.ok(slug('/x/' + 'a'.repeat(100) + '.wav').length <= 40);
});

test('ids are stable across runs, new files get the next index, originals are untouched', async () => {
  const dir = tmpDir();
  const a = path.join(dir, 'in', 'a b.wav');
  const b = path.join(dir, 'in', "c'd.wav");
  fs.mkdirSync(path.dirname(a));
  fs.writeFileSync(a, 'x');
  fs.writeFileSync(b, 'y');
  const ds = new Dataset(path.join(dir, 'out'));
  const first = await ds.register([a]);
  const second = await ds.register([b, a]);
  assert.equal(first[0].id, '0001_a_b');
  assert.deepEqual(second.map((r) => r.id), ['0002_c_d', '0001_a_b']);
  assert.equal(second[1].path, a);
  assert.equal(fs.readFileSync(a, 'utf8'), 'x');
  assert.equal(ds.readSources().length, 2);
});

test('folders expand to audio files, skipping the output folder (but not its ingested sources/) and hidden files', () => {
  const dir = tmpDir();
  for (const f of ['x.wav', 'notes.txt', '.hidden.wav', 'sub/y.MP3', 'out/clips/z.wav', 'out/separated/0001_x/vocals.wav', 'out/sources/ep-1a2b.mp3']) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), '');
  }
  const { files, missing } = expandInputs([dir, path.join(dir, 'nope.wav')], path.join(dir, 'out'));
  assert.deepEqual(files.map((f) => path.relative(dir, f)), ['out/sources/ep-1a2b.mp3', 'sub/y.MP3', 'x.wav']);
  assert.deepEqual(missing, [path.join(dir, 'nope.wav')]);
  assert.deepEqual(expandInputs([path.join(dir, 'out', 'sources')], path.join(dir, 'out')).files.map((f) => path.basename(f)), ['ep-1a2b.mp3']);
});

test('a folder walk names dangling links, link loops and non-files, walks each folder once, and keeps going', () => {
  const dir = tmpDir();
  fs.mkdirSync(path.join(dir, 'in', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'in', 'a.wav'), 'x');
  fs.writeFileSync(path.join(dir, 'in', 'sub', 'b.wav'), 'y');
  fs.symlinkSync(path.join(dir, 'missing.wav'), path.join(dir, 'in', 'dangling.wav'));
  fs.symlinkSync('loop2.wav', path.join(dir, 'in', 'loop1.wav'));
  fs.symlinkSync('loop1.wav', path.join(dir, 'in', 'loop2.wav'));
  fs.symlinkSync('..', path.join(dir, 'in', 'sub', 'up'));
  fs.symlinkSync('notes.txt', path.join(dir, 'in', 'notes-link'));
  const r = expandInputs([path.join(dir, 'in'), path.join(dir, 'in', 'sub')]);
  assert.deepEqual(r.files.map((f) => path.relative(dir, f)), ['in/a.wav', 'in/sub/b.wav']);
  assert.deepEqual(r.bad.map((b) => path.basename(b.file)), ['dangling.wav', 'loop1.wav', 'loop2.wav', 'notes-link']);
  assert.match(r.bad[0].error, /dangling symbolic link \(to .*missing\.wav\)/);
  assert.match(r.bad[1].error, /symbolic link loop/);
  assert.deepEqual(r.loops.map((l) => path.relative(dir, l.file)), ['in/sub/up', 'in/sub']);
});

test('done markers keep a record beside their key, so results in a shared table survive a kill', async () => {
  const ds = new Dataset(tmpDir());
  await ds.markDone('clean', 'a', 'k1', '{"lufs":"-23"}');
  assert.equal(ds.doneRecord('clean', 'a', 'k1'), '{"lufs":"-23"}');
  assert.equal(ds.doneRecord('clean', 'a', 'k2'), undefined);
  assert.ok(ds.isDone('clean', 'a', 'k1') && !ds.isDone('clean', 'a', 'k'));
  await ds.markDone('slice', 'b', 'k');
  assert.equal(ds.doneRecord('slice', 'b', 'k'), '');
});

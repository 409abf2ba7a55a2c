import assert from 'node:assert/strict';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTable, writeTable } from '../../pipeline/formats/csvTable';
import { otsuThreshold } from '../../pipeline/stages/speaker';
import { CLI, decodeAll, fixture, sdsQuiet as sds, tmpDir } from '../helpers';
import { encodeWav } from '../../pipeline/audio/wav';

test("Otsu's threshold falls between two groups", () => {
  const t = otsuThreshold([0.1, 0.15, 0.2, 0.22, 0.8, 0.85, 0.9]);
  assert.ok(t > 0.22 && t < 0.8, String(t));
});

test('enroll a reader from 5 s of one recording; score finds her clips, auto threshold moves the others to rejected/', async () => {
  const dir = tmpDir('sds-speaker-');
  assert.equal(sds('run', fixture('librispeech'), '--out', dir, '--max', '5').status, 0);
  const target = fixture('librispeech', '1069-133699-0000.flac');
  const enroll = sds('speaker', 'enroll', '--out', dir, '--name', 'reader1069', `${target}@0-5`);
  assert.equal(enroll.status, 0, enroll.stdout + enroll.stderr);
  const profile = JSON.parse(fs.readFileSync(path.join(dir, 'speakers', 'reader1069.json'), 'utf8'));
  assert.equal(profile.embedding.length, 256);
  assert.equal(profile.model, 'tone_color_se');
  const r = sds('speaker', 'score', '--out', dir, '--ref', 'reader1069', '--auto-threshold');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Otsu's cut/);
  const rows = readTable(path.join(dir, 'clips.csv'));
  const mine = rows.filter((x) => x.source.includes('1069'));
  const others = rows.filter((x) => !x.source.includes('1069'));
  assert.ok(mine.length >= 2 && others.length >= 4);
  assert.ok(Math.min(...mine.map((x) => Number(x.similarity_reader1069))) > Math.max(...others.map((x) => Number(x.similarity_reader1069))), 'every clip of the reader outscores every other clip');
  assert.ok(mine.every((x) => x.excluded !== 'yes'), 'her clips are kept');
  assert.ok(others.every((x) => x.excluded === 'yes' && x.path.startsWith('rejected/') && fs.existsSync(path.join(dir, x.path))), 'the others moved, not deleted');
  // lint flags kept clips of other voices: put one rejected row back in and lint
  const rowsNow = readTable(path.join(dir, 'clips.csv'));
  const back = rowsNow.find((x) => x.excluded === 'yes')!;
  back.excluded = '';
  await writeTable(path.join(dir, 'clips.csv'), rowsNow, CLIP_COLUMNS);
  const lint = spawnSync(process.execPath, [CLI, 'lint', dir], { encoding: 'utf8' });
  const flagged = lint.stdout.split('\n').filter((l) => l.includes('[low-similarity]'));
  assert.equal(flagged.length, 1, lint.stdout);
  assert.ok(flagged[0].includes(back.path));
  const bad = sds('speaker', 'score', '--out', dir, '--ref', 'nobody');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /nobody\.json: no such speaker; enroll it first/);
});

test('split: clips cluster by reader into the speaker column and speakers/<spk>/ links; no cluster mixes readers', () => {
  const dir = tmpDir('sds-split-');
  assert.equal(sds('run', fixture('librispeech'), '--out', dir, '--max', '5').status, 0);
  const r = sds('speaker', 'split', '--out', dir, '--speakers', '4');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const rows = readTable(path.join(dir, 'clips.csv'));
  const bySpeaker = new Map<string, Set<string>>();
  const bySource = new Map<string, Set<string>>();
  for (const x of rows) {
    bySpeaker.set(x.speaker, new Set([...(bySpeaker.get(x.speaker) ?? []), x.source]));
    bySource.set(x.source, new Set([...(bySource.get(x.source) ?? []), x.speaker]));
    assert.ok(fs.existsSync(path.join(dir, 'speakers', x.speaker, path.basename(x.path))));
  }
  assert.equal(bySpeaker.size, 4);
  for (const [spk, sources] of bySpeaker) assert.equal(sources.size, 1, `${spk} mixes ${[...sources]}`);
  for (const [src, spks] of bySource) assert.equal(spks.size, 1, `${src} split over ${[...spks]}`);
  // automatic count: may split a reader, never merges two
  assert.equal(sds('speaker', 'split', '--out', dir).status, 0);
  const auto = readTable(path.join(dir, 'clips.csv'));
  const mixes = new Map<string, Set<string>>();
  for (const x of auto) mixes.set(x.speaker, new Set([...(mixes.get(x.speaker) ?? []), x.source]));
  assert.ok([...mixes.values()].every((s) => s.size === 1), 'no cluster mixes readers');
  assert.ok(mixes.size >= 4 && mixes.size <= 6, `${mixes.size} speakers`);
});

test('enroll --auto picks the cleanest stretches of one voice from a long recording and leaves the noisy other voice out', async () => {
  const dir = tmpDir('sds-autoenrol-');
  const a = await decodeAll(fixture('librispeech', '1069-133699-0000.flac'));
  const b = await decodeAll(fixture('librispeech', '1116-132847-0000.flac'));
  const rms = (x: Float32Array) => Math.sqrt(x.reduce((t, v) => t + v * v, 0) / x.length);
  // a reader in a quiet room, a second of silence, then another reader over noise at 5 dB SNR
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296 - 0.5);
  const g = rms(b) / 10 ** (5 / 20) / Math.sqrt(1 / 12);
  const show = new Float32Array(a.length + 16000 + b.length);
  show.set(a);
  b.forEach((v, i) => (show[a.length + 16000 + i] = v + g * noise()));
  const file = path.join(dir, 'long recording.wav');
  fs.writeFileSync(file, encodeWav(show, 16000));
  const r = sds('speaker', 'enroll', '--out', dir, '--name', 'host', '--auto', file);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /picked \d+ of \d+ speech windows \(3 s each, SNR/);
  const profile = JSON.parse(fs.readFileSync(path.join(dir, 'speakers', 'host.json'), 'utf8'));
  assert.ok(profile.clips.length >= 2, profile.clips.join(' '));
  for (const c of profile.clips) {
    const [, start, end] = /@([\d.]+)-([\d.]+)$/.exec(c)!.map(Number);
    assert.ok(end <= a.length / 16000 + 0.05, `${c} is inside the clean reader (0-${(a.length / 16000).toFixed(1)} s)`);
    assert.ok(start >= 0);
  }
});

test('score and split in two worker processes (--jobs 2) write what one process writes', () => {
  const dir = tmpDir('sds-speaker-jobs-');
  assert.equal(sds('run', fixture('librispeech'), '--out', dir, '--max', '5').status, 0);
  assert.equal(sds('speaker', 'enroll', '--out', dir, '--name', 'r', `${fixture('librispeech', '1069-133699-0000.flac')}@0-5`).status, 0);
  const columns = (jobs: string) => {
    const score = sds('speaker', 'score', '--out', dir, '--ref', 'r', '--jobs', jobs);
    assert.equal(score.status, 0, score.stdout + score.stderr);
    const split = sds('speaker', 'split', '--out', dir, '--jobs', jobs);
    assert.equal(split.status, 0, split.stdout + split.stderr);
    return { out: score.stdout + split.stdout, rows: readTable(path.join(dir, 'clips.csv')) };
  };
  const one = columns('1');
  const two = columns('2');
  assert.doesNotMatch(one.out, /worker processes/);
  assert.match(two.out, /similarity_r written for \d+ clips in 2 worker processes/);
  assert.match(two.out, /embedded in 2 worker processes/);
  assert.ok(one.rows.length >= 8, `${one.rows.length} clips`);
  one.rows.forEach((a, i) => {
    const b = two.rows[i];
    assert.equal(b.path, a.path);
    // one-thread and multi-thread sessions sum in another order: the 4th decimal may differ by one
    assert.ok(Math.abs(Number(a.similarity_r) - Number(b.similarity_r)) <= 1.5e-4, `${a.path}: ${a.similarity_r} vs ${b.similarity_r}`);
    assert.equal(b.speaker, a.speaker, a.path);
  });
});

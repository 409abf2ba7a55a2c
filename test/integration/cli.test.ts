import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTable } from '../../pipeline/formats/csvTable';
import { parseSegmentCsv } from '../../pipeline/formats/segmentTable';
import { CLI, ffmpeg, fixture, sds, tmpDir, wavInfo } from '../helpers';

/** A folder of good files with awkward names and broken or unusual ones, made here with ffmpeg. */
function awkwardInputs(): { dir: string; bad: string[]; good: string[] } {
  const dir = tmpDir('sds-cli-');
  const good = [
    path.join(dir, `émission "spéciale" l'été.wav`),
    path.join(dir, 'with spaces 8ch.wav'),
    path.join(dir, 'hi-res 192k.flac'),
    path.join(dir, '0021.mp3'),
  ];
  fs.copyFileSync(fixture('ina', 'musanmix.wav'), good[0]);
  ffmpeg('-i', fixture('ina', '0021.mp3'), '-af', 'apad=pad_dur=1', '-ac', '8', good[1]);
  ffmpeg('-i', fixture('librispeech', '1069-133699-0000.flac'), '-ar', '192000', good[2]);
  fs.copyFileSync(fixture('ina', '0021.mp3'), good[3]);
  const bad = [path.join(dir, 'empty.wav'), path.join(dir, 'text.wav'), path.join(dir, 'truncated.mp3'), path.join(dir, 'zero.wav')];
  fs.writeFileSync(bad[0], '');
  fs.writeFileSync(bad[1], 'this is not audio\n');
  fs.writeFileSync(bad[2], fs.readFileSync(fixture('ina', '0021.mp3')).subarray(0, 300));
  ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '0', bad[3]);
  return { dir, bad, good };
}

test('sds run: good files segmented and sliced, bad ones named in the error summary, exit code 1', () => {
  const { dir, bad, good } = awkwardInputs();
  const out = path.join(dir, 'out');
  const r = sds('run', dir, '--out', out, '--quiet');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const sources = readTable(path.join(out, 'sources.csv'));
  for (const g of good) {
    const src = sources.find((s) => s.path === g);
    assert.ok(src, `registered ${g}`);
    assert.match(src.id, /^\d{4}_[a-z0-9_]+$/);
    const segs = parseSegmentCsv(fs.readFileSync(path.join(out, 'segments', `${src.id}.csv`), 'utf8'));
    assert.equal(segs[0].start, 0);
    for (let i = 1; i < segs.length; i++) assert.equal(segs[i].start, segs[i - 1].stop, `${g} contiguous`);
    assert.ok(Math.abs(segs[segs.length - 1].stop - Number(src.duration)) < 1e-3);
  }
  // the errors name every broken file (the zero-length one may instead be a correct, empty result)
  for (const b of bad.slice(0, 3)) assert.ok(r.stdout.includes(b), `error summary names ${b}:\n${r.stdout}`);
  assert.match(r.stdout, /segment: 4 processed, 0 up to date, [34] failed/);
  // clips: sample-accurate cuts of the original at its native rate
  const clips = readTable(path.join(out, 'clips.csv'));
  assert.ok(clips.length >= 3);
  for (const c of clips) {
    const info = wavInfo(path.join(out, c.path));
    assert.equal(info.rate, Number(c.sample_rate));
    assert.equal(info.channels, 1);
    assert.equal(info.frames, Math.round(Number(c.duration) * info.rate), c.path);
    assert.ok(Number(c.duration) >= 1.5 && Number(c.duration) <= 15);
    assert.ok(['male', 'female'].includes(c.label));
  }
  assert.ok(clips.some((c) => c.source.includes('emission_speciale_l_ete')));
  assert.ok(clips.some((c) => c.source.includes('hi_res_192k') && c.sample_rate === '192000'));
  // originals untouched
  assert.deepEqual(fs.readFileSync(good[0]), fs.readFileSync(fixture('ina', 'musanmix.wav')));
});

test('segment --jobs 2 on several files runs two worker processes and writes the tables one process writes; bad files are still named', () => {
  const { dir, bad } = awkwardInputs();
  const [one, two] = [path.join(dir, 'one'), path.join(dir, 'two')];
  const a = sds('segment', dir, '--out', one, '--jobs', '1');
  const b = sds('segment', dir, '--out', two, '--jobs', '2');
  assert.doesNotMatch(a.stdout, /worker processes/);
  assert.match(b.stdout, /4 files segmented in 2 worker processes/);
  for (const b2 of bad.slice(0, 3)) assert.ok(b.stdout.includes(b2), `error summary names ${b2}:\n${b.stdout}`);
  const tables = fs.readdirSync(path.join(one, 'segments')).sort();
  assert.equal(tables.length, 4);
  assert.deepEqual(fs.readdirSync(path.join(two, 'segments')).sort(), tables);
  for (const t of tables) assert.equal(fs.readFileSync(path.join(two, 'segments', t), 'utf8'), fs.readFileSync(path.join(one, 'segments', t), 'utf8'), t);
  const rows = (out: string) => readTable(path.join(out, 'sources.csv')).map((r) => [r.id, r.duration, r.sample_rate, r.channels].join());
  assert.deepEqual(rows(two), rows(one));
});

test('a rerun skips what is done; a changed option redoes only what it affects', () => {
  const dir = tmpDir('sds-cli-');
  fs.copyFileSync(fixture('ina', 'musanmix.wav'), path.join(dir, 'a.wav'));
  fs.copyFileSync(fixture('librispeech', '1034-121119-0000.flac'), path.join(dir, 'b.flac'));
  const out = path.join(dir, 'out');
  assert.equal(sds('run', dir, '--out', out, '-q').status, 0);
  const again = sds('run', dir, '--out', out, '-q');
  assert.equal(again.status, 0);
  assert.match(again.stdout, /segment: 0 processed, 2 up to date/);
  assert.match(again.stdout, /slice: 0 processed, 2 up to date/);
  const reslice = sds('slice', '--out', out, '--min', '3', '-q');
  assert.match(reslice.stdout, /slice: 2 processed/);
  assert.ok(readTable(path.join(out, 'clips.csv')).every((c) => Number(c.duration) >= 3));
});

test('kill -9 mid-run leaves no partial output, and the rerun completes the rest', async () => {
  const dir = tmpDir('sds-kill-');
  for (let i = 0; i < 6; i++) fs.copyFileSync(fixture('ina', 'musanmix.wav'), path.join(dir, `f${i}.wav`));
  const out = path.join(dir, 'out');
  const child = spawn(process.execPath, [CLI, 'segment', dir, '--out', out, '--jobs', '1', '-q'], { stdio: 'ignore' });
  const segDir = path.join(out, 'segments');
  await new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const n = fs.existsSync(segDir) ? fs.readdirSync(segDir).filter((f) => f.endsWith('.csv')).length : 0;
      if (n >= 1) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve();
      } else if (Date.now() - t0 > 60000) reject(new Error('no output within 60 s'));
    }, 20);
  });
  await new Promise((r) => child.once('exit', r));
  const written = fs.readdirSync(segDir).filter((f) => f.endsWith('.csv'));
  assert.ok(written.length < 6, 'killed before the end');
  for (const f of written) parseSegmentCsv(fs.readFileSync(path.join(segDir, f), 'utf8'), f); // each complete
  const rerun = sds('segment', dir, '--out', out, '-q');
  assert.equal(rerun.status, 0, rerun.stdout);
  const m = /segment: (\d+) processed, (\d+) up to date/.exec(rerun.stdout)!;
  assert.equal(Number(m[1]) + Number(m[2]), 6);
  // a file killed between its CSV's rename and its done-marker is redone (at most one with --jobs 1)
  assert.ok(Number(m[2]) >= written.length - 1, `${m[2]} up to date, ${written.length} written before the kill`);
  assert.equal(fs.readdirSync(segDir).filter((f) => f.endsWith('.csv')).length, 6);
  assert.deepEqual(fs.readdirSync(segDir).filter((f) => f.endsWith('.tmp')), [], 'stale temp files are cleaned');
});

test('usage errors and a missing ffmpeg give clear messages and distinct exit codes', () => {
  const usage = sds('segment', 'x.wav');
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--out <dir> is required/);
  // an option of another command is named, not silently ignored
  const misplaced = sds('slice', '--out', tmpDir(), '--engine', 'silero');
  assert.equal(misplaced.status, 2);
  assert.match(misplaced.stderr, /--engine is not an option of slice \(segment, run take it\)/);
  const noFfmpeg = sds('segment', fixture('ina', '0021.mp3'), '--out', tmpDir(), '--ffmpeg', '/nonexistent/ffmpeg');
  assert.equal(noFfmpeg.status, 3);
  assert.match(noFfmpeg.stderr, /ffmpeg not found .*apt-get install -y ffmpeg/);
});

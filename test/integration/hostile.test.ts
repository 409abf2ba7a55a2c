import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { formatTable, readTable, type Row } from '../../pipeline/formats/csvTable';
import { CLI, ffmpeg, fixture, sds, tmpDir, wavInfo } from '../helpers';

// What a hostile-input run found (issue: nothing lost, nothing written outside the dataset), one case a test.
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const clipsOf = (ds: string) => readTable(path.join(ds, 'clips.csv'));
const run = (args: string[]) => new Promise<{ status: number; out: string; ended: number }>((resolve) => {
  const p = spawn(process.execPath, [CLI, ...args]);
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  p.on('close', (status) => resolve({ status: status ?? -1, out, ended: Date.now() }));
});
/** Resolves once `cond` holds (checked every 20 ms), failing after `ms`: a condition, never a sleep. */
const until = (cond: () => boolean, ms = 120000) => new Promise<void>((resolve, reject) => {
  const t0 = Date.now();
  const poll = setInterval(() => {
    if (cond()) clearInterval(poll), resolve();
    else if (Date.now() - t0 > ms) clearInterval(poll), reject(new Error(`not within ${ms} ms`));
  }, 20);
});

/** Resume markers written whole: a kill can leave a marker's temp file (.name.pid.x.tmp) beside them, which is none. */
const markers = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => !f.startsWith('.')).length : 0);

/** musanmix segmented and sliced once (speech: 4 clips); each test works on its own copy. */
let baseDir: string | undefined;
function dataset(): { ds: string; dir: string } {
  if (!baseDir) {
    baseDir = tmpDir('sds-hostile-base-');
    fs.copyFileSync(fixture('ina', 'musanmix.wav'), path.join(baseDir, 'show.wav'));
    const r = sds('run', path.join(baseDir, 'show.wav'), '--out', path.join(baseDir, 'ds'), '--no-gender', '-q');
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
  const dir = tmpDir('sds-hostile-');
  fs.cpSync(baseDir, dir, { recursive: true });
  // sources.csv names the original by absolute path: point the copy at its own original
  const sources = readTable(path.join(dir, 'ds', 'sources.csv')).map((r) => ({ ...r, path: path.join(dir, 'show.wav') }));
  fs.writeFileSync(path.join(dir, 'ds', 'sources.csv'), formatTable(sources, []));
  return { ds: path.join(dir, 'ds'), dir };
}

/** Ten minutes of the same programme: long enough that a run is still going while the test acts. */
let longFile: string | undefined;
function tenMinutes(): string {
  if (!longFile) {
    longFile = path.join(tmpDir('sds-hostile-long-'), 'long.wav');
    ffmpeg('-stream_loop', '7', '-i', fixture('ina', 'musanmix.wav'), '-c', 'copy', longFile);
  }
  return longFile;
}

/** Rows a user added by hand: one pointing outside the dataset, one at a file of theirs under extra/. */
function addForeignRows(ds: string, dir: string): { victim: string; mine: string; victimSha: string; mineSha: string } {
  const victim = path.join(dir, 'victim', 'v.wav');
  const mine = path.join(ds, 'extra', 'mine.wav');
  for (const f of [victim, mine]) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    ffmpeg('-i', fixture('librispeech', '1034-121119-0000.flac'), '-t', '3', f);
  }
  const rows = clipsOf(ds);
  const source = rows[0].source;
  rows.push({ path: path.relative(ds, victim), source, start: '0', end: '3', label: 'speech', duration: '3', sample_rate: '16000' });
  rows.push({ path: 'extra/mine.wav', source, start: '0', end: '3', label: 'speech', duration: '3', sample_rate: '16000' });
  fs.writeFileSync(path.join(ds, 'clips.csv'), toCsv(rows));
  return { victim, mine, victimSha: sha(victim), mineSha: sha(mine) };
}

const toCsv = (rows: Row[]) => formatTable(rows, []);

test('a re-slice removes and replaces only clips it cut: rows outside the dataset and under extra/ are kept and named', () => {
  const { ds, dir } = dataset();
  const f = addForeignRows(ds, dir);
  const r = sds('slice', '--out', ds, '--min', '1.0', '-q');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(sha(f.victim), f.victimSha, 'the file outside the dataset is untouched');
  assert.equal(sha(f.mine), f.mineSha, 'the file under extra/ is untouched');
  const paths = clipsOf(ds).map((c) => c.path);
  assert.ok(paths.includes('extra/mine.wav') && paths.includes(path.relative(ds, f.victim)), 'their rows are kept');
  assert.match(r.stdout, /extra\/mine\.wav.*not a clip sds cut into clips\/: kept/);
  assert.match(r.stdout, /victim\/v\.wav.*not a clip sds cut into clips\/: kept/);
});

test('clean writes under clean/ only: a row under extra/ and one outside the dataset keep their bytes', () => {
  const { ds, dir } = dataset();
  const f = addForeignRows(ds, dir);
  const r = sds('clean', '--out', ds, '--denoise', 'off', '--highpass', '0', '--dehum', 'off', '-q');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(sha(f.victim), f.victimSha);
  assert.equal(sha(f.mine), f.mineSha);
  for (const c of clipsOf(ds)) {
    assert.ok(c.clean_path.startsWith('clean/') && c.clean_path !== c.path, `${c.path} -> ${c.clean_path}`);
    assert.ok(fs.existsSync(path.join(ds, c.clean_path)));
    assert.ok(path.resolve(ds, c.clean_path).startsWith(path.join(ds, 'clean') + path.sep));
  }
});

test('re-slicing with a changed option keeps every column of clips whose span is unchanged; clips that changed are counted and the old table kept', () => {
  const { ds } = dataset();
  assert.equal(sds('clean', '--out', ds, '--denoise', 'off', '--dehum', 'off', '-q').status, 0);
  const rows = clipsOf(ds);
  rows[0].transcript = 'typed by a person';
  rows[0].text_source = 'human';
  rows[1].excluded = 'yes';
  fs.writeFileSync(path.join(ds, 'clips.csv'), toCsv(rows));
  const edited = clipsOf(ds);
  const mtimes = rows.map((c) => fs.statSync(path.join(ds, c.path)).mtimeMs);

  // the same spans come out (no gap between 0.3 and 0.31 s): every row stays as it was
  const same = sds('slice', '--out', ds, '--merge-gap', '0.31', '-q');
  assert.equal(same.status, 0, same.stdout + same.stderr);
  const after = clipsOf(ds);
  assert.deepEqual(after, edited, 'transcript, exclusion and cleaning metrics all kept');
  assert.deepEqual(after.map((c) => fs.statSync(path.join(ds, c.path)).mtimeMs), mtimes, 'clips with the same samples are not rewritten');
  assert.doesNotMatch(same.stdout, /previous table/);

  // padding changes every span: the clips go, and the run says what went with them and where the old table is
  const padded = sds('slice', '--out', ds, '--pad', '0.2', '-q');
  assert.equal(padded.status, 0, padded.stdout + padded.stderr);
  assert.match(padded.stdout, /took 1 transcripts \(1 typed by hand\), 1 exclusion marks .*kept as clips\.csv\.bak-/);
  const bak = fs.readdirSync(ds).filter((f) => f.startsWith('clips.csv.bak-'));
  assert.equal(bak.length, 1);
  assert.ok(readTable(path.join(ds, bak[0])).some((c) => c.transcript === 'typed by a person'));
  for (const c of clipsOf(ds)) assert.equal(wavInfo(path.join(ds, c.path)).frames, Math.round(Number(c.duration) * 16000));
  assert.ok(!rows.some((c) => fs.existsSync(path.join(ds, c.path)) && !clipsOf(ds).some((n) => n.path === c.path)), 'replaced clips are removed');
});

test('one writer per dataset: a second is refused naming the holder (exit 4), --wait queues behind it, two runs with different inputs keep distinct ids', { timeout: 240000 }, async () => {
  const { ds } = dataset();
  const lock = path.join(ds, '.sds', 'lock');
  const first = run(['segment', tenMinutes(), '--out', ds, '--no-gender', '-q']);
  await until(() => fs.existsSync(lock));
  const second = sds('slice', '--out', ds, '-q');
  assert.equal(second.status, 4, second.stdout + second.stderr);
  assert.match(second.stderr, /is being written by "sds segment .*long\.wav.*" \(pid \d+ on /);
  const queued = run(['slice', '--out', ds, '--wait', '-q']);
  const [a, b] = await Promise.all([first, queued]);
  assert.equal(a.status, 0, a.out);
  assert.equal(b.status, 0, b.out);
  assert.ok(b.ended >= a.ended, 'the queued slice finished after the segmentation');
  assert.ok(!fs.existsSync(lock), 'released');

  // the case that lost sources: two runs at once on one folder, different inputs
  const other = path.join(path.dirname(ds), 'other.flac');
  fs.copyFileSync(fixture('librispeech', '1069-133699-0000.flac'), other);
  const [x, y] = await Promise.all([run(['run', tenMinutes(), '--out', ds, '--no-gender', '--wait', '-q']), run(['run', other, '--out', ds, '--no-gender', '--wait', '-q'])]);
  assert.equal(x.status, 0, x.out);
  assert.equal(y.status, 0, y.out);
  const sources = readTable(path.join(ds, 'sources.csv'));
  assert.equal(new Set(sources.map((s) => s.id)).size, sources.length, 'ids are distinct');
  for (const f of [tenMinutes(), other, path.join(path.dirname(ds), 'show.wav')]) {
    const s = sources.find((r) => r.path === f);
    assert.ok(s, `${f} is still listed`);
    assert.ok(fs.existsSync(path.join(ds, 'segments', `${s.id}.csv`)));
  }
});

test('two stages started at once on one dataset (--wait) both land: no column of either is lost', { timeout: 120000 }, async () => {
  const { ds } = dataset();
  assert.equal(sds('speaker', 'enroll', '--out', ds, '--name', 'host', fixture('librispeech', '1069-133699-0000.flac'), '-q').status, 0);
  const [score, clean] = await Promise.all([
    run(['speaker', 'score', '--out', ds, '--ref', 'host', '--wait', '-q']),
    run(['clean', '--out', ds, '--denoise', 'off', '--dehum', 'off', '--wait', '-q']),
  ]);
  assert.equal(score.status, 0, score.out);
  assert.equal(clean.status, 0, clean.out);
  for (const c of clipsOf(ds)) {
    assert.match(c.similarity_host ?? '', /^-?\d\.\d{4}$/, `${c.path} keeps its similarity`);
    assert.ok(c.clean_path && c.lufs, `${c.path} keeps its cleaning`);
  }
});

test('a lock left by a process that is gone is taken over and said so', () => {
  const { ds } = dataset();
  const dead = spawnSync('true').pid!;
  fs.writeFileSync(path.join(ds, '.sds', 'lock'), JSON.stringify({ pid: dead, host: os.hostname(), command: 'sds clean --out x', started: '2026-01-01T00:00:00Z' }));
  const r = sds('slice', '--out', ds, '--min', '2');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /took over the (dataset )?lock of "sds clean --out x"/);
  assert.ok(!fs.existsSync(path.join(ds, '.sds', 'lock')));
});

test('a full disk while slicing leaves no cut-short clip under a final name', (t) => {
  const { ds } = dataset();
  const full = tmpDir('sds-full-');
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', full]).status !== 0) return t.skip('cannot mount a small tmpfs here (needs root)');
  try {
    for (const f of ['sources.csv', 'segments']) fs.cpSync(path.join(ds, f), path.join(full, f), { recursive: true });
    const r = sds('slice', '--out', full, '--labels', 'speech,music,noise', '-q');
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /clips[/\\].*\.wav: could not be written \(ENOSPC: no space left on device/);
    const listed = fs.existsSync(path.join(full, 'clips.csv')) ? clipsOf(full) : [];
    const onDisk = fs.readdirSync(path.join(full, 'clips'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const e of onDisk) {
      const rel = path.relative(full, path.join(e.parentPath, e.name));
      assert.ok(!e.name.startsWith('.') || !e.name.endsWith('.wav'), `no temp left: ${rel}`);
      const row = listed.find((c) => c.path === rel);
      assert.ok(row, `${rel} is listed`);
      assert.equal(wavInfo(path.join(full, rel)).frames, Math.round(Number(row.duration) * 16000), `${rel} is whole`);
    }
  } finally {
    spawnSync('umount', [full]);
  }
});

test('a segment row past the end is clamped with a warning naming it; each listed clip is as long on disk as listed', () => {
  const { ds } = dataset();
  const id = readTable(path.join(ds, 'sources.csv'))[0].id;
  fs.writeFileSync(path.join(ds, 'segments', `${id}.csv`), 'labels\tstart\tstop\nspeech\t0\t10\nnoEnergy\t10\t70\nspeech\t70\t100\nspeech\t100\t110\n');
  const r = sds('slice', '--out', ds, '-q');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /row 4 \(speech 70-100\) runs past the end of the audio \(74\.5\d* s\): clamped/);
  assert.match(r.stdout, /row 5 \(speech 100-110\) starts after the end of the audio .*ignored/);
  const clips = clipsOf(ds);
  assert.ok(clips.length >= 2);
  for (const c of clips) {
    assert.ok(Number(c.end) <= 74.53, `${c.path} ends at ${c.end}`);
    assert.equal(wavInfo(path.join(ds, c.path)).frames, Math.round(Number(c.duration) * 16000), c.path);
  }
});

test('NaN or infinite samples fail that file in segment and slice, naming it; the other files finish', () => {
  const dir = tmpDir('sds-nan-');
  const bad = path.join(dir, 'float.wav');
  ffmpeg('-i', fixture('ina', 'musanmix.wav'), '-t', '15', '-c:a', 'pcm_f32le', bad);
  const b = fs.readFileSync(bad);
  for (const at of [3, 7.5]) b.writeFloatLE(NaN, b.length - Math.round((15 - at) * 16000) * 4);
  b.writeFloatLE(Infinity, b.length - 400);
  fs.writeFileSync(bad, b);
  const good = path.join(dir, 'good.flac');
  fs.copyFileSync(fixture('librispeech', '1034-121119-0000.flac'), good);
  const ds = path.join(dir, 'ds');
  const seg = sds('segment', bad, good, '--out', ds, '--no-gender', '-q');
  assert.equal(seg.status, 1, seg.stdout);
  assert.match(seg.stdout, /segment: 1 processed, 0 up to date, 1 failed/);
  assert.match(seg.stdout, /float\.wav: contains NaN or infinite samples/);
  // a hand-made table for it does not get it sliced either
  const id = readTable(path.join(ds, 'sources.csv')).find((s) => s.path === bad)!.id;
  fs.writeFileSync(path.join(ds, 'segments', `${id}.csv`), 'labels\tstart\tstop\nspeech\t0\t15\n');
  const slice = sds('slice', '--out', ds, '-q');
  assert.equal(slice.status, 1, slice.stdout);
  assert.match(slice.stdout, /float\.wav: contains NaN or infinite samples/);
  assert.ok(clipsOf(ds).length > 0 && clipsOf(ds).every((c) => c.source !== id), 'the good file is sliced, the bad one is not');
});

test('overlapping or negative segment rows fail their source with the rows named; the other sources are sliced', () => {
  const { ds } = dataset();
  const two = path.join(path.dirname(ds), 'two.flac');
  fs.copyFileSync(fixture('librispeech', '1034-121119-0000.flac'), two);
  assert.equal(sds('segment', two, '--out', ds, '--no-gender', '-q').status, 0);
  const [first, second] = readTable(path.join(ds, 'sources.csv'));
  fs.writeFileSync(path.join(ds, 'segments', `${first.id}.csv`), 'labels\tstart\tstop\nmale\t0\t5\nfemale\t3\t8\nnoEnergy\t8\t74.5\n');
  const r = sds('slice', '--out', ds, '--labels', 'male,female,speech', '-q');
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, new RegExp(`${first.id}\\.csv: row 3 \\(female 3-8\\) overlaps row 2 \\(male 0-5\\)`));
  assert.ok(clipsOf(ds).some((c) => c.source === second.id), 'the other source is sliced');
  fs.writeFileSync(path.join(ds, 'segments', `${first.id}.csv`), 'labels\tstart\tstop\nmale\t-1\t5\nnoEnergy\t5\t74.5\n');
  const neg = sds('slice', '--out', ds, '-q');
  assert.match(neg.stdout, /row 2 has invalid times \(-1, 5\)/);
});

test('dangling links, link loops, a folder linked to itself and unreadable entries are named; the other files finish', () => {
  const dir = tmpDir('sds-links-');
  const inputs = path.join(dir, 'in');
  fs.mkdirSync(path.join(inputs, 'sub'), { recursive: true });
  fs.copyFileSync(fixture('librispeech', '1034-121119-0000.flac'), path.join(inputs, 'good.flac'));
  fs.copyFileSync(fixture('librispeech', '1069-133699-0000.flac'), path.join(inputs, 'sub', 'deeper.flac'));
  fs.symlinkSync(path.join(dir, 'nowhere.wav'), path.join(inputs, 'gone.wav'));
  fs.symlinkSync('b.wav', path.join(inputs, 'a.wav'));
  fs.symlinkSync('a.wav', path.join(inputs, 'b.wav'));
  fs.symlinkSync('.', path.join(inputs, 'sub', 'itself'));
  fs.symlinkSync('..', path.join(inputs, 'sub', 'parent'));
  spawnSync('mkfifo', [path.join(inputs, 'pipe.wav')]);
  fs.copyFileSync(fixture('librispeech', '1116-132847-0000.flac'), path.join(inputs, 'locked.flac'));
  fs.mkdirSync(path.join(inputs, 'closed'));
  fs.copyFileSync(fixture('librispeech', '1334-135589-0000.flac'), path.join(inputs, 'closed', 'x.flac'));
  fs.chmodSync(path.join(inputs, 'locked.flac'), 0o000);
  fs.chmodSync(path.join(inputs, 'closed'), 0o000);
  // root reads everything: the unreadable entries are tried as an ordinary user, as they would be met
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  if (process.getuid?.() === 0) for (const d of [dir, inputs, path.join(inputs, 'sub')]) fs.chmodSync(d, 0o777);
  const r = spawnSync(process.execPath, [CLI, 'segment', inputs, '--out', path.join(dir, 'ds'), '--no-gender', '-q'], { encoding: 'utf8', ...asUser, env: { ...process.env, HOME: dir } });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /segment: 2 processed, 0 up to date/);
  assert.match(r.stdout, /gone\.wav: dangling symbolic link/);
  assert.match(r.stdout, /a\.wav: symbolic link loop/);
  assert.match(r.stdout, /b\.wav: symbolic link loop/);
  assert.match(r.stdout, /pipe\.wav: not a regular file/);
  assert.match(r.stdout, /locked\.flac: permission denied/);
  assert.match(r.stdout, /closed: cannot list this folder \(permission denied\)/);
  assert.match(r.stdout, /sub\/itself: links back to .*already walked: skipped/);
  assert.match(r.stdout, /sub\/parent: links back to .*already walked: skipped/);
  assert.equal(readTable(path.join(dir, 'ds', 'sources.csv')).length, 2);
});

test('invalid option values are usage errors (exit 2) naming the option, and nothing is written', () => {
  const dir = tmpDir('sds-usage-');
  const input = path.join(dir, 'a.flac');
  fs.copyFileSync(fixture('librispeech', '1034-121119-0000.flac'), input);
  const out = path.join(dir, 'never');
  const cases: [string[], RegExp][] = [
    [['segment', input, '--out', out, '--jobs=abc'], /--jobs must be a whole number >= 1, got "abc"/],
    [['segment', input, '--out', out, '--engine', 'foo'], /--engine: "foo" is not one of smn, sm or silero/],
    [['export', '--out', out, '--format', 'bogus'], /--format: "bogus" is not one of ljspeech, hf-audiofolder, nemo or kaldi/],
    [['clean', '--out', out, '--preset', 'bogus'], /--preset: "bogus" is not one of seed, speech, podcast/],
    [['ingest', '--out', out, input, '--max-size', 'lots'], /--max-size: cannot read "lots"/],
    [['export', '--out', out, '--format', 'ljspeech', '--split', '2,-1'], /--split wants up to three fractions/],
    [['slice', '--out', out, '--min', '20', '--max', '10'], /--min 20 \/ --max 10/],
    [['slice', '--out', out, '--pad', '-1'], /--pad: must be >= 0, got -1/],
    [['clean', '--out', out, '--denoise', 'bogus'], /--denoise: "bogus" is not off\|gate\|.*<model\.onnx>/],
    [['tone', 'classify', '--model', 'm.onnx', '--out', out, '--min-prob', '2'], /--min-prob: must be between 0 and 1, got 2/],
    [['transcribe', '--out', out, '--model', 'm', '--beam', '2.5'], /--beam: expects a whole number, got 2\.5/],
    [['slice', '--out', out, '--labels', 'male,../../x'], /--labels: "\.\.\/\.\.\/x" is not one of male, female/],
    [['run', dir, '--out', dir], /--out .* is also an input/],
    [['run', dir, '--out', input], /--out .*a\.flac is a file, not a folder/],
    [['run', path.join(out, 'clips'), '--out', out], /is inside the dataset folder/],
  ];
  for (const [args, message] of cases) {
    const r = sds(...args, '-q');
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.ok(!fs.existsSync(out), `${args.join(' ')} wrote nothing`);
  }
  assert.deepEqual(fs.readdirSync(dir), ['a.flac'], 'not even into the input folder');
});

test('after kill -9 during sds run, sources.csv keeps the durations of files already done; a rerun fills the rest', { timeout: 180000 }, async () => {
  const dir = tmpDir('sds-kill-sources-');
  const short = path.join(dir, 'short.wav');
  fs.copyFileSync(fixture('ina', 'musanmix.wav'), short);
  const ds = path.join(dir, 'ds');
  const child = spawn(process.execPath, [CLI, 'run', short, tenMinutes(), '--out', ds, '--jobs', '1', '--no-gender', '-q'], { stdio: 'ignore' });
  const doneDir = path.join(ds, '.sds', 'done', 'segment');
  await until(() => markers(doneDir) >= 1);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const first = readTable(path.join(ds, 'sources.csv')).find((s) => s.path === short)!;
  assert.ok(Math.abs(Number(first.duration) - 74.5) < 0.1 && first.sample_rate === '16000' && first.channels === '1', JSON.stringify(first));
  const again = sds('run', short, tenMinutes(), '--out', ds, '--jobs', '1', '--no-gender', '-q');
  assert.equal(again.status, 0, again.stdout + again.stderr);
  for (const s of readTable(path.join(ds, 'sources.csv'))) assert.ok(Number(s.duration) > 70 && s.sample_rate && s.channels, JSON.stringify(s));
});

test('sds clean resumes after kill -9: clips cleaned before the kill are not cleaned again', { timeout: 240000 }, async () => {
  const { ds } = dataset();
  // many short clips, so the kill lands part way through
  assert.equal(sds('slice', '--out', ds, '--labels', 'speech,music,noise', '--min', '0.5', '--max', '2', '-q').status, 0);
  const total = clipsOf(ds).length;
  assert.ok(total >= 30, `${total} clips`);
  const child = spawn(process.execPath, [CLI, 'clean', '--out', ds, '--jobs', '1', '-q'], { stdio: 'ignore' });
  const doneDir = path.join(ds, '.sds', 'done', 'clean');
  await until(() => markers(doneDir) >= 3);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const cleanedBefore = markers(doneDir);
  const again = sds('clean', '--out', ds, '--jobs', '2', '-q');
  assert.equal(again.status, 0, again.stdout + again.stderr);
  const m = /clean: (\d+) processed, (\d+) up to date/.exec(again.stdout)!;
  assert.equal(Number(m[1]) + Number(m[2]), total);
  assert.ok(Number(m[2]) >= cleanedBefore, `${m[2]} up to date after ${cleanedBefore} cleaned before the kill`);
  for (const c of clipsOf(ds)) assert.ok(c.clean_path && fs.existsSync(path.join(ds, c.clean_path)) && c.lufs, c.path);
});

test('clips.csv without a path column: clean, export, lint and slice say so by name, and clips.csv is left as it was', () => {
  const { ds } = dataset();
  const text = fs.readFileSync(path.join(ds, 'clips.csv'), 'utf8').replace(/^path,/, 'file,');
  fs.writeFileSync(path.join(ds, 'clips.csv'), text);
  for (const args of [['clean', '--out', ds, '--denoise', 'off'], ['export', '--out', ds, '--format', 'ljspeech'], ['lint', ds], ['slice', '--out', ds, '--min', '2']]) {
    const r = sds(...args, '-q');
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stdout + r.stderr, /clips\.csv: no path column/, args.join(' '));
    assert.doesNotMatch(r.stdout + r.stderr, /EISDIR|must be of type string/);
    assert.equal(fs.readFileSync(path.join(ds, 'clips.csv'), 'utf8'), text, `${args[0]} left clips.csv alone`);
  }
});

test('speaker score moves only clips the stages wrote into rejected/; a row pointing outside the dataset is only marked', () => {
  const { ds, dir } = dataset();
  const f = addForeignRows(ds, dir);
  assert.equal(sds('speaker', 'enroll', '--out', ds, '--name', 'reader', fixture('librispeech', '1069-133699-0000.flac'), '-q').status, 0);
  const r = sds('speaker', 'score', '--out', ds, '--ref', 'reader', '--min-sim', '0.99', '-q');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(sha(f.victim), f.victimSha, 'still where it was');
  assert.equal(sha(f.mine), f.mineSha);
  const rows = clipsOf(ds);
  for (const c of rows) assert.equal(c.excluded, 'yes', `${c.path} is under the threshold`);
  assert.ok(rows.filter((c) => c.path.startsWith('rejected/clips/')).length >= 3, 'the clips slice cut moved');
  assert.ok(rows.some((c) => c.path === 'extra/mine.wav'));
});

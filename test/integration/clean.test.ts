import assert from 'node:assert/strict';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { encodeWav, wavAudio } from '../../pipeline/audio/wav';
import { readTable, writeTable } from '../../pipeline/formats/csvTable';
import { CLI, decodeAll, ffmpeg, ffmpegMeter, fixture, sdsQuiet as sds, tmpDir, wavInfo } from '../helpers';
import { mulModel } from '../onnxBuilder';

let base: string;

before(() => {
  base = tmpDir('sds-clean-');
  const r = sds('run', fixture('ina', 'musanmix.wav'), fixture('librispeech'), '--out', base);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

function copyDataset(): string {
  const dir = tmpDir('sds-clean-copy-');
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

test('speech preset: every clip lands within 0.5 LU of -23 LUFS and under -1 dBTP by ffmpeg\'s own meter', () => {
  const dir = copyDataset();
  const r = sds('clean', '--out', dir);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const rows = readTable(path.join(dir, 'clips.csv'));
  assert.ok(rows.length >= 10);
  for (const row of rows) {
    const out = path.join(dir, row.clean_path);
    const m = ffmpegMeter(out, Number(row.clean_rate));
    assert.ok(Math.abs(m.I + 23) <= 0.5, `${row.clean_path}: ${m.I} LUFS`);
    assert.ok(m.TP <= -1 + 0.05, `${row.clean_path}: ${m.TP} dBTP`);
    assert.ok(fs.existsSync(path.join(dir, row.path)), 'the raw clip is kept');
    for (const c of ['raw_lufs', 'raw_snr', 'lufs', 'true_peak', 'snr', 'clipping', 'dc', 'bandwidth', 'silence', 'clean_note']) assert.ok(row[c] !== undefined && row[c] !== '', `${c} filled`);
    assert.equal(wavInfo(out).rate, 16000);
  }
  // a rerun has nothing to do
  assert.match(sds('clean', '--out', dir).stdout, /clean: 0 processed, \d+ up to date/);
});

test('--jobs 2 cleans in two worker processes and writes the same cells, and clips within one 16-bit step, as one process does', async () => {
  const one = copyDataset();
  const two = copyDataset();
  // one of them named relative to the working directory, as a user types it
  const a = spawnSync(process.execPath, [CLI, 'clean', '--out', path.basename(one), '--jobs', '1'], { encoding: 'utf8', cwd: path.dirname(one) });
  const b = spawnSync(process.execPath, [CLI, 'clean', '--out', two, '--jobs', '2'], { encoding: 'utf8' });
  assert.equal(a.status, 0, a.stdout + a.stderr);
  assert.equal(b.status, 0, b.stdout + b.stderr);
  assert.match(b.stdout, /clips cleaned into clean\/ \(dtln, -23 LUFS, -1 dBTP\) in 2 worker processes/);
  assert.doesNotMatch(a.stdout, /worker processes/);
  const rowsOne = readTable(path.join(one, 'clips.csv'));
  const rowsTwo = readTable(path.join(two, 'clips.csv'));
  assert.equal(rowsTwo.length, rowsOne.length);
  for (const [i, r] of rowsOne.entries()) {
    for (const c of ['clean_path', 'clean_rate', 'clean_hum', 'clean_note', 'lufs', 'true_peak', 'snr']) assert.equal(rowsTwo[i][c], r[c], `${r.path}: ${c}`);
    // DTLN batches the clips each process has in flight, and which clips share a run differs between the two: its
    // second stage's matrix products round differently with the batch (about 1e-6), so a 16-bit sample may move by one
    const [x, y] = [one, two].map((d) => {
      const { data } = wavAudio(fs.readFileSync(path.join(d, r.clean_path)))!;
      return new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    });
    assert.equal(y.length, x.length);
    const worst = x.reduce((m, v, k) => Math.max(m, Math.abs(v - y[k])), 0);
    assert.ok(worst <= 1, `${r.clean_path}: samples differ by up to ${worst} (16-bit steps)`);
  }
});

test('seed preset: a 36 dB/octave low-pass at 5 kHz takes the bandwidth under 5 kHz; podcast target -16 LUFS', () => {
  const dir = copyDataset();
  assert.equal(sds('clean', '--out', dir, '--preset', 'seed', '--loudness', '-16').status, 0);
  for (const row of readTable(path.join(dir, 'clips.csv'))) {
    assert.ok(Number(row.bandwidth) <= 5000, `${row.path}: ${row.bandwidth} Hz`);
    assert.ok(Math.abs(ffmpegMeter(path.join(dir, row.clean_path), Number(row.clean_rate)).I + 16) <= 0.5);
  }
});

test('a hot clip gets the limiter and says so; silent and NaN clips give clear per-clip results, the rest finishes', () => {
  const dir = copyDataset();
  const rows = readTable(path.join(dir, 'clips.csv'));
  const add = (name: string, x: Float32Array, format: 'pcm16' | 'float32' = 'pcm16') => {
    const p = `clips/male/${name}.wav`;
    fs.writeFileSync(path.join(dir, p), encodeWav(x, 16000, format));
    rows.push({ path: p, source: 'synthetic', start: '0', end: String(x.length / 16000), label: 'male', duration: String(x.length / 16000), sample_rate: '16000' });
  };
  // a quiet tone (about -37 LUFS) with a few full-scale clicks: +21 dB of gain would put the clicks far over the
  // ceiling, so the limiter must step in
  add('hot', Float32Array.from({ length: 48000 }, (_, n) => 0.02 * Math.sin((2 * Math.PI * 440 * n) / 16000) + (n % 8000 === 4000 ? 0.9 : 0)));
  add('silent', new Float32Array(32000));
  add('nan', Float32Array.from({ length: 32000 }, (_, n) => (n === 100 ? NaN : Math.sin(n / 10) * 0.1)), 'float32');
  return writeTable(path.join(dir, 'clips.csv'), rows, CLIP_COLUMNS).then(() => {
    const r = sds('clean', '--out', dir, '--denoise', 'off', '--dehum', 'off', '--loudness', '-16');
    assert.equal(r.status, 1, 'one clip failed');
    assert.match(r.stdout, /nan\.wav: contains NaN or infinite samples/);
    const after = readTable(path.join(dir, 'clips.csv'));
    const hot = after.find((x) => x.path.endsWith('hot.wav'))!;
    assert.match(hot.clean_note, /^limited/);
    const m = ffmpegMeter(path.join(dir, hot.clean_path), 16000);
    assert.ok(m.TP <= -1 + 0.05 && Math.abs(m.I + 16) <= 0.5, JSON.stringify(m));
    assert.match(after.find((x) => x.path.endsWith('silent.wav'))!.clean_note, /silent/);
    assert.equal(after.filter((x) => x.clean_path).length, after.length - 1, 'all but the NaN clip are cleaned');
  });
});

test('the ONNX slot: a user model with the waveform contract plugs in with --denoise model.onnx', () => {
  const dir = copyDataset();
  const model = path.join(dir, 'half.onnx');
  fs.writeFileSync(model, mulModel(0.5)); // y = 0.5 x, built here: nothing downloaded
  const r = sds('clean', '--out', dir, '--denoise', model, '--no-loudness', '--dehum', 'off', '--highpass', '0');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const row of readTable(path.join(dir, 'clips.csv'))) {
    assert.equal(row.clean_rate, '16000');
    assert.ok(Math.abs(Number(row.raw_lufs) - Number(row.lufs) - 6.02) < 0.05, `${row.raw_lufs} -> ${row.lufs}`);
  }
  const bad = sds('clean', '--out', dir, '--denoise', path.join(dir, 'nope.onnx'));
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr + bad.stdout, /nope\.onnx: denoiser model not found/);
});

test('rnnoise path: 48 kHz around the wasm model, back to the clip rate', () => {
  const dir = copyDataset();
  const r = sds('clean', '--out', dir, '--denoise', 'rnnoise');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const row of readTable(path.join(dir, 'clips.csv'))) {
    assert.equal(wavInfo(path.join(dir, row.clean_path)).rate, Number(row.sample_rate));
    assert.ok(Math.abs(ffmpegMeter(path.join(dir, row.clean_path), Number(row.clean_rate)).I + 23) <= 0.5);
  }
});

test('gate: the noise profile comes from the source\'s own noise segments and lowers the floor under the speech; the non-stationary gate and Wiener do too', () => {
  const dir = tmpDir('sds-gate-');
  const src = path.join(dir, 'noisy source.wav');
  // 4 s of MUSAN noise alone, then a LibriSpeech reader over the same noise at about 10 dB SNR
  ffmpeg('-i', fixture('ina', 'musanmix.wav'), '-i', fixture('librispeech', '1069-133699-0000.flac'), '-filter_complex',
    '[0]atrim=30:50,asetpts=PTS-STARTPTS,volume=0.3[n];[1]adelay=4000|4000,apad=whole_dur=20[s];[n][s]amix=inputs=2:normalize=0', '-ar', '16000', '-ac', '1', src);
  const out = path.join(dir, 'out');
  assert.equal(sds('run', src, '--out', out).status, 0);
  const segs = fs.readFileSync(path.join(out, 'segments', '0001_noisy_source.csv'), 'utf8');
  assert.match(segs, /^noise\t0\t/m, 'the leading noise is found as noise');
  const r = spawnSync(process.execPath, [CLI, 'clean', '--out', out, '--denoise', 'gate', '--no-loudness', '--dehum', 'off', '--highpass', '0'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /gate: 0001_noisy_source: noise profile from [1-9][\d.]* s of its noise\/noEnergy segments/);
  for (const row of readTable(path.join(out, 'clips.csv'))) {
    assert.ok(Number(row.snr) > Number(row.raw_snr) + 3, `${row.path}: SNR ${row.raw_snr} -> ${row.snr}`);
  }
  // the non-stationary ones need no profile: they track each bin's floor over time
  for (const denoise of ['gate-nonstationary', 'wiener']) {
    const a = sds('clean', '--out', out, '--denoise', denoise, '--no-loudness', '--dehum', 'off', '--highpass', '0');
    assert.equal(a.status, 0, a.stdout + a.stderr);
    for (const row of readTable(path.join(out, 'clips.csv'))) assert.ok(Number(row.snr) > Number(row.raw_snr) + 3, `${denoise}: ${row.path}: SNR ${row.raw_snr} -> ${row.snr}`);
  }
});

test('clean --sources: whole recordings streamed through filters, DTLN and two-pass loudness into clean/sources/, originals untouched, reruns resume', { timeout: 180000 }, async () => {
  const dir = tmpDir('sds-clean-sources-');
  // a 90 s stereo 44.1 kHz programme (three blocks of the denoiser) and a loud one that needs the limiter
  const show = path.join(dir, 'radio show.wav');
  ffmpeg('-stream_loop', '3', '-i', fixture('ina', 'musanmix.wav'), '-t', '90', '-ar', '44100', '-ac', '2', show);
  // quiet speech with a few loud clicks: the gain to -23 LUFS would push the clicks far over the ceiling
  const loud = path.join(dir, 'clicks.wav');
  const quiet = Float32Array.from(await decodeAll(fixture('librispeech', '1069-133699-0000.flac')), (v) => 0.03 * v);
  for (const at of [16000, 80000, 160000]) for (let k = 0; k < 40; k++) quiet[at + k] = 0.9 * Math.sin(k / 3);
  fs.writeFileSync(loud, encodeWav(quiet, 16000));
  const sha = (f: string) => spawnSync('sha256sum', [f], { encoding: 'utf8' }).stdout.split(' ')[0];
  const before = [sha(show), sha(loud)];
  const ds = path.join(dir, 'ds');
  assert.equal(sds('segment', show, loud, path.join(dir, 'missing.wav'), '--out', ds).status, 1);
  const r = sds('clean', '--out', ds, '--sources');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /2 sources cleaned into clean\/sources\/ \(dtln, -23 LUFS, -1 dBTP\)/);
  const rows = readTable(path.join(ds, 'sources.csv'));
  for (const row of rows) {
    const out = path.join(ds, row.clean_path);
    const info = wavInfo(out);
    assert.equal(info.rate, 16000);
    assert.ok(Math.abs(info.frames / 16000 - Number(row.duration)) < 0.01, `${row.id}: the whole recording (${info.frames / 16000} s of ${row.duration})`);
    const m = ffmpegMeter(out, 16000);
    assert.ok(Math.abs(m.I + 23) <= 0.5, `${row.id}: ${m.I} LUFS by ffmpeg`);
    assert.ok(m.TP <= -1 + 0.1, `${row.id}: ${m.TP} dBTP by ffmpeg`);
    assert.ok(Math.abs(Number(row.lufs) - m.I) < 0.3, 'our meter agrees with ffmpeg');
    assert.ok(row.raw_lufs && row.raw_true_peak && row.clean_note);
  }
  assert.match(rows.find((x) => x.path === loud)!.clean_note, /^limited: linear gain would peak at -?[\d.]+ dBTP; gain \+[\d.]+ dB with the limiter came out at -23\.\d LUFS/);
  assert.match(rows.find((x) => x.path === show)!.clean_note, /^(linear|limited)/);
  assert.deepEqual([sha(show), sha(loud)], before, 'originals are never written');
  const again = sds('clean', '--out', ds, '--sources');
  assert.match(again.stdout, /0 processed, 2 up to date/);
  // one source by id, filters only and the level left alone
  const one = sds('clean', '--out', ds, '--sources', rows[0].id, '--denoise', 'off', '--no-loudness', '--highpass', '120');
  assert.equal(one.status, 0, one.stdout + one.stderr);
  assert.match(readTable(path.join(ds, 'sources.csv')).find((x) => x.id === rows[0].id)!.clean_note, /level left alone/);
  assert.equal(wavInfo(path.join(ds, rows[0].clean_path)).rate, 44100, 'without a 16 kHz denoiser the source keeps its rate');
});

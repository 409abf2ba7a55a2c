import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { decodeWav, encodeWav } from '../../pipeline/audio/wav';
import { siSdr } from '../../pipeline/audio/referenceMetrics';
import { readTable } from '../../pipeline/formats/csvTable';
import { parseSegmentCsv } from '../../pipeline/formats/segmentTable';
import { decodeAll, ffmpeg, fixture, ROOT, tmpDir } from '../helpers';
import { onesMaskModel } from '../onnxBuilder';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const sds = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '-q'], { encoding: 'utf8' });

function onesMask(file: string): string {
  fs.writeFileSync(file, onesMaskModel());
  return file;
}

test('separate through the ONNX mask contract: a mask of ones gives back the mixture bit for bit, across 30 s blocks', () => {
  const dir = tmpDir('sds-sep-ones-');
  // 70 s of real audio as 16-bit 16 kHz: three blocks, two block boundaries
  const mix = path.join(dir, 'mix.wav');
  ffmpeg('-stream_loop', '1', '-i', fixture('ina', 'musanmix.wav'), '-t', '70', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', mix);
  const r = sds('separate', mix, '--out', path.join(dir, 'ds'), '--model', onesMask(path.join(dir, 'ones.onnx')), '--stems', 'vocals,accompaniment');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const row = readTable(path.join(dir, 'ds', 'sources.csv'))[0];
  const input = fs.readFileSync(mix);
  const vocals = fs.readFileSync(row.vocals);
  const a = new Int16Array(input.buffer, input.byteOffset + input.length - 70 * 16000 * 2, 70 * 16000);
  const b = new Int16Array(vocals.buffer, vocals.byteOffset + 44, (vocals.length - 44) / 2);
  assert.equal(b.length, a.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  assert.equal(diff, 0, `${diff} samples differ`);
  const acc = decodeWav(fs.readFileSync(row.accompaniment))!;
  assert.ok(acc.samples.every((v) => v === 0), 'nothing is left for the accompaniment');
});

test('REPET-SIM (model-free default) lifts a reader out of music at 0 dB; segment and slice run on the vocals stem', async () => {
  const dir = tmpDir('sds-sep-repet-');
  const speech = await decodeAll(fixture('librispeech', '1069-133699-0000.flac'));
  const music = (await decodeAll(fixture('ina', 'musanmix.wav'))).subarray(0, 22 * 16000);
  const n = Math.min(speech.length, music.length);
  const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
  const g = rms(speech.subarray(0, n)) / rms(music.subarray(0, n));
  const mix = Float32Array.from({ length: n }, (_, i) => speech[i] + g * music[i]);
  const file = path.join(dir, 'reader over music.wav');
  fs.writeFileSync(file, encodeWav(mix, 16000));
  const r = sds('separate', file, '--out', path.join(dir, 'ds'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /REPET-SIM \(model-free\)/);
  const row = readTable(path.join(dir, 'ds', 'sources.csv'))[0];
  const est = decodeWav(fs.readFileSync(row.vocals))!.samples;
  const before = siSdr(mix, speech.subarray(0, n));
  const after = siSdr(est.subarray(0, n), speech.subarray(0, n));
  console.log(`# SI-SDR of the reader: mixture ${before.toFixed(2)} dB, REPET-SIM vocals ${after.toFixed(2)} dB`);
  assert.ok(after > before + 0.5, `${after} vs ${before}`);

  const run = sds('run', file, '--out', path.join(dir, 'ds'), '--on', 'vocals', '--no-gender', '--min', '1');
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const segs = parseSegmentCsv(fs.readFileSync(path.join(dir, 'ds', 'segments', `${row.id}.csv`), 'utf8'));
  assert.ok(Math.abs(segs[segs.length - 1].stop - n / 16000) < 0.05, 'times follow the original');
  const clips = readTable(path.join(dir, 'ds', 'clips.csv'));
  assert.ok(clips.length >= 1 && clips.every((c) => c.sample_rate === '16000'), 'clips are cut from the 16 kHz vocals stem');
  const rerun = sds('separate', '--out', path.join(dir, 'ds'));
  assert.match(rerun.stdout, /0 processed, 1 up to date/);
  const none = sds('segment', path.join(dir, 'nope.wav'), '--out', tmpDir('sds-sep-none-'), '--on', 'vocals');
  assert.notEqual(none.status, 0);
});

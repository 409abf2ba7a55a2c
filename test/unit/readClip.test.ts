import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { allFinite, collect, decodeMono } from '../../pipeline/audio/ffmpeg';
import { encodeWav, wavFramesOnDisk } from '../../pipeline/audio/wav';
import { readClip } from '../../pipeline/audio/readClip';
import { ffmpeg, fixture, tmpDir } from '../helpers';

const maxDiff = (a: Float32Array, b: Float32Array) => {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

test('FLAC is decoded in-process exactly as ffmpeg decodes it: mono, stereo (mixed down), another rate (resampled)', async () => {
  const mono = fixture('librispeech', '1069-133699-0000.flac');
  assert.ok(maxDiff(await readClip(mono, 16000), await collect(decodeMono(mono, { sampleRate: 16000 }))) < 1e-6);
  const dir = tmpDir('sds-flac-');
  const stereo = path.join(dir, 'stereo.flac');
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=300:d=1', '-f', 'lavfi', '-i', 'sine=f=500:d=1', '-filter_complex', 'amerge=inputs=2', '-ar', '16000', stereo);
  assert.ok(maxDiff(await readClip(stereo, 16000), await collect(decodeMono(stereo, { sampleRate: 16000 }))) < 1e-6);
  const at44 = path.join(dir, 'at44.flac');
  ffmpeg('-i', mono, '-ar', '44100', at44);
  const ours = await readClip(at44, 16000);
  const theirs = await collect(decodeMono(at44, { sampleRate: 16000 }));
  assert.ok(Math.abs(ours.length - theirs.length) <= 2);
});

test('a damaged FLAC falls back to ffmpeg, whose error names the file; the next file decodes as before', async () => {
  const bad = path.join(tmpDir('sds-flac-bad-'), 'bad.flac');
  fs.writeFileSync(bad, Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(200, 7)]));
  await assert.rejects(readClip(bad, 16000), (e: Error) => e.message.includes('bad.flac'));
  // the in-process decoder is shared: after a damaged file, and after half a file, the next one still decodes exactly
  const mono = fixture('librispeech', '1069-133699-0000.flac');
  const half = path.join(path.dirname(bad), 'half.flac');
  fs.writeFileSync(half, fs.readFileSync(mono).subarray(0, 30000));
  await readClip(half, 16000).catch(() => undefined);
  assert.ok(maxDiff(await readClip(mono, 16000), await collect(decodeMono(mono, { sampleRate: 16000 }))) < 1e-6);
});

test('the frames a WAV on disk really holds: a write cut short counts what is there, not what the header promised', () => {
  const dir = tmpDir('sds-wavframes-');
  const file = path.join(dir, 'a.wav');
  fs.writeFileSync(file, encodeWav(new Float32Array(16000).fill(0.1), 16000));
  assert.equal(wavFramesOnDisk(file), 16000);
  fs.truncateSync(file, 44 + 2 * 9000 + 1);
  assert.equal(wavFramesOnDisk(file), 9000);
  fs.writeFileSync(file, 'not a wav at all');
  assert.equal(wavFramesOnDisk(file), undefined);
});

test('a float clip with NaN or infinite samples is refused by name, in-process and through ffmpeg alike', async () => {
  const dir = tmpDir('sds-nanclip-');
  const file = path.join(dir, 'f.wav');
  const x = new Float32Array(8000).fill(0.2);
  x[100] = NaN;
  x[5000] = -Infinity;
  fs.writeFileSync(file, encodeWav(x, 16000, 'float32'));
  await assert.rejects(readClip(file, 16000), new RegExp(`${file}: contains NaN or infinite samples`));
  await assert.rejects(readClip(file, 22050), /contains NaN or infinite samples/);
  await assert.rejects(collect(decodeMono(file, { sampleRate: 8000 })), new RegExp(`${file}: contains NaN or infinite samples`));
  assert.ok(allFinite(new Float32Array([0, 1, -1, 3e38])) && !allFinite(new Float32Array([0, NaN])) && !allFinite(new Float32Array([Infinity])));
});

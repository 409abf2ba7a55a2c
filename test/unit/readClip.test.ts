import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { collect, decodeMono } from '../../pipeline/audio/ffmpeg';
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

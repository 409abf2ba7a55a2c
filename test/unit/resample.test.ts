import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resample } from '../../pipeline/audio/ffmpeg';
import { siSdr } from '../../pipeline/audio/referenceMetrics';
import { resampleSinc } from '../../pipeline/audio/resample';
import { decodeAll, fixture } from '../helpers';

test('16 kHz -> 22.05 kHz in-process matches ffmpeg\'s resampler on real speech (SI-SDR > 25 dB)', async () => {
  const x = await decodeAll(fixture('librispeech', '1069-133699-0000.flac'));
  const ours = resampleSinc(x, 16000, 22050);
  const theirs = await resample(x, 16000, 22050);
  const n = Math.min(ours.length, theirs.length) - 100;
  assert.ok(Math.abs(ours.length - theirs.length) <= 2);
  assert.ok(siSdr(ours.subarray(100, n), theirs.subarray(100, n)) > 25, String(siSdr(ours.subarray(100, n), theirs.subarray(100, n))));
});

test('a tone keeps its frequency and level through a rate change both ways', () => {
  const x = Float32Array.from({ length: 16000 }, (_, n) => 0.5 * Math.sin((2 * Math.PI * 440 * n) / 16000));
  const up = resampleSinc(x, 16000, 22050);
  const ref = Float32Array.from({ length: up.length }, (_, n) => 0.5 * Math.sin((2 * Math.PI * 440 * n) / 22050));
  assert.ok(siSdr(up.subarray(200, up.length - 200), ref.subarray(200, up.length - 200)) > 40);
  const down = resampleSinc(up, 22050, 16000);
  assert.ok(siSdr(down.subarray(200, 15800), x.subarray(200, 15800)) > 40);
});

test('long audio, resampled through the SIMD kernel a block at a time, has no seams at the block edges', () => {
  // 40 s: the outputs cross the kernel's 2^18-output blocks twice
  const tone = (n: number, rate: number) => 0.5 * Math.sin((2 * Math.PI * 440 * n) / rate);
  const x = Float32Array.from({ length: 16000 * 40 }, (_, n) => tone(n, 16000));
  const y = resampleSinc(x, 16000, 22050);
  let worst = 0;
  for (let j = 200; j < y.length - 200; j++) worst = Math.max(worst, Math.abs(y[j] - tone(j, 22050)));
  assert.ok(worst < 2e-3, `largest error against the ideal tone: ${worst}`);
});

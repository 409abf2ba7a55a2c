import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { computeSpectrogram, SPECTROGRAM_FFT } from '../../pipeline/audio/spectrogram';
import { computePeaks } from '../../pipeline/audio/peaks';
import { ffmpeg, tmpDir } from '../helpers';

test('timeline data: a 1 kHz tone peaks in bin 32 of the spectrogram; peaks follow the envelope; both cached', async () => {
  const dir = tmpDir();
  const wav = path.join(dir, 'tone.wav');
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=16000:duration=2', '-af', 'volume=0.5', wav);
  const cache = path.join(dir, 'spec.json');
  const r = await computeSpectrogram(wav, cache, 'k1');
  assert.ok(Math.abs(r.frames - 2 * 25) <= 1);
  const [channel] = JSON.parse(fs.readFileSync(cache, 'utf8')) as number[][][];
  const col = channel[10];
  assert.equal(col.length, SPECTROGRAM_FFT / 2);
  assert.equal(col.indexOf(Math.max(...col)), Math.round((1000 * SPECTROGRAM_FFT) / 16000));
  fs.writeFileSync(cache, '[]'); // a cache hit must not recompute
  assert.equal((await computeSpectrogram(wav, cache, 'k1')).frames, r.frames);
  assert.equal(fs.readFileSync(cache, 'utf8'), '[]');
  const p = await computePeaks(wav, path.join(dir, 'peaks.json'), 'k1');
  assert.ok(Math.abs(p.duration - 2) < 0.01);
  assert.equal(p.peaks.length, 200);
  // ffmpeg's sine source is at 1/8 of full scale, halved by the volume filter
  assert.ok(p.peaks.slice(10, 190).every((v) => Math.abs(v - 0.0625) < 0.003), `flat envelope at 1/16: ${p.peaks.slice(10, 14)}`);
});

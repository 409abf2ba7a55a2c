import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectHum } from '../../pipeline/audio/hum';
import { limit, Limiter } from '../../pipeline/audio/limiter';
import { truePeak } from '../../pipeline/audio/loudness';
import { decodeAll, fixture } from '../helpers';

test('the limiter keeps every sample under the ceiling and leaves quiet passages alone', () => {
  const fs = 16000;
  const x = Float32Array.from({ length: fs }, (_, n) => (n > 8000 && n < 8100 ? 1.5 : 0.2) * Math.sin(n / 5));
  const y = limit(x, fs, 0.9);
  assert.ok(y.every((v) => Math.abs(v) <= 0.9 + 1e-6));
  assert.ok(Math.abs(y[1000] - x[1000]) < 1e-6, 'far from the peak: untouched');
});

test('hum: 50 Hz + harmonics added to speech are found, clean speech has none', async () => {
  const speech = await decodeAll(fixture('librispeech', '1069-133699-0000.flac'));
  assert.equal(detectHum(speech, 16000), undefined);
  const hummed = Float32Array.from(speech, (v, n) => v + 0.02 * Math.sin((2 * Math.PI * 50 * n) / 16000) + 0.03 * Math.sin((2 * Math.PI * 150 * n) / 16000));
  const h = detectHum(hummed, 16000)!;
  assert.equal(h.base, 50);
  assert.ok(h.harmonics.includes(50) && h.harmonics.includes(150), JSON.stringify(h));
  const h60 = detectHum(Float32Array.from(speech, (v, n) => v + 0.02 * Math.sin((2 * Math.PI * 60 * n) / 16000)), 16000)!;
  assert.equal(h60.base, 60);
  assert.ok(truePeak(hummed, 16000) > -20);
});

test('the limiter streams: chunk by chunk equals all at once, and a peak in the first milliseconds is held too', () => {
  const fs = 16000;
  const x = Float32Array.from({ length: 3 * fs }, (_, n) => Math.sin(n / 5) * (n % 4000 < 300 ? 1.8 : 0.4));
  const whole = limit(x, fs, 0.9);
  assert.ok(whole.every((v) => Math.abs(v) <= 0.9 + 1e-6), 'the peak at the very start is limited');
  const l = new Limiter(fs, 0.9);
  const parts: Float32Array[] = [];
  for (let i = 0; i < x.length; i += 777) parts.push(l.push(x.subarray(i, i + 777)));
  parts.push(l.flush());
  const joined = new Float32Array(x.length);
  let o = 0;
  for (const p of parts) {
    joined.set(p, o);
    o += p.length;
  }
  assert.equal(o, x.length);
  assert.deepEqual(joined, whole);
});

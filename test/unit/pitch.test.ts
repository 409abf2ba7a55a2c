import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { PitchTracker } from '../../pipeline/features/pitch';
import { loadRealFft } from '../../pipeline/features/realFft';
import { medianPitch } from '../../pipeline/segmentation/gender';

function track(signal: Float32Array): Float32Array {
  const p = new PitchTracker(16000, 320, 200);
  for (let o = 0; o < signal.length; o += 3000) p.push(signal.subarray(o, o + 3000));
  return p.finish(Math.ceil(signal.length / 320));
}

/** A voice-like harmonic complex: falling spectrum, so the fundamental is not the loudest partial alone. */
const voice = (f0: number, seconds = 1) =>
  Float32Array.from({ length: 16000 * seconds }, (_, n) => {
    let v = 0;
    for (let h = 1; h <= 10; h++) v += Math.sin((2 * Math.PI * f0 * h * n) / 16000) / h;
    return 0.2 * v;
  });

for (const f0 of [90, 120, 210, 300]) {
  test(`harmonic complex at ${f0} Hz is tracked within 2%`, () => {
    const m = medianPitch(track(voice(f0)));
    assert.ok(Math.abs(m - f0) / f0 < 0.02, `median ${m}`);
  });
}

before(loadRealFft);

test('white noise is mostly unvoiced', () => {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const f0 = track(Float32Array.from({ length: 16000 }, () => 0.3 * rnd()));
  assert.ok(f0.filter((v) => v > 0).length / f0.length < 0.2);
});

test('one estimate per hop, each centred where asked', () => {
  const x = new Float32Array(16000);
  x.set(voice(150, 1).subarray(0, 8000), 8000); // voiced from 0.5 s
  const f0 = track(x);
  assert.equal(f0.length, 50);
  assert.equal(f0[20], 0); // centre 0.4125 s: still silent
  assert.ok(f0[30] > 140 && f0[30] < 160);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnySizeFft } from '../../pipeline/enhance/anySizeFft';
import { mdxIstft, mdxStft, type MdxSpec } from '../../pipeline/separate/mdx';
import { centreSeparator } from '../../pipeline/separate/centre';
import { seededRandom } from '../../pipeline/ml/random';

test('any-size DFT (Bluestein for 12, 480, 7680; fft.js for 512) matches the definition and inverts', () => {
  const rand = seededRandom(4);
  for (const n of [12, 480, 512, 7680]) {
    const x = Float64Array.from({ length: 2 * n }, () => rand() - 0.5);
    const f = new AnySizeFft(n);
    const X = new Float64Array(2 * n);
    f.transform(X, x);
    for (const k of [0, 1, Math.floor(n / 3), n - 1]) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        const a = (-2 * Math.PI * i * k) / n;
        re += x[2 * i] * Math.cos(a) - x[2 * i + 1] * Math.sin(a);
        im += x[2 * i] * Math.sin(a) + x[2 * i + 1] * Math.cos(a);
      }
      assert.ok(Math.abs(re - X[2 * k]) < 1e-8 && Math.abs(im - X[2 * k + 1]) < 1e-8, `n ${n} bin ${k}`);
    }
    const back = new Float64Array(2 * n);
    f.inverse(back, X);
    assert.ok(back.every((v, i) => Math.abs(v - x[i]) < 1e-12), `n ${n} round trip`);
  }
});

test('MDX-Net STFT (torch.stft centre/reflect, both channels in one transform) and its inverse give the chunk back', () => {
  const s: MdxSpec = { kind: 'mdx', sampleRate: 16000, nFft: 480, hop: 120, dimF: 241, dimT: 32 };
  const rand = seededRandom(9);
  const chunk = s.hop * (s.dimT - 1);
  const left = Float32Array.from({ length: chunk }, () => rand() - 0.5);
  const right = Float32Array.from({ length: chunk }, (_, i) => Math.sin(i / 7));
  const fft = new AnySizeFft(s.nFft);
  const win = Float64Array.from({ length: s.nFft }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / s.nFft));
  const spec = mdxStft(left, right, s, fft, win);
  assert.equal(spec.length, 4 * s.dimF * s.dimT);
  const [l, r] = mdxIstft(spec, chunk, s, fft, win);
  for (let i = 0; i < chunk; i++) assert.ok(Math.abs(l[i] - left[i]) < 1e-5 && Math.abs(r[i] - right[i]) < 1e-5, `sample ${i}`);
  // bins above dimF are dropped: a model that keeps 120 bins of 241 low-passes the chunk
  const cut: MdxSpec = { ...s, dimF: 120 };
  const [lc] = mdxIstft(mdxStft(left, right, cut, fft, win), chunk, cut, fft, win);
  const energy = (x: Float32Array) => x.reduce((e, v) => e + v * v, 0);
  assert.ok(energy(lc) < 0.6 * energy(left), 'white noise loses about half its energy');
});

test('centre-channel extraction returns a mono (identical-channel) block unchanged and removes what is only on one side', async () => {
  const sep = centreSeparator();
  const rand = seededRandom(2);
  const n = 16000;
  const same = Float32Array.from({ length: n }, () => rand() - 0.5);
  const out = await sep.vocals([same, same]);
  for (let i = 2000; i < n - 2000; i++) assert.ok(Math.abs(out[i] - same[i]) < 1e-5);
  const leftOnly = await sep.vocals([same, new Float32Array(n)]);
  assert.ok(leftOnly.every((v) => Math.abs(v) < 1e-6), 'hard-panned sound is not in the centre');
});

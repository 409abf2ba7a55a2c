import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { loadRealFft, RealFft } from '../../pipeline/features/realFft';
import { autocorrelations, bandEnergies, magnitudeFrames, matmulRows } from '../../pipeline/wasm/kernels';

before(loadRealFft);

/** Deterministic noise, so a failure reproduces. */
function noise(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
};

test('the committed kernels.wasm is what kernels.wat assembles to (run scripts/build-wasm.mjs after editing it)', async () => {
  const { assembleKernels } = await import('../../scripts/build-wasm.mjs');
  const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'pipeline', 'wasm', 'kernels.wasm'));
  assert.ok(Buffer.compare(await assembleKernels(), committed) === 0);
});

test('magnitude frames equal a direct DFT of each windowed frame, over more frames than one kernel block', () => {
  const nfft = 64;
  const hop = 24;
  const frames = 300; // the kernel takes 256 frames a call
  const x = noise((frames - 1) * hop + nfft);
  const win = Float32Array.from({ length: nfft }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nfft));
  const fft = RealFft.of(nfft);
  const got = magnitudeFrames(x, hop, frames, win, (f) => fft.forwardOf(f), 1e-3);
  const want = new Float64Array(frames * (nfft / 2 + 1));
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k <= nfft / 2; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < nfft; n++) {
        const v = x[t * hop + n] * win[n];
        re += v * Math.cos((2 * Math.PI * k * n) / nfft);
        im -= v * Math.sin((2 * Math.PI * k * n) / nfft);
      }
      want[t * (nfft / 2 + 1) + k] = Math.sqrt(re * re + im * im + 1e-3);
    }
  }
  close(got, want, 2e-5, 'magnitude');
});

test('autocorrelations equal the direct sum over each mean-removed, windowed frame', () => {
  const len = 40;
  const nfft = 128; // >= 2 len - 1: the circular autocorrelation is the linear one
  const hop = 13;
  const frames = 270;
  const lags = 30;
  const x = noise((frames - 1) * hop + len, 7);
  const win = Float32Array.from({ length: len }, (_, n) => Math.sin((Math.PI * (n + 0.5)) / len));
  const fft = RealFft.of(nfft);
  const got = autocorrelations(x, hop, frames, win, nfft, lags, (f) => fft.forwardOf(f), (s) => fft.inverseOf(s));
  const want = new Float64Array(frames * lags);
  for (let t = 0; t < frames; t++) {
    let mean = 0;
    for (let n = 0; n < len; n++) mean += x[t * hop + n] / len;
    const w = Array.from({ length: len }, (_, n) => (x[t * hop + n] - mean) * win[n]);
    for (let lag = 0; lag < lags; lag++) {
      let s = 0;
      for (let n = 0; n + lag < len; n++) s += w[n] * w[n + lag];
      want[t * lags + lag] = nfft * s; // unscaled, as the inverse FFT leaves it
    }
  }
  close(got, want, 1e-3, 'autocorrelation');
});

test('matmulRows multiplies rows by a matrix, an odd inner size and more rows than one block', () => {
  const inner = 37;
  const cols = 12;
  const rows = Array.from({ length: 300 }, (_, r) => noise(inner, r + 3));
  const b = noise(inner * cols, 99);
  const got = matmulRows(rows, b, cols);
  const want = new Float64Array(rows.length * cols);
  rows.forEach((a, r) => {
    for (let j = 0; j < cols; j++) for (let i = 0; i < inner; i++) want[r * cols + j] += a[i] * b[i * cols + j];
  });
  close(got, want, 1e-5, 'product');
});

test('band energies are each band\'s weighted sum of squares, bands of any length up to the last bin', () => {
  const bins = 50;
  const bands = [
    { start: 0, weights: noise(1, 5) }, { start: 3, weights: noise(7, 6) }, { start: 10, weights: new Float32Array(0) },
    { start: 20, weights: noise(13, 8) }, { start: 45, weights: noise(5, 9) }, // ends on the last bin
  ];
  const rows = Array.from({ length: 300 }, (_, r) => noise(bins, 100 + r));
  const got = bandEnergies(rows, bands);
  const want = new Float64Array(rows.length * bands.length);
  rows.forEach((x, r) => bands.forEach((b, f) => {
    for (let j = 0; j < b.weights.length; j++) want[r * bands.length + f] += b.weights[j] * x[b.start + j] ** 2;
  }));
  close(got, want, 1e-5, 'energy');
});

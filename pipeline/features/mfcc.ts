import { matmulRows } from '../wasm/kernels';

/**
 * librosa.power_to_db with ref=1, amin=1e-10 and top_db=80 over a whole spectrogram: the floor is 80 dB under the
 * loudest cell of the clip, which is why this needs every frame first.
 */
export function powerToDb(frames: ArrayLike<number>[], topDb = 80): Float64Array[] {
  let max = -Infinity;
  const db = frames.map((f): Float64Array => {
    const d = new Float64Array(f.length);
    for (let i = 0; i < f.length; i++) {
      d[i] = 10 * Math.log10(Math.max(1e-10, f[i]));
      if (d[i] > max) max = d[i];
    }
    return d;
  });
  const floor = max - topDb;
  for (const d of db) for (let i = 0; i < d.length; i++) if (d[i] < floor) d[i] = floor;
  return db;
}

const bases = new Map<string, Float32Array>();

/**
 * Orthonormal DCT-II (scipy's norm='ortho'), first `n` coefficients of each row: log-mel to MFCC, all frames as one
 * product in the SIMD kernel (float32, as librosa's own).
 */
export function dctFrames(rows: ArrayLike<number>[], n: number): Float64Array[] {
  if (!rows.length) return [];
  const len = rows[0].length;
  const cols = Math.ceil(n / 4) * 4; // the kernel fills four columns at a time: the extra ones stay 0
  const key = `${len}:${n}`;
  let basis = bases.get(key);
  if (!basis) {
    // len x cols: row i holds sample i's weight in each coefficient
    basis = new Float32Array(len * cols);
    for (let k = 0; k < n; k++) {
      const scale = Math.sqrt((k === 0 ? 1 : 2) / len);
      for (let i = 0; i < len; i++) basis[i * cols + k] = scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * len));
    }
    bases.set(key, basis);
  }
  const flat = matmulRows(rows, basis, cols);
  return rows.map((_, t) => Float64Array.from(flat.subarray(t * cols, t * cols + n)));
}

/** One row's DCT-II ortho (dctFrames of a single frame). */
export function dctOrtho(x: ArrayLike<number>, n: number): Float64Array {
  return dctFrames([x], n)[0];
}

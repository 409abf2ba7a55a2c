/**
 * librosa.power_to_db with ref=1, amin=1e-10 and top_db=80 over a whole spectrogram: the floor is 80 dB under the
 * loudest cell of the clip, which is why this needs every frame first.
 */
export function powerToDb(frames: Float64Array[], topDb = 80): Float64Array[] {
  let max = -Infinity;
  const db = frames.map((f) => {
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

/** Orthonormal DCT-II (scipy's norm='ortho'), first `n` coefficients: log-mel to MFCC. */
export function dctOrtho(x: ArrayLike<number>, n: number, basis = dctBasis(x.length, n)): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const row = basis[k];
    let s = 0;
    for (let i = 0; i < x.length; i++) s += row[i] * x[i];
    out[k] = s;
  }
  return out;
}

export function dctBasis(len: number, n: number): Float64Array[] {
  return Array.from({ length: n }, (_, k) => {
    const scale = Math.sqrt((k === 0 ? 1 : 2) / len);
    return Float64Array.from({ length: len }, (_, i) => scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * len)));
  });
}

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
export function dctOrtho(x: Float64Array, n: number, basis = dctBasis(x.length, n)): Float64Array {
  const out = new Float64Array(n);
  const len = x.length;
  for (let k = 0; k < n; k++) {
    const row = basis[k];
    // four running sums: one sum would wait on each add's latency (V8 does not vectorise)
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i + 3 < len; i += 4) {
      s0 += row[i] * x[i];
      s1 += row[i + 1] * x[i + 1];
      s2 += row[i + 2] * x[i + 2];
      s3 += row[i + 3] * x[i + 3];
    }
    for (; i < len; i++) s0 += row[i] * x[i];
    out[k] = s0 + s1 + (s2 + s3);
  }
  return out;
}

export function dctBasis(len: number, n: number): Float64Array[] {
  return Array.from({ length: n }, (_, k) => {
    const scale = Math.sqrt((k === 0 ? 1 : 2) / len);
    return Float64Array.from({ length: len }, (_, i) => scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * len)));
  });
}

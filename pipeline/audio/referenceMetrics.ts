/** Scale-invariant SDR (dB) of an estimate against a clean reference of the same length and alignment. */
export function siSdr(est: Float32Array, ref: Float32Array): number {
  const n = Math.min(est.length, ref.length);
  let dot = 0;
  let rr = 0;
  for (let i = 0; i < n; i++) {
    dot += est[i] * ref[i];
    rr += ref[i] * ref[i];
  }
  // the SNR of the estimate against the reference scaled to its best fit
  const a = dot / rr;
  return snrAgainst(est, Float32Array.from(ref.subarray(0, n), (v) => a * v));
}

/** Plain SNR (dB): reference power over the power of (estimate - reference). */
export function snrAgainst(est: Float32Array, ref: Float32Array): number {
  const n = Math.min(est.length, ref.length);
  let s = 0;
  let e = 0;
  for (let i = 0; i < n; i++) {
    s += ref[i] * ref[i];
    e += (est[i] - ref[i]) ** 2;
  }
  return 10 * Math.log10(s / e);
}

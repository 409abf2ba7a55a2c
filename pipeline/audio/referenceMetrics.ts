/** Scale-invariant SDR (dB) of an estimate against a clean reference of the same length and alignment. */
export function siSdr(est: Float32Array, ref: Float32Array): number {
  const n = Math.min(est.length, ref.length);
  let dot = 0;
  let rr = 0;
  for (let i = 0; i < n; i++) {
    dot += est[i] * ref[i];
    rr += ref[i] * ref[i];
  }
  const a = dot / rr;
  let s = 0;
  let e = 0;
  for (let i = 0; i < n; i++) {
    const t = a * ref[i];
    s += t * t;
    e += (est[i] - t) ** 2;
  }
  return 10 * Math.log10(s / e);
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

/**
 * Scale-invariant SDR (dB) of an estimate against a clean reference of the same length and alignment, both made
 * zero-mean first as its definition asks (Le Roux et al., "SDR - half-baked or well done?", 2019): a DC offset in
 * the reference (a LibriSpeech reader's is 4 dB under the speech) is not signal a denoiser or high-pass should keep.
 */
export function siSdr(est: Float32Array, ref: Float32Array): number {
  const n = Math.min(est.length, ref.length);
  const e = zeroMean(est.subarray(0, n));
  const r = zeroMean(ref.subarray(0, n));
  let dot = 0;
  let rr = 0;
  for (let i = 0; i < n; i++) {
    dot += e[i] * r[i];
    rr += r[i] * r[i];
  }
  // the SNR of the estimate against the reference scaled to its best fit
  const a = dot / rr;
  return snrAgainst(e, Float32Array.from(r, (v) => a * v));
}

function zeroMean(x: Float32Array): Float32Array {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length || 1;
  return Float32Array.from(x, (v) => v - m);
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

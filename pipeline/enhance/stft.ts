import FFT from 'fft.js';

/** sqrt-Hann (periodic): analysis and synthesis windows whose product overlap-adds to 1 at 50% overlap. */
export function sqrtHann(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)));
}

/**
 * Frame-by-frame STFT processing with overlap-add resynthesis: `fn` gets each frame's half spectrum
 * (re, im interleaved, nfft/2+1 bins) and returns the one to resynthesise. Output is aligned with the input.
 */
export async function processStft(
  x: Float32Array,
  nfft: number,
  hop: number,
  win: Float32Array,
  fn: (spec: Float32Array, frame: number) => Promise<Float32Array> | Float32Array,
): Promise<Float32Array> {
  const fft = new FFT(nfft);
  const lead = nfft - hop;
  const padded = new Float32Array(lead + x.length + nfft);
  padded.set(x, lead);
  const out = new Float32Array(padded.length);
  const frame = new Float32Array(nfft);
  const spec = fft.createComplexArray();
  const full = fft.createComplexArray();
  const time = fft.createComplexArray();
  const bins = nfft / 2 + 1;
  for (let pos = 0, t = 0; pos + nfft <= padded.length; pos += hop, t++) {
    for (let i = 0; i < nfft; i++) frame[i] = padded[pos + i] * win[i];
    fft.realTransform(spec, frame);
    const half = new Float32Array(2 * bins);
    for (let i = 0; i < 2 * bins; i++) half[i] = spec[i];
    const y = await fn(half, t);
    for (let k = 0; k < bins; k++) {
      full[2 * k] = y[2 * k];
      full[2 * k + 1] = k === 0 || k === nfft / 2 ? 0 : y[2 * k + 1];
    }
    for (let k = 1; k < nfft / 2; k++) {
      full[2 * (nfft - k)] = full[2 * k];
      full[2 * (nfft - k) + 1] = -full[2 * k + 1];
    }
    fft.inverseTransform(time, full);
    for (let i = 0; i < nfft; i++) out[pos + i] += time[2 * i] * win[i];
  }
  return out.slice(lead, lead + x.length);
}

/** Calls `fn` with each frame's half spectrum (analysis only, same framing as processStft). */
export function forEachFrame(x: Float32Array, nfft: number, hop: number, win: Float32Array, fn: (spec: Float32Array) => void): void {
  const fft = new FFT(nfft);
  const lead = nfft - hop;
  const padded = new Float32Array(lead + x.length + nfft);
  padded.set(x, lead);
  const frame = new Float32Array(nfft);
  const spec = fft.createComplexArray();
  for (let pos = 0; pos + nfft <= padded.length; pos += hop) {
    for (let i = 0; i < nfft; i++) frame[i] = padded[pos + i] * win[i];
    fft.realTransform(spec, frame);
    fn(Float32Array.from(spec.slice(0, nfft + 2)));
  }
}

import FFT from 'fft.js';

/** Power spectrum (nfft/2+1 bins) summed over Hann-windowed frames with 50% overlap. */
export function averagePowerSpectrum(x: Float32Array, nfft: number): Float64Array {
  const fft = new FFT(nfft);
  const out = fft.createComplexArray();
  const frame = new Float32Array(nfft);
  const power = new Float64Array(nfft / 2 + 1);
  const win = Float32Array.from({ length: nfft }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nfft));
  for (let o = 0; o + nfft <= x.length; o += nfft / 2) {
    for (let i = 0; i < nfft; i++) frame[i] = x[o + i] * win[i];
    fft.realTransform(out, frame);
    for (let k = 0; k <= nfft / 2; k++) power[k] += out[2 * k] ** 2 + out[2 * k + 1] ** 2;
  }
  return power;
}

import FFT from 'fft.js';

/**
 * Magnitude spectrogram framed as librosa.stft frames by default (periodic Hann window of n_fft, frames centred on
 * k*hop with zero padding), so features computed from it match librosa's. One Float64Array of n_fft/2+1 bins per frame.
 */
export function magnitudeSpectrogram(x: Float32Array, nfft: number, hop: number): Float64Array[] {
  const fft = new FFT(nfft);
  const win = Float64Array.from({ length: nfft }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nfft));
  const half = nfft / 2;
  const frames = 1 + Math.floor(x.length / hop);
  const frame = new Float64Array(nfft);
  const spec = new Float64Array(2 * nfft);
  const out: Float64Array[] = [];
  for (let t = 0; t < frames; t++) {
    const start = t * hop - half;
    for (let n = 0; n < nfft; n++) {
      const i = start + n;
      frame[n] = i >= 0 && i < x.length ? x[i] * win[n] : 0;
    }
    fft.realTransform(spec, frame);
    const mag = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) mag[k] = Math.sqrt(spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1]);
    out.push(mag);
  }
  return out;
}

import { periodicHann } from './window';
import { magnitudeOf, RealFft } from './realFft';

/**
 * Magnitude spectrogram framed as librosa.stft frames by default (periodic Hann window of n_fft, frames centred on
 * k*hop with zero padding), so features computed from it match librosa's. One Float64Array of n_fft/2+1 bins per
 * frame. Needs `loadRealFft()` first.
 */
export function magnitudeSpectrogram(x: Float32Array, nfft: number, hop: number): Float64Array[] {
  const fft = RealFft.of(nfft);
  const win = periodicHann(nfft);
  const half = nfft / 2;
  const frames = 1 + Math.floor(x.length / hop);
  const out: Float64Array[] = [];
  for (let t = 0; t < frames; t++) {
    const frame = fft.input;
    const start = t * hop - half;
    if (start >= 0 && start + nfft <= x.length) for (let n = 0; n < nfft; n++) frame[n] = x[start + n] * win[n];
    else for (let n = 0; n < nfft; n++) {
      const i = start + n;
      frame[n] = i >= 0 && i < x.length ? x[i] * win[n] : 0;
    }
    const mag = new Float64Array(half + 1);
    magnitudeOf(fft.forward(), mag);
    out.push(mag);
  }
  return out;
}


import { magnitudeFrames } from '../wasm/kernels';
import { RealFft } from './realFft';
import { periodicHann } from './window';

/**
 * Magnitude spectrogram framed as librosa.stft frames by default (periodic Hann window of n_fft, frames centred on
 * k*hop with zero padding), so features computed from it match librosa's. One Float32Array of n_fft/2+1 bins per
 * frame, all views of one buffer. Needs `loadRealFft()` first.
 */
export function magnitudeSpectrogram(x: Float32Array, nfft: number, hop: number): Float32Array[] {
  const fft = RealFft.of(nfft);
  const bins = nfft / 2 + 1;
  const frames = 1 + Math.floor(x.length / hop);
  const padded = new Float32Array(x.length + nfft);
  padded.set(x, nfft / 2);
  const flat = magnitudeFrames(padded, hop, frames, periodicHann(nfft), (f) => fft.forwardOf(f));
  return Array.from({ length: frames }, (_, t) => flat.subarray(t * bins, (t + 1) * bins));
}

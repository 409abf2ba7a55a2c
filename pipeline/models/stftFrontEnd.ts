import { periodicHann } from '../features/window';
import { RealFft } from '../features/realFft';
import { magnitudeFrames } from '../wasm/kernels';

/**
 * A model's STFT front end, as its manifest declares it (`frontEnd`), done in the host: the model is cut where the
 * spectrogram enters it (`cutAt`, see onnxCut.ts) and fed this. onnxruntime's CPU STFT kernel took two thirds of
 * tone_color_se's time; PFFFT does the same frames many times faster.
 */
export interface StftFrontEnd {
  /** the tensor the model is cut at: [1, frames, nFft/2 + 1] */
  cutAt: string;
  nFft: number;
  hop: number;
  /** samples reflected onto each end first (torch's pad mode "reflect"), then frames start at 0 (center=False) */
  reflectPad: number;
  /** each bin is sqrt(re^2 + im^2 + epsilon) */
  epsilon: number;
  /** the model reads no more than this many samples from the start (tone_color_se slices its input to 10 s) */
  maxSamples?: number;
}

/** Magnitude frames of `x` under a periodic Hann window of nFft, as a flat [frames x bins] array. */
export function stftMagnitudes(audio: Float32Array, fe: StftFrontEnd): { data: Float32Array; frames: number; bins: number } {
  const { nFft, hop, reflectPad: pad } = fe;
  const x = fe.maxSamples && audio.length > fe.maxSamples ? audio.subarray(0, fe.maxSamples) : audio;
  if (x.length <= pad) throw new Error(`audio of ${x.length} samples is shorter than the front end's ${pad}-sample reflection`);
  const padded = new Float32Array(x.length + 2 * pad);
  padded.set(x, pad);
  for (let i = 1; i <= pad; i++) {
    padded[pad - i] = x[i];
    padded[pad + x.length - 1 + i] = x[x.length - 1 - i];
  }
  const frames = padded.length >= nFft ? 1 + Math.floor((padded.length - nFft) / hop) : 0;
  const bins = nFft / 2 + 1;
  const fft = RealFft.of(nFft);
  const data = magnitudeFrames(padded, hop, frames, periodicHann(nFft), (f) => fft.forwardOf(f), fe.epsilon);
  return { data, frames, bins };
}


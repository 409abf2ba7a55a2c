import { AnySizeFft } from '../enhance/anySizeFft';
import { slaneyMelFilterbank } from './melFilterbank';

/** Whisper's front end: 16 kHz, 25 ms Hann windows every 10 ms, 30 s per window of the model. */
export const WHISPER_RATE = 16000;
export const WHISPER_NFFT = 400;
export const WHISPER_HOP = 160;
export const WHISPER_SAMPLES = 30 * WHISPER_RATE;
export const WHISPER_FRAMES = WHISPER_SAMPLES / WHISPER_HOP;

let fft: { fft: AnySizeFft; window: Float64Array } | undefined;
const filterbanks = new Map<number, ReturnType<typeof slaneyMelFilterbank>>();

/**
 * Log-mel features as Whisper's feature extractor computes them: the audio zero-padded (or cut) to 30 s, a centred
 * STFT with reflect padding (400-point DFT, periodic Hann, hop 160, last frame dropped), Slaney mel filters, log10
 * floored 8 below the maximum, then (x + 4) / 4. Returns [nMels][3000], row-major, as the encoder wants it.
 */
export function whisperLogMel(audio: Float32Array, nMels = 80): Float32Array {
  const x = new Float32Array(WHISPER_SAMPLES);
  x.set(audio.subarray(0, WHISPER_SAMPLES));
  const half = WHISPER_NFFT / 2;
  const bins = half + 1;
  if (!fft) {
    // 400 points is not a power of two: Bluestein's transform (AnySizeFft), the periodic Hann window precomputed
    fft = { fft: new AnySizeFft(WHISPER_NFFT), window: Float64Array.from({ length: WHISPER_NFFT }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / WHISPER_NFFT)) };
  }
  if (!filterbanks.has(nMels)) filterbanks.set(nMels, slaneyMelFilterbank(WHISPER_RATE, WHISPER_NFFT, nMels));
  const fb = filterbanks.get(nMels)!;
  const at = (i: number) => x[i < 0 ? -i : i >= x.length ? 2 * (x.length - 1) - i : i]; // reflect, edge not repeated
  const out = new Float32Array(nMels * WHISPER_FRAMES);
  const frame = new Float64Array(2 * WHISPER_NFFT);
  const spectrum = new Float64Array(2 * WHISPER_NFFT);
  const power = new Float64Array(bins);
  let max = -Infinity;
  for (let t = 0; t < WHISPER_FRAMES; t++) {
    const start = t * WHISPER_HOP - half;
    let energy = 0;
    for (let n = 0; n < WHISPER_NFFT; n++) {
      const v = at(start + n);
      energy += Math.abs(v);
      frame[2 * n] = v * fft.window[n];
      frame[2 * n + 1] = 0;
    }
    if (energy === 0) power.fill(0); // zero padding: no transform needed
    else {
      fft.fft.transform(spectrum, frame);
      for (let k = 0; k < bins; k++) power[k] = spectrum[2 * k] ** 2 + spectrum[2 * k + 1] ** 2;
    }
    for (let m = 0; m < nMels; m++) {
      const { start: s0, weights } = fb[m];
      let e = 0;
      for (let j = 0; j < weights.length; j++) e += weights[j] * power[s0 + j];
      const v = Math.log10(Math.max(e, 1e-10));
      out[m * WHISPER_FRAMES + t] = v;
      if (v > max) max = v;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = (Math.max(out[i], max - 8) + 4) / 4;
  return out;
}

import { magnitudeSpectrogram } from './centredStft';
import { chromaFrames } from './chroma';
import { bandEnergies } from '../wasm/kernels';
import { slaneyMelFilterbank, type Filter } from './melFilterbank';
import { dctFrames, powerToDb } from './mfcc';

export const SEED_NFFT = 2048;
export const SEED_HOP = 512;
export const SEED_DIMS = { mfcc: 40, chroma: 12, mel: 128 };

/** Per-frame spectra the tone features share: magnitude, mel power, log-mel (dB), MFCC and chroma. */
export interface ToneFrames {
  magnitude: Float32Array[];
  mel: Float32Array[];
  mfcc: Float64Array[];
  chroma: Float64Array[];
}

const melCache = new Map<string, Filter[]>();

/** librosa's defaults throughout (n_fft 2048, hop 512, 128 Slaney mels, 40 MFCC from 80 dB-floored log-mel). */
export function toneFrames(x: Float32Array, sr: number): ToneFrames {
  const magnitude = magnitudeSpectrogram(x, SEED_NFFT, SEED_HOP);
  const key = `${sr}`;
  if (!melCache.has(key)) melCache.set(key, slaneyMelFilterbank(sr, SEED_NFFT, SEED_DIMS.mel));
  const fb = melCache.get(key)!;
  const power = bandEnergies(magnitude, fb);
  const mel = magnitude.map((_, t) => power.subarray(t * SEED_DIMS.mel, (t + 1) * SEED_DIMS.mel));
  const mfcc = dctFrames(powerToDb(mel), SEED_DIMS.mfcc);
  return { magnitude, mel, mfcc, chroma: chromaFrames(magnitude, sr, SEED_NFFT) };
}

export function meanOver(frames: ArrayLike<number>[]): Float64Array {
  const m = new Float64Array(frames[0]?.length ?? 0);
  for (const f of frames) for (let i = 0; i < f.length; i++) m[i] += f[i] / frames.length;
  return m;
}

/**
 * The seed's 180-dim feature (librosa: 40 MFCC + 12 chroma + 128 mel, each averaged over frames), checked against
 * librosa itself in test/unit/seedFeature.test.ts.
 */
export function seedFeature(x: Float32Array, sr: number, frames = toneFrames(x, sr)): Float64Array {
  const out = new Float64Array(180);
  out.set(meanOver(frames.mfcc), 0);
  out.set(meanOver(frames.chroma), 40);
  out.set(meanOver(frames.mel), 52);
  return out;
}

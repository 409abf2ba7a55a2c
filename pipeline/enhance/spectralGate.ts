import { forEachFrame, processStft, sqrtHann } from './stft';

const NFFT = 1024;
const HOP = 256;
const N_STD = 1.5; // noisereduce's n_std_thresh_stationary
const FLOOR = 0.1; // attenuation of gated bins (-20 dB): full removal sounds "musical"

/** Per-bin noise statistics (dB magnitude mean and std) from noise-only audio. */
export interface NoiseProfile { mean: Float32Array; std: Float32Array }


/**
 * Noise profile from `noise` (e.g. the file's own noise / noEnergy segments, the Audacity way without picking by
 * hand), or from the quietest 10% of frames of `x` itself when none is given.
 */
export function noiseProfile(noise: Float32Array, selfProfile = false): NoiseProfile {
  const bins = NFFT / 2 + 1;
  const rows: Float32Array[] = [];
  forEachFrame(noise, NFFT, HOP, sqrtHann(NFFT), (spec) => {
    const db = new Float32Array(bins);
    for (let k = 0; k < bins; k++) db[k] = 10 * Math.log10(spec[2 * k] ** 2 + spec[2 * k + 1] ** 2 + 1e-12);
    rows.push(db);
  });
  const energy = rows.map((r) => r.reduce((s, v) => s + v, 0));
  const quiet = [...rows.keys()].sort((a, b) => energy[a] - energy[b]).slice(0, Math.max(1, Math.ceil(rows.length * 0.1)));
  const use = selfProfile ? quiet.map((i) => rows[i]) : rows;
  const mean = new Float32Array(bins);
  const std = new Float32Array(bins);
  for (const r of use) for (let k = 0; k < bins; k++) mean[k] += r[k] / use.length;
  for (const r of use) for (let k = 0; k < bins; k++) std[k] += (r[k] - mean[k]) ** 2 / use.length;
  for (let k = 0; k < bins; k++) std[k] = Math.sqrt(std[k]);
  return { mean, std };
}

/** Stationary spectral gating (noisereduce-style) with a time/frequency-smoothed mask. */
export async function spectralGate(x: Float32Array, profile = noiseProfile(x, true)): Promise<Float32Array> {
  const bins = NFFT / 2 + 1;
  const thresh = profile.mean.map((m, k) => m + N_STD * profile.std[k]);
  let prev = new Float32Array(bins).fill(1);
  return processStft(x, NFFT, HOP, sqrtHann(NFFT), (spec) => {
    const raw = new Float32Array(bins);
    for (let k = 0; k < bins; k++) raw[k] = 10 * Math.log10(spec[2 * k] ** 2 + spec[2 * k + 1] ** 2 + 1e-12) > thresh[k] ? 1 : 0;
    // smooth over +-2 bins and with the previous frame, so isolated bins do not chirp
    const mask = new Float32Array(bins);
    for (let k = 0; k < bins; k++) {
      let s = 0;
      let n = 0;
      for (let j = Math.max(0, k - 2); j <= Math.min(bins - 1, k + 2); j++, n++) s += raw[j];
      mask[k] = 0.5 * (s / n) + 0.5 * prev[k];
    }
    prev = mask;
    const out = new Float32Array(spec.length);
    for (let k = 0; k < bins; k++) {
      const g = FLOOR + (1 - FLOOR) * mask[k];
      out[2 * k] = spec[2 * k] * g;
      out[2 * k + 1] = spec[2 * k + 1] * g;
    }
    return out;
  });
}

import { averagePowerSpectrum } from '../features/spectrum';
import { integratedLoudness, truePeak } from './loudness';

/** Quality figures of one clip, as written to clips.csv (before cleaning and after, with prefixes). */
export interface ClipMetrics {
  lufs: number;
  true_peak: number;
  snr: number;
  clipping: number;
  dc: number;
  bandwidth: number;
  silence: number;
  duration: number;
}

const FRAME = 0.02;
const SILENT_DB = -50; // dBFS per 20 ms frame

/**
 * SNR estimated from frame energies, as a VAD would split them: noise power is the mean of the quietest 10% of
 * 20 ms frames, speech+noise the mean of the loudest 50%. Capped at 100 dB (digital silence between words).
 */
export function estimateSnr(x: Float32Array, fs: number): number {
  const n = Math.round(FRAME * fs);
  const e: number[] = [];
  for (let o = 0; o + n <= x.length; o += n) {
    let s = 0;
    for (let i = o; i < o + n; i++) s += x[i] * x[i];
    e.push(s / n);
  }
  if (e.length < 5) return NaN;
  e.sort((a, b) => a - b);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const noise = mean(e.slice(0, Math.max(1, Math.floor(e.length * 0.1))));
  const loud = mean(e.slice(Math.floor(e.length * 0.5)));
  if (loud <= 0) return NaN;
  if (noise <= loud * 1e-10) return 100;
  return Math.min(100, 10 * Math.log10(Math.max(1e-10, loud - noise) / noise));
}

/** Frequency under which 99% of the clip's spectral energy lies (Hz), from an averaged 2048-point spectrum. */
export function effectiveBandwidth(x: Float32Array, fs: number): number {
  const N = 2048;
  const power = averagePowerSpectrum(x, N);
  const total = power.reduce((s, v) => s + v, 0);
  if (!(total > 0)) return 0;
  let acc = 0;
  for (let k = 0; k <= N / 2; k++) {
    acc += power[k];
    if (acc >= 0.99 * total) return Math.round((k * fs) / N);
  }
  return fs / 2;
}

/** `known` carries loudness or true peak already measured for exactly this signal (no need to measure twice). */
export function measureClip(x: Float32Array, fs: number, known: { lufs?: number; truePeak?: number } = {}): ClipMetrics {
  let clipped = 0;
  let sum = 0;
  for (const v of x) {
    if (Math.abs(v) >= 0.999) clipped++;
    sum += v;
  }
  const n = Math.round(FRAME * fs);
  let frames = 0;
  let silent = 0;
  for (let o = 0; o + n <= x.length; o += n, frames++) {
    let s = 0;
    for (let i = o; i < o + n; i++) s += x[i] * x[i];
    if (10 * Math.log10(s / n + 1e-20) < SILENT_DB) silent++;
  }
  return {
    lufs: known.lufs ?? integratedLoudness(x, fs),
    true_peak: known.truePeak ?? truePeak(x, fs),
    snr: estimateSnr(x, fs),
    clipping: x.length ? clipped / x.length : 0,
    dc: x.length ? sum / x.length : 0,
    bandwidth: effectiveBandwidth(x, fs),
    silence: frames ? silent / frames : 1,
    duration: x.length / fs,
  };
}

/** Metrics as clips.csv cells: finite numbers rounded, -inf/NaN spelled out so a reader knows why. */
export function metricCells(m: ClipMetrics, prefix: string): Record<string, string> {
  const f = (v: number, d: number) => (Number.isFinite(v) ? String(Math.round(v * 10 ** d) / 10 ** d) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  return {
    [`${prefix}lufs`]: f(m.lufs, 2), [`${prefix}true_peak`]: f(m.true_peak, 2), [`${prefix}snr`]: f(m.snr, 1),
    [`${prefix}clipping`]: f(m.clipping, 5), [`${prefix}dc`]: f(m.dc, 5), [`${prefix}bandwidth`]: f(m.bandwidth, 0),
    [`${prefix}silence`]: f(m.silence, 3),
  };
}

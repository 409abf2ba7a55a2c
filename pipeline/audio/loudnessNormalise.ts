import { limit } from './limiter';
import { applyGain, integratedLoudness, truePeak } from './loudness';

export interface LoudnessResult {
  y: Float32Array;
  note: string;
  /** loudness and true peak of `y` when known without measuring again (linear gain shifts both by the gain) */
  known?: { lufs: number; truePeak: number };
}

/**
 * Two-pass EBU R128: measure, then one linear gain to the target. When that gain would push the true peak over the
 * ceiling, the gain is kept (loudness on target) and a look-ahead limiter holds the peaks, and the note says so;
 * never a silent switch to dynamic compression.
 */
export function normaliseLoudness(x: Float32Array, fs: number, target: number, ceilingDb: number): LoudnessResult {
  const I = integratedLoudness(x, fs);
  if (!Number.isFinite(I)) return { y: x, note: 'silent: level left alone' };
  const gainDb = target - I;
  const tp = truePeak(x, fs);
  const scaled = (g: number) => applyGain(x, g);
  if (tp + gainDb <= ceilingDb - TP_MARGIN) return { y: scaled(gainDb), note: `linear ${fmtDb(gainDb)}`, known: { lufs: target, truePeak: tp + gainDb } };
  // limiter, then correct the loudness it took away and the inter-sample peaks it cannot see (it works on
  // samples, the meter on 4x-oversampled peaks); a few passes converge
  // (under heavy limiting loudness grows slower than the gain, so the error shrinks by a factor each pass)
  const aim = ceilingDb - TP_MARGIN;
  let y = x;
  const g = limitedGain(gainDb, aim);
  for (let pass = 0; pass < 12; pass++) {
    y = limit(scaled(g.gainDb), fs, 10 ** (g.ceilingDb / 20));
    if (!correctLimitedGain(g, { lufs: integratedLoudness(y, fs), truePeak: truePeak(y, fs) }, target, aim)) break;
  }
  const over = truePeak(y, fs) - aim;
  if (over > 0) y = applyGain(y, -over);
  return { y, note: `limited: linear gain ${fmtDb(g.gainDb)} would peak at ${(tp + g.gainDb).toFixed(1)} dBTP` };
}

/** Where the search for a limited gain stands: the gain (dB) and the sample limiter's ceiling (dBFS). */
export interface LimitedGain {
  gainDb: number;
  ceilingDb: number;
}

/** The search starts at the gain to the target, the limiter 0.2 dB under the aim for the inter-sample peaks it cannot see. */
export const limitedGain = (gainDb: number, aim: number): LimitedGain => ({ gainDb, ceilingDb: aim - 0.2 });

/**
 * One step of that search, from what the last pass came out at: the limiter took loudness away (add it back to the
 * gain) and missed inter-sample peaks (lower its ceiling by them). False once on target and under the aim.
 */
export function correctLimitedGain(g: LimitedGain, out: { lufs: number; truePeak: number }, target: number, aim: number): boolean {
  const errI = target - out.lufs;
  const over = out.truePeak - aim;
  if (Math.abs(errI) < 0.05 && over <= 0) return false;
  g.gainDb += errI;
  if (over > 0) g.ceilingDb -= over + 0.02;
  return true;
}

/** Headroom kept under the ceiling: meters differ by a few hundredths of a dB in their oversampling. */
export const TP_MARGIN = 0.2;

export const fmtDb = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} dB`;

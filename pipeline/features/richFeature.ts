import { PitchTracker } from './pitch';
import { SEED_HOP, seedFeature, toneFrames, type ToneFrames } from './seedFeature';

/**
 * The `rich` tone feature: the seed's 180 dims plus what carries emotion across speakers and the seed's means
 * leave out: how MFCCs and log-mel energy move (std, deltas), pitch level, range and movement, loudness dynamics,
 * voicing and spectral shape. Everything is a per-clip statistic, so clips of any length give one vector.
 */
export const RICH_NAMES: string[] = [
  ...seedNames(),
  ...range('mfcc_std', 40), ...range('dmfcc_std', 40), ...range('logmel_std', 128).filter((_, i) => i % 4 === 0),
  'f0_mean', 'f0_std', 'f0_p10', 'f0_p90', 'f0_range', 'f0_slope', 'df0_abs_mean', 'voiced_ratio',
  'rms_db_mean', 'rms_db_std', 'rms_db_p10', 'rms_db_p90', 'drms_abs_mean',
  'centroid_mean', 'centroid_std', 'flatness_mean', 'rolloff_mean', 'zcr_mean', 'zcr_std',
];

function range(name: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${name}_${i}`);
}
function seedNames(): string[] {
  return [...range('mfcc', 40), ...range('chroma', 12), ...range('mel', 128)];
}

const std = (v: ArrayLike<number>): number => {
  if (v.length < 2) return 0;
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i] / v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  return Math.sqrt(s / v.length);
};
const mean = (v: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i];
  return v.length ? m / v.length : 0;
};
const quantile = (sorted: number[], q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);

/** Each dimension's standard deviation over the frames (over frame-to-frame differences with `delta`). */
function columnStd(frames: Float64Array[], delta = false): number[] {
  const d = frames[0]?.length ?? 0;
  const first = delta ? 1 : 0;
  const count = frames.length - first;
  const out = new Array<number>(d).fill(0);
  if (count < 2) return out;
  for (let i = 0; i < d; i++) {
    let m = 0;
    for (let t = first; t < frames.length; t++) m += (delta ? frames[t][i] - frames[t - 1][i] : frames[t][i]) / count;
    let s = 0;
    for (let t = first; t < frames.length; t++) s += ((delta ? frames[t][i] - frames[t - 1][i] : frames[t][i]) - m) ** 2;
    out[i] = Math.sqrt(s / count);
  }
  return out;
}

export function richFeature(x: Float32Array, sr: number, frames: ToneFrames = toneFrames(x, sr)): Float64Array {
  const out: number[] = [...seedFeature(x, sr, frames)];
  out.push(...columnStd(frames.mfcc), ...columnStd(frames.mfcc, true));
  // the log-mel spread of every fourth band
  const logMel = frames.mel.map((f) => {
    const l = new Float64Array(Math.ceil(f.length / 4));
    for (let i = 0; i < l.length; i++) l[i] = Math.log10(f[4 * i] + 1e-10);
    return l;
  });
  out.push(...columnStd(logMel));

  // pitch in semitones re 100 Hz over voiced 10 ms frames: level, spread, range, declination and movement
  const hop = Math.round(sr / 100);
  const tracker = new PitchTracker(sr, hop, hop / 2);
  tracker.push(x);
  const f0 = [...tracker.finish(Math.floor(x.length / hop))];
  const st = f0.map((f) => (f > 0 ? 12 * Math.log2(f / 100) : NaN));
  const voiced = st.filter((v) => !Number.isNaN(v));
  const sortedSt = [...voiced].sort((a, b) => a - b);
  const steps: number[] = [];
  for (let t = 1; t < st.length; t++) if (!Number.isNaN(st[t]) && !Number.isNaN(st[t - 1])) steps.push(Math.abs(st[t] - st[t - 1]));
  out.push(mean(voiced), std(voiced), quantile(sortedSt, 0.1), quantile(sortedSt, 0.9), quantile(sortedSt, 0.9) - quantile(sortedSt, 0.1),
    slope(st), mean(steps), f0.length ? voiced.length / f0.length : 0);

  // loudness dynamics from the frames' energy (dB), and spectral shape, in one pass over each frame's bins
  const rmsDb: number[] = [];
  const centroid: number[] = [];
  const flat: number[] = [];
  const rolloff: number[] = [];
  for (const m of frames.magnitude) {
    let e = m[0] * m[0];
    let sum = 0;
    let wsum = 0;
    // the log of a product of 8 bins at a time: one log call in 8, and 8 factors in [1e-10, 1e4] cannot leave
    // double range
    let logSum = 0;
    let product = 1;
    for (let k = 1; k < m.length; k++) {
      const v = m[k];
      e += v * v;
      sum += v;
      wsum += k * v;
      product *= v + 1e-10;
      if ((k & 7) === 0) {
        logSum += Math.log(product);
        product = 1;
      }
    }
    logSum += Math.log(product);
    rmsDb.push(10 * Math.log10(e / m.length + 1e-12));
    if (sum <= 1e-8) continue;
    centroid.push((wsum / sum) * (sr / 2 / (m.length - 1)));
    flat.push(Math.exp(logSum / (m.length - 1)) / (sum / (m.length - 1)));
    let acc = 0;
    let k = 1;
    while (k < m.length && acc < 0.85 * sum) acc += m[k++];
    rolloff.push(k * (sr / 2 / (m.length - 1)));
  }
  const loud = Math.max(...rmsDb);
  const active = rmsDb.filter((v) => v > loud - 50);
  const sortedDb = [...active].sort((a, b) => a - b);
  out.push(mean(active) - loud, std(active), quantile(sortedDb, 0.1) - loud, quantile(sortedDb, 0.9) - loud,
    mean(active.slice(1).map((v, t) => Math.abs(v - active[t]))));
  const zcr = zeroCrossingRates(x, SEED_HOP);
  out.push(mean(centroid) / 1000, std(centroid) / 1000, mean(flat), mean(rolloff) / 1000, mean(zcr), std(zcr));
  return Float64Array.from(out, (v) => (Number.isFinite(v) ? v : 0));
}

/**
 * Sign changes per sample over frames of two hops every hop. Each sample is visited once: the changes are counted
 * per hop, and a frame's count is its two hops' less the change its end would take in.
 */
function zeroCrossingRates(x: Float32Array, hop: number): number[] {
  const changeAt = (i: number) => (i < x.length && (x[i] >= 0) !== (x[i - 1] >= 0) ? 1 : 0);
  const perHop = new Int32Array(Math.ceil(x.length / hop) + 1); // changes at samples (b*hop, (b+1)*hop]
  for (let b = 0; b * hop + 1 < x.length; b++) {
    let z = 0;
    let prev = x[b * hop] >= 0;
    const end = Math.min((b + 1) * hop, x.length - 1);
    for (let i = b * hop + 1; i <= end; i++) {
      const sign = x[i] >= 0;
      if (sign !== prev) z++;
      prev = sign;
    }
    perHop[b] = z;
  }
  const span = 2 * hop;
  const out: number[] = [];
  for (let t = 0; t * hop + span <= x.length; t++) out.push((perHop[t] + perHop[t + 1] - changeAt((t + 2) * hop)) / span);
  return out;
}

/** Least-squares slope of the voiced values over time (semitones per second at 100 frames/s). */
function slope(v: number[]): number {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  v.forEach((y, t) => {
    if (Number.isNaN(y)) return;
    const x = t / 100;
    n++; sx += x; sy += y; sxx += x * x; sxy += x * y;
  });
  const d = n * sxx - sx * sx;
  return n > 2 && d > 0 ? (n * sxy - sx * sy) / d : 0;
}


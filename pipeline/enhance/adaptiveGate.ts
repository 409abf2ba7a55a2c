import { forEachFrame, processStft, sqrtHann } from './stft';

const NFFT = 1024;
const HOP = 256;
const SMOOTH = 0.8; // recursive smoothing of each bin's power before its minimum is taken
const BIAS = 2.2; // a minimum of smoothed noise power underestimates its mean (Martin 2001): scale it back up

export interface AdaptiveGateOptions {
  /** seconds over which each bin's noise floor is the minimum (centred): longer than a word, shorter than a change of scene */
  window?: number;
  /** attenuation of what is judged noise (linear gain; default 0.15 for the gate, 0.3 for Wiener): full removal sounds "musical" */
  floor?: number;
  mode?: 'gate' | 'wiener';
  rate: number;
}

/**
 * Non-stationary noise reduction: each bin's noise floor is tracked over time as the minimum of its smoothed power
 * over a centred window (minimum statistics, Martin 2001), so babble, traffic or a fan that changes are followed
 * instead of profiled once. `gate` (noisereduce's non-stationary mode): a soft mask where the bin stands above its
 * floor, smoothed over neighbouring bins and frames. `wiener`: a decision-directed Wiener gain (Ephraim-Malah).
 */
export async function adaptiveGate(x: Float32Array, opts: AdaptiveGateOptions): Promise<Float32Array> {
  const bins = NFFT / 2 + 1;
  const win = sqrtHann(NFFT);
  const power: Float32Array[] = [];
  forEachFrame(x, NFFT, HOP, win, (spec) => {
    const p = new Float32Array(bins);
    for (let k = 0; k < bins; k++) p[k] = spec[2 * k] ** 2 + spec[2 * k + 1] ** 2;
    power.push(p);
  });
  const T = power.length;
  const smooth = power.map(() => new Float32Array(bins));
  for (let t = 0; t < T; t++) for (let k = 0; k < bins; k++) smooth[t][k] = t ? SMOOTH * smooth[t - 1][k] + (1 - SMOOTH) * power[t][k] : power[t][k];
  // centred sliding minimum per bin (a monotone deque over frames)
  const half = Math.max(1, Math.round(((opts.window ?? 1.5) * opts.rate) / HOP / 2));
  const noise = power.map(() => new Float32Array(bins));
  const dq = new Int32Array(T + 1);
  for (let k = 0; k < bins; k++) {
    let head = 0;
    let tail = 0;
    let next = 0;
    for (let t = 0; t < T; t++) {
      for (; next < T && next <= t + half; next++) {
        while (tail > head && smooth[dq[tail - 1]][k] >= smooth[next][k]) tail--;
        dq[tail++] = next;
      }
      while (dq[head] < t - half) head++;
      noise[t][k] = BIAS * smooth[dq[head]][k] + 1e-12;
    }
  }
  const mode = opts.mode ?? 'wiener';
  const floor = opts.floor ?? (mode === 'wiener' ? 0.3 : 0.15);
  const gains = power.map(() => new Float32Array(bins));
  if (mode === 'wiener') {
    const prev = new Float32Array(bins);
    for (let t = 0; t < T; t++) for (let k = 0; k < bins; k++) {
      const post = power[t][k] / noise[t][k];
      const prior = 0.98 * (t ? (prev[k] * prev[k] * power[t - 1][k]) / noise[t][k] : 0) + 0.02 * Math.max(post - 1, 0);
      const g = Math.max(floor, prior / (1 + prior));
      gains[t][k] = g;
      prev[k] = g;
    }
  } else {
    const raw = power.map((p, t) => Float32Array.from(p, (v, k) => 1 / (1 + Math.exp(-(10 * Math.log10(v / noise[t][k]) - 6) / 1.5))));
    for (let t = 0; t < T; t++) for (let k = 0; k < bins; k++) {
      let s = 0;
      let n = 0;
      for (let dt = -1; dt <= 1; dt++) for (let dk = -2; dk <= 2; dk++) {
        const tt = t + dt;
        const kk = k + dk;
        if (tt >= 0 && tt < T && kk >= 0 && kk < bins) {
          s += raw[tt][kk];
          n++;
        }
      }
      gains[t][k] = floor + (1 - floor) * (s / n);
    }
  }
  return processStft(x, NFFT, HOP, win, (spec, t) => {
    const g = gains[t];
    const out = new Float32Array(spec.length);
    for (let k = 0; k < bins; k++) {
      out[2 * k] = spec[2 * k] * g[k];
      out[2 * k + 1] = spec[2 * k + 1] * g[k];
    }
    return out;
  });
}

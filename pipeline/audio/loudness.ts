/**
 * ITU-R BS.1770-4 / EBU R128 loudness of a mono signal: K-weighting (shelf + RLB high-pass), 400 ms blocks with
 * 75% overlap, absolute (-70 LUFS) and relative (-10 LU) gates; true peak by 4x oversampling. Pure functions on
 * Float32Array, checked against ffmpeg's ebur128 filter in the tests.
 */

interface Biquad { b: [number, number, number]; a: [number, number] }

/** K-weighting for any sample rate (the BS.1770 analogue prototypes, bilinear transform, as libebur128 does). */
export function kWeighting(fs: number): [Biquad, Biquad] {
  let f0 = 1681.974450955533;
  const G = 3.999843853973347;
  let Q = 0.7071752369554196;
  let K = Math.tan((Math.PI * f0) / fs);
  const Vh = 10 ** (G / 20);
  const Vb = Vh ** 0.4996667741545416;
  let a0 = 1 + K / Q + K * K;
  const shelf: Biquad = {
    b: [(Vh + (Vb * K) / Q + K * K) / a0, (2 * (K * K - Vh)) / a0, (Vh - (Vb * K) / Q + K * K) / a0],
    a: [(2 * (K * K - 1)) / a0, (1 - K / Q + K * K) / a0],
  };
  f0 = 38.13547087602444;
  Q = 0.5003270373238773;
  K = Math.tan((Math.PI * f0) / fs);
  a0 = 1 + K / Q + K * K;
  const highpass: Biquad = { b: [1, -2, 1], a: [(2 * (K * K - 1)) / a0, (1 - K / Q + K * K) / a0] };
  return [shelf, highpass];
}

/** One biquad with its state kept between calls, so a long signal can be filtered chunk by chunk. */
class BiquadState {
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  constructor(private readonly q: Biquad) {}
  step(x: number): number {
    const { b, a } = this.q;
    const v = b[0] * x + b[1] * this.x1 + b[2] * this.x2 - a[0] * this.y1 - a[1] * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = v;
    return v;
  }
}

const toLufs = (meanSquare: number) => -0.691 + 10 * Math.log10(meanSquare);

/**
 * Integrated loudness, streamed: push chunks of any size, read `integrated()` at the end. Keeps the K-weighting
 * filters' state and one energy per 100 ms (the gating needs them all: 36,000 numbers an hour).
 */
export class LoudnessMeter {
  private readonly shelf: BiquadState;
  private readonly hp: BiquadState;
  private readonly hop: number;
  private readonly quarters: number[] = [];
  private acc = 0;
  private inQuarter = 0;
  private samples = 0;
  private total = 0; // energy of everything, for signals shorter than one block

  constructor(private readonly fs: number) {
    const [shelf, hp] = kWeighting(fs);
    this.shelf = new BiquadState(shelf);
    this.hp = new BiquadState(hp);
    this.hop = Math.round(0.1 * fs);
  }

  push(x: Float32Array): this {
    for (let n = 0; n < x.length; n++) {
      const y = this.hp.step(this.shelf.step(x[n]));
      const e = y * y;
      this.acc += e;
      this.total += e;
      if (++this.inQuarter === this.hop) {
        this.quarters.push(this.acc);
        this.acc = 0;
        this.inQuarter = 0;
      }
    }
    this.samples += x.length;
    return this;
  }

  /** LUFS; -Infinity for digital silence or when every block is gated out. Shorter than 400 ms: one block. */
  integrated(): number {
    const block = Math.round(0.4 * this.fs);
    const powers: number[] = [];
    if (this.samples < block) {
      if (this.samples) powers.push(this.total / this.samples);
    } else {
      const q = this.quarters;
      for (let i = 0; i + 4 <= q.length; i++) powers.push((q[i] + q[i + 1] + q[i + 2] + q[i + 3]) / (4 * this.hop));
    }
    const abs = powers.filter((p) => p > 0 && toLufs(p) > -70);
    if (!abs.length) return -Infinity;
    const relGate = toLufs(abs.reduce((s, p) => s + p, 0) / abs.length) - 10;
    const rel = abs.filter((p) => toLufs(p) > relGate);
    return toLufs(rel.reduce((s, p) => s + p, 0) / rel.length);
  }
}

/** Integrated loudness (LUFS) of a mono signal (see LoudnessMeter). */
export function integratedLoudness(x: Float32Array, fs: number): number {
  return new LoudnessMeter(fs).push(x).integrated();
}

const TAPS = 32;
const HALF = TAPS / 2;
const CUTOFF = 0.97; // of the original Nyquist, as ffmpeg's resampler (the meter we are checked against) uses
const TP_RATE = 192000; // oversample to 192 kHz like ffmpeg's ebur128: 4x at 48 kHz, 12x at 16 kHz

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

const interpCache = new Map<number, number[][]>();
/** Kaiser-windowed sinc weights for the points n + q/f (q = 1..f-1) from samples n-15..n+16. */
function interpolators(factor: number): number[][] {
  let w = interpCache.get(factor);
  if (!w) {
    w = Array.from({ length: factor - 1 }, (_, q) => {
      const frac = (q + 1) / factor;
      const taps = Array.from({ length: TAPS }, (_, k) => {
        const t = frac - (k - HALF + 1);
        const sinc = t === 0 ? 1 : Math.sin(Math.PI * CUTOFF * t) / (Math.PI * CUTOFF * t);
        const r = t / (HALF + 0.5);
        return sinc * (besselI0(9 * Math.sqrt(Math.max(0, 1 - r * r))) / besselI0(9));
      });
      const sum = taps.reduce((a, b) => a + b, 0);
      return taps.map((v) => v / sum);
    });
    interpCache.set(factor, w);
  }
  return w;
}

/**
 * True peak (dBTP), streamed: max |sample| of the signal oversampled to 192 kHz (BS.1770-4 Annex 2 asks for >= 4x;
 * rates >= 96 kHz are read as they are). Keeps the last 32 samples between chunks.
 */
export class TruePeakMeter {
  private readonly phases?: number[][];
  private readonly hist = new Float32Array(TAPS); // the last TAPS samples, oldest first
  private filled = 0;
  private peak = 0;

  constructor(fs: number) {
    if (fs < 96000) this.phases = interpolators(Math.ceil(TP_RATE / fs));
  }

  push(x: Float32Array): this {
    const h = this.hist;
    for (let n = 0; n < x.length; n++) {
      const v = Math.abs(x[n]);
      if (v > this.peak) this.peak = v;
      h.copyWithin(0, 1);
      h[TAPS - 1] = x[n];
      if (this.filled < TAPS) this.filled++;
      // the point between hist[HALF - 1] and hist[HALF]: needs HALF samples after it, which have just arrived
      if (this.phases && this.filled >= HALF + 1) this.interpolate();
    }
    return this;
  }

  /** dBTP; -Infinity for silence. Interpolates the last samples (their following neighbours are zero). */
  value(): number {
    if (this.phases) {
      for (let k = 0; k < HALF && this.filled > 0; k++) {
        this.hist.copyWithin(0, 1);
        this.hist[TAPS - 1] = 0;
        this.interpolate();
      }
      this.filled = 0;
    }
    return this.peak > 0 ? 20 * Math.log10(this.peak) : -Infinity;
  }

  private interpolate(): void {
    const h = this.hist;
    // inter-sample peaks of band-limited audio stay within a few dB of their neighbours: only interpolate around
    // samples above half the peak so far, which keeps this linear in practice
    const floor = this.peak / 2;
    if (Math.abs(h[HALF - 1]) < floor && Math.abs(h[HALF]) < floor) return;
    for (const taps of this.phases!) {
      let s = 0;
      for (let k = 0; k < TAPS; k++) s += taps[k] * h[k];
      if (Math.abs(s) > this.peak) this.peak = Math.abs(s);
    }
  }
}

/** True peak (dBTP) of a whole signal (see TruePeakMeter). */
export function truePeak(x: Float32Array, fs: number): number {
  return new TruePeakMeter(fs).push(x).value();
}

/** x scaled by `db` decibels (a new array). */
export function applyGain(x: Float32Array, db: number): Float32Array {
  const g = 10 ** (db / 20);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * g;
  return y;
}

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

function filter(x: Float32Array, { b, a }: Biquad): Float64Array {
  const y = new Float64Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let n = 0; n < x.length; n++) {
    const v = b[0] * x[n] + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2;
    x2 = x1; x1 = x[n]; y2 = y1; y1 = v;
    y[n] = v;
  }
  return y;
}

const toLufs = (meanSquare: number) => -0.691 + 10 * Math.log10(meanSquare);

/**
 * Integrated loudness (LUFS) of a mono signal. Shorter than one 400 ms block: the whole signal is one block.
 * -Infinity for digital silence or when every block is gated out.
 */
export function integratedLoudness(x: Float32Array, fs: number): number {
  const [shelf, hp] = kWeighting(fs);
  const y = filter(Float32Array.from(filter(x, shelf)), hp);
  const block = Math.round(0.4 * fs);
  const hop = Math.round(0.1 * fs);
  const powers: number[] = [];
  if (y.length < block) {
    let s = 0;
    for (const v of y) s += v * v;
    if (y.length) powers.push(s / y.length);
  } else {
    // running sums over 100 ms quarters keep this O(n)
    const quarters: number[] = [];
    for (let q = 0; (q + 1) * hop <= y.length; q++) {
      let s = 0;
      for (let n = q * hop; n < (q + 1) * hop; n++) s += y[n] * y[n];
      quarters.push(s);
    }
    for (let q = 0; q + 4 <= quarters.length; q++) powers.push((quarters[q] + quarters[q + 1] + quarters[q + 2] + quarters[q + 3]) / (4 * hop));
  }
  const abs = powers.filter((p) => p > 0 && toLufs(p) > -70);
  if (!abs.length) return -Infinity;
  const relGate = toLufs(abs.reduce((s, p) => s + p, 0) / abs.length) - 10;
  const rel = abs.filter((p) => toLufs(p) > relGate);
  return toLufs(rel.reduce((s, p) => s + p, 0) / rel.length);
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
 * True peak (dBTP): max |sample| of the signal oversampled to 192 kHz (BS.1770-4 Annex 2 asks for >= 4x; rates
 * >= 96 kHz are read as they are).
 */
export function truePeak(x: Float32Array, fs: number): number {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  // inter-sample peaks of band-limited audio stay within a few dB of their neighbours: only interpolate around
  // samples above half the sample peak, which keeps this linear in practice
  const floor = peak / 2;
  if (fs < 96000) {
    const phases = interpolators(Math.ceil(TP_RATE / fs));
    for (let n = 0; n < x.length - 1; n++) {
      if (Math.abs(x[n]) < floor && Math.abs(x[n + 1]) < floor) continue;
      for (const taps of phases) {
        let s = 0;
        for (let k = 0; k < TAPS; k++) {
          const i = n + k - HALF + 1;
          if (i >= 0 && i < x.length) s += taps[k] * x[i];
        }
        peak = Math.max(peak, Math.abs(s));
      }
    }
  }
  return peak > 0 ? 20 * Math.log10(peak) : -Infinity;
}

/** x scaled by `db` decibels (a new array). */
export function applyGain(x: Float32Array, db: number): Float32Array {
  const g = 10 ** (db / 20);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * g;
  return y;
}

import { loadRealFft, RealFft } from '../features/realFft';
import { concatSamples } from './ffmpeg';

/** A second-order section as ffmpeg's `highpass`, `lowpass` and `bandreject` design it (RBJ cookbook, width as Q); notches see NOTCH_PAIR_Q. */
export interface FilterSpec {
  kind: 'highpass' | 'lowpass' | 'notch';
  hz: number;
  q: number;
}

/** Coefficients of one section, a0 folded in; `power`: its magnitude counts this many times. */
interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
  power: number;
}

/**
 * A notch's magnitude has a corner at its zero, and a kernel with a corner in its spectrum dies out only as 1/n²
 * (seconds of taps). Squared it is smooth, so a notch is applied as a pair of notches (as forward-backward
 * filtering does), each narrowed by this factor so the pair keeps the -3 dB width of the one asked for.
 */
const NOTCH_PAIR_Q = 1 / Math.sqrt(Math.SQRT2 - 1);

export function biquad(s: FilterSpec, rate: number): Biquad {
  const pair = s.kind === 'notch';
  const w0 = (2 * Math.PI * s.hz) / rate;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * s.q * (pair ? NOTCH_PAIR_Q : 1));
  const a0 = 1 + alpha;
  const [b0, b1, b2] = s.kind === 'lowpass' ? [(1 - cos) / 2, 1 - cos, (1 - cos) / 2] : s.kind === 'highpass' ? [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2] : [1, -2 * cos, 1];
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0, power: pair ? 2 : 1 };
}

/** |H(e^jw)| of the sections in cascade at angular frequency `w` (radians per sample). */
export function magnitudeAt(sections: Biquad[], w: number): number {
  const c1 = Math.cos(w), s1 = Math.sin(w), c2 = Math.cos(2 * w), s2 = Math.sin(2 * w);
  let m = 1;
  for (const q of sections) {
    const nr = q.b0 + q.b1 * c1 + q.b2 * c2, ni = q.b1 * s1 + q.b2 * s2;
    const dr = 1 + q.a1 * c1 + q.a2 * c2, di = q.a1 * s1 + q.a2 * s2;
    m *= ((nr * nr + ni * ni) / (dr * dr + di * di)) ** (q.power / 2);
  }
  return m;
}

/**
 * The sum of |taps| of the ideal kernel left out of the one applied: it bounds the error of the response at every
 * frequency (-60 dB), which is what keeps a notch deep (an energy bound would let its slow ringing go too soon).
 */
const TAIL_SUM = 1e-3;
/** The longest kernel considered, in seconds each side. */
const MAX_HALF_SECONDS = 8;

const nextPow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(n, 2)));

/**
 * The filters' magnitude response with no phase at all: a symmetric kernel (so no delay and no phase distortion),
 * as long as it takes for the ideal one's tail to fall under TAIL_SUM, applied by FFT convolution (overlap-save).
 * The magnitude of the cascade ffmpeg runs (notches as pairs), none of the phase that shifts a high-passed clip's waveform against
 * the original (most of what an IIR high-pass cost in SI-SDR before the denoiser).
 */
export class ZeroPhaseFilter {
  /** Kernel half-length in samples (taps -half..half). */
  readonly half: number;
  /** The kernel's spectrum (real: the kernel is even) in RealFft's ordered layout, per convolution block size. */
  private readonly gains = new Map<number, Float32Array>();

  private constructor(half: number, private readonly kernel: Float64Array) {
    this.half = half;
  }

  private gainsFor(size: number): Float32Array {
    let g = this.gains.get(size);
    if (g) return g;
    const buf = new Float32Array(size);
    buf[0] = this.kernel[0];
    for (let n = 1; n <= this.half; n++) buf[n] = buf[size - n] = this.kernel[n];
    const spec = RealFft.of(size).forwardOf(buf);
    // real spectrum; the 1/size of the inverse transform goes in here
    g = new Float32Array(size);
    g[0] = spec[0] / size;
    g[1] = spec[1] / size;
    for (let k = 2; k < size; k += 2) g[k] = g[k + 1] = spec[k] / size;
    this.gains.set(size, g);
    return g;
  }

  /** Convolution block size: four kernels long when streaming (each block yields `size - 2 half` samples), less for a short signal. */
  private blockSize(length = Infinity): number {
    return nextPow2(Math.max(Math.min(4 * (2 * this.half + 1), length + 2 * this.half), 4096));
  }

  /** Undefined when there is nothing to filter. */
  static async design(specs: FilterSpec[], rate: number): Promise<ZeroPhaseFilter | undefined> {
    if (!specs.length) return undefined;
    await loadRealFft();
    const sections = specs.map((s) => biquad(s, rate));
    for (let n = nextPow2(rate); ; n *= 2) {
      const kernel = idealKernel(sections, n);
      const half = halfLengthFor(kernel, n / 2);
      // the kernel must have died out well inside the grid, or its tail wrapped round onto itself
      if (half < n / 4 || n / 2 >= MAX_HALF_SECONDS * rate) return new ZeroPhaseFilter(Math.min(half, n / 2 - 1), kernel.slice(0, half + 1));
    }
  }

  /** Filters a whole signal (zeros beyond its ends, as a filter starting from rest sees). */
  apply(x: Float32Array): Float32Array {
    const s = this.stream(this.blockSize(x.length));
    const head = s.push(x);
    const tail = s.end();
    const y = new Float32Array(x.length);
    y.set(head);
    y.set(tail.subarray(0, x.length - head.length), head.length);
    return y;
  }

  /** A streaming filter: `push` returns what is ready (delayed by `half` samples in total), `end` the rest. */
  stream(size = this.blockSize()): { push(x: Float32Array): Float32Array; end(): Float32Array } {
    const { half } = this;
    const gains = this.gainsFor(size);
    const hop = size - 2 * half;
    const fft = RealFft.of(size);
    const win = new Float32Array(size);
    let fill = half; // the lead of zeros before the first sample
    let taken = 0;
    let out = 0;
    const block = (): Float32Array => {
      const spec = fft.forwardOf(win);
      for (let k = 0; k < size; k++) spec[k] *= gains[k];
      const y = fft.inverseOf(spec).slice(half, half + hop);
      win.copyWithin(0, hop);
      fill -= hop;
      return y;
    };
    const push = (x: Float32Array): Float32Array => {
      const parts: Float32Array[] = [];
      for (let i = 0; i < x.length;) {
        const n = Math.min(size - fill, x.length - i);
        win.set(x.subarray(i, i + n), fill);
        fill += n;
        i += n;
        if (fill === size) parts.push(block());
      }
      taken += x.length;
      const y = concatSamples(parts);
      out += y.length;
      return y;
    };
    const end = (): Float32Array => {
      const parts: Float32Array[] = [];
      while (out < taken) {
        win.fill(0, fill);
        fill = size;
        const y = block();
        parts.push(y.subarray(0, Math.min(y.length, taken - out)));
        out += parts[parts.length - 1].length;
      }
      return concatSamples(parts);
    };
    return { push, end };
  }
}

/** The zero-phase kernel of the cascade's magnitude on an n-point grid: h[0..n/2], h[-k] = h[k]. */
function idealKernel(sections: Biquad[], n: number): Float64Array {
  const fft = RealFft.of(n);
  const spec = fft.input;
  spec[0] = magnitudeAt(sections, 0);
  spec[1] = magnitudeAt(sections, Math.PI);
  for (let k = 1; k < n / 2; k++) {
    spec[2 * k] = magnitudeAt(sections, (2 * Math.PI * k) / n);
    spec[2 * k + 1] = 0;
  }
  const h = fft.inverse();
  return Float64Array.from(h.subarray(0, n / 2 + 1), (v) => v / n);
}

/** The smallest half-length whose kernel leaves out taps summing (in magnitude, both sides) to under TAIL_SUM. */
function halfLengthFor(kernel: Float64Array, max: number): number {
  let tail = 0;
  for (let k = max; k > 0; k--) {
    tail += 2 * Math.abs(kernel[k]);
    if (tail > TAIL_SUM) return k;
  }
  return 0;
}

/** `chunks` through `filter` (as they come; none when undefined). */
export async function* filtered(chunks: AsyncIterable<Float32Array>, filter: ZeroPhaseFilter | undefined): AsyncGenerator<Float32Array> {
  if (!filter) return yield* chunks;
  const s = filter.stream();
  for await (const x of chunks) {
    const y = s.push(x);
    if (y.length) yield y;
  }
  const rest = s.end();
  if (rest.length) yield rest;
}

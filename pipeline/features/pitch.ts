import { GrowableF32 } from '../util/growable';
import { autocorrelations } from '../wasm/kernels';
import { RealFft } from './realFft';

const WIN = 640; // 40 ms at 16 kHz: two periods of a 50 Hz voice
const NFFT = 1024; // >= 2*WIN - 1 so the circular autocorrelation equals the linear one up to the lags we read
const MIN_HZ = 60;
const MAX_HZ = 400;
const VOICING = 0.45;
const OCTAVE_TOLERANCE = 0.9;

const WINDOW = Float32Array.from({ length: WIN }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 0.5)) / WIN));
const corrections = new Map<number, Float64Array>();

/** r_w[0] / r_w[t] for the window's own autocorrelation r_w, lags 0..lags-1: the normalised autocorrelation's correction. */
function windowCorrection(lags: number): Float64Array {
  let c = corrections.get(lags);
  if (!c) {
    const r = Float64Array.from({ length: lags }, (_, t) => {
      let s = 0;
      for (let n = 0; n + t < WIN; n++) s += WINDOW[n] * WINDOW[n + t];
      return s;
    });
    corrections.set(lags, (c = Float64Array.from(r, (v) => r[0] / v)));
  }
  return c;
}

/**
 * Streaming pitch tracker (normalised autocorrelation, Boersma 1993): one estimate per `hop` samples, centred on
 * `centreOffset + k*hop`, 0 for unvoiced. The autocorrelations of all the frames a chunk completes are taken at once
 * through the FFT (PFFFT: `loadRealFft()` first) and the SIMD kernels, which keeps it far above real time.
 */
export class PitchTracker {
  private readonly fft = RealFft.of(NFFT);
  private readonly lo: number;
  private readonly hi: number;
  private readonly lags: number;
  private readonly nr = new Float64Array(NFFT);
  private readonly peaks = new Int32Array(NFFT);
  private readonly windowCorrection: Float64Array;
  private pending: Float32Array;
  private consumed: number; // absolute sample index of pending[0]
  private next = 0; // absolute start sample of the next window
  readonly f0 = new GrowableF32();

  constructor(private readonly rate: number, private readonly hop: number, centreOffset: number) {
    // the first window starts before sample 0: pre-fill with silence so all windows are centred alike
    const lead = WIN / 2 - centreOffset;
    this.pending = new Float32Array(Math.max(0, lead));
    this.consumed = -Math.max(0, lead);
    this.next = -lead;
    this.lo = Math.floor(rate / MAX_HZ);
    this.hi = Math.ceil(rate / MIN_HZ);
    this.lags = this.hi + 2; // the peak search reads one lag past hi
    if (this.lags > NFFT / 2) throw new Error(`PitchTracker: ${rate} Hz is too high a rate for a ${WIN}-sample window`);
    this.windowCorrection = windowCorrection(this.lags);
  }

  push(chunk: Float32Array): void {
    const buf = new Float32Array(this.pending.length + chunk.length);
    buf.set(this.pending);
    buf.set(chunk, this.pending.length);
    const first = this.next - this.consumed;
    const count = first + WIN <= buf.length ? 1 + Math.floor((buf.length - WIN - first) / this.hop) : 0;
    if (count > 0) {
      const { lags } = this;
      const acf = autocorrelations(buf.subarray(first), this.hop, count, WINDOW, NFFT, lags,
        (f) => this.fft.forwardOf(f), (s) => this.fft.inverseOf(s));
      for (let t = 0; t < count; t++) this.f0.push(this.estimate(acf.subarray(t * lags, (t + 1) * lags)));
      this.next += count * this.hop;
    }
    const keepFrom = Math.min(buf.length, Math.max(0, this.next - this.consumed));
    this.pending = buf.slice(keepFrom);
    this.consumed += keepFrom;
  }

  /** Pads the tail with silence so every requested centre gets an estimate. */
  finish(count: number): Float32Array {
    if (this.f0.length < count) this.push(new Float32Array(WIN + (count - this.f0.length) * this.hop));
    return this.f0.slice(0, count);
  }

  /** f0 from one frame's autocorrelation `r` (lags 0..hi + 1, any scale). */
  private estimate(r: Float32Array): number {
    if (!(r[0] / NFFT > 1e-10)) return 0;
    const { lo, hi } = this;
    // normalised autocorrelation, corrected for the window's own, over the lags searched (and one either side)
    const nr = this.nr;
    const r0 = r[0];
    for (let t = Math.max(0, lo - 1); t <= hi + 1; t++) nr[t] = (r[t] / r0) * this.windowCorrection[t];
    // local maxima; take the shortest lag within 10% of the strongest, since the window correction inflates long
    // lags and the strongest peak is often a period multiple (an octave too low)
    const peaks = this.peaks;
    let count = 0;
    let top = 0;
    for (let t = lo; t <= hi; t++) {
      const v = nr[t];
      if (v >= nr[t - 1] && v >= nr[t + 1] && v > 0) {
        peaks[count++] = t;
        if (v > top) top = v;
      }
    }
    let bestT = 0;
    let best = 0;
    for (let i = 0; i < count; i++) {
      if (nr[peaks[i]] >= OCTAVE_TOLERANCE * top) {
        bestT = peaks[i];
        best = nr[bestT];
        break;
      }
    }
    if (best < VOICING || bestT === 0) return 0;
    const a = nr[bestT - 1];
    const c = nr[bestT + 1];
    const denom = a - 2 * best + c;
    const shift = denom !== 0 ? (0.5 * (a - c)) / denom : 0;
    return this.rate / (bestT + shift);
  }
}

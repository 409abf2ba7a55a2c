import { GrowableF32 } from '../util/growable';
import { powerOf, RealFft } from './realFft';

const WIN = 640; // 40 ms at 16 kHz: two periods of a 50 Hz voice
const NFFT = 1024; // >= 2*WIN - 1 so the circular autocorrelation equals the linear one up to the lags we read
const MIN_HZ = 60;
const MAX_HZ = 400;
const VOICING = 0.45;
const OCTAVE_TOLERANCE = 0.9;

/**
 * Streaming pitch tracker (normalised autocorrelation, Boersma 1993): one estimate per `hop` samples, centred on
 * `centreOffset + k*hop`, 0 for unvoiced. Autocorrelation via FFT (PFFFT: `loadRealFft()` first) keeps it far
 * above real time.
 */
export class PitchTracker {
  private readonly fft = RealFft.of(NFFT);
  private readonly power = new Float32Array(NFFT / 2 + 1);
  private readonly acfOut = new Float32Array(WIN);
  private readonly centred = new Float32Array(WIN);
  private readonly nr = new Float64Array(NFFT);
  private readonly window = Float32Array.from({ length: WIN }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 0.5)) / WIN));
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
    const windowAcf = this.autocorrelate(this.window, new Float32Array(WIN));
    // normalised autocorrelation, corrected for the window's own: r[t] / r[0] / (w[t] / w[0])
    this.windowCorrection = Float64Array.from(windowAcf, (v) => windowAcf[0] / v);
  }

  push(chunk: Float32Array): void {
    const buf = new Float32Array(this.pending.length + chunk.length);
    buf.set(this.pending);
    buf.set(chunk, this.pending.length);
    while (this.next + WIN - this.consumed <= buf.length) {
      this.f0.push(this.estimate(buf.subarray(this.next - this.consumed, this.next - this.consumed + WIN)));
      this.next += this.hop;
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

  /** Autocorrelation of `x` (WIN samples) at lags 0..NFFT/2 - 1 (far past the longest period searched), into `out`. */
  private autocorrelate(x: Float32Array, out = this.acfOut): Float32Array {
    const frame = this.fft.input;
    frame.set(x);
    frame.fill(0, x.length);
    powerOf(this.fft.forward(), this.power);
    // the power spectrum is real and even: its forward FFT is n x its inverse, and the real parts are the lags
    const again = this.fft.input;
    again.set(this.power);
    for (let k = 1; k < NFFT / 2; k++) again[NFFT - k] = this.power[k];
    const acf = this.fft.forward();
    out[0] = acf[0] / NFFT;
    for (let t = 1; t < NFFT / 2; t++) out[t] = acf[2 * t] / NFFT;
    return out;
  }

  private estimate(x: Float32Array): number {
    let mean = 0;
    for (let n = 0; n < WIN; n++) mean += x[n];
    mean /= WIN;
    const w = this.centred;
    for (let n = 0; n < WIN; n++) w[n] = (x[n] - mean) * this.window[n];
    const r = this.autocorrelate(w);
    if (!(r[0] > 1e-10)) return 0;
    const lo = Math.floor(this.rate / MAX_HZ);
    const hi = Math.ceil(this.rate / MIN_HZ);
    // normalised autocorrelation, corrected for the window's own, over the lags searched (and one either side)
    const nr = this.nr;
    const r0 = r[0];
    for (let t = Math.max(0, lo - 1); t <= hi + 1; t++) nr[t] = (r[t] / r0) * this.windowCorrection[t];
    // local maxima; take the shortest lag within 10% of the strongest, since the window correction inflates long
    // lags and the strongest peak is often a period multiple (an octave too low)
    let top = 0;
    for (let t = lo; t <= hi; t++) {
      const v = nr[t];
      if (v >= nr[t - 1] && v >= nr[t + 1] && v > 0 && v > top) top = v;
    }
    let bestT = 0;
    let best = 0;
    for (let t = lo; t <= hi; t++) {
      const v = nr[t];
      if (v >= nr[t - 1] && v >= nr[t + 1] && v > 0 && v >= OCTAVE_TOLERANCE * top) {
        bestT = t;
        best = v;
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

import { applyFilterbank, sidekitMelFilterbank } from './melFilterbank';
import { RealFft } from './realFft';

export const INA_RATE = 16000;
export const INA_WIN = 400; // 25 ms
export const INA_HOP = 160; // 10 ms
const NFFT = 512;
export const INA_BANDS = 24;

/**
 * Streaming SIDEKIT front end as inaSpeechSegmenter configures it: per 25 ms frame (10 ms hop, no padding),
 * per-frame pre-emphasis 0.97, log energy of the emphasised frame, Hann window, 512-point power spectrum,
 * 24 HTK-mel bands 100-8000 Hz, natural log. Samples can arrive in chunks of any size. The FFT is PFFFT's
 * (`loadRealFft()` first).
 */
export class InaFrontEnd {
  private readonly fft = RealFft.of(NFFT);
  private readonly power = new Float32Array(NFFT / 2 + 1);
  private readonly window = Float32Array.from({ length: INA_WIN }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (INA_WIN - 1)));
  private readonly filters = sidekitMelFilterbank(INA_RATE, NFFT, 100, 8000, INA_BANDS);
  private readonly emph = new Float32Array(INA_WIN);
  private pending = new Float32Array(0);
  /** Number of frames emitted so far. */
  frames = 0;

  constructor(private readonly onFrame: (index: number, logEnergy: number, logMel: Float32Array) => void) {}

  push(chunk: Float32Array): void {
    const buf = new Float32Array(this.pending.length + chunk.length);
    buf.set(this.pending);
    buf.set(chunk, this.pending.length);
    const mel = new Float32Array(INA_BANDS);
    let off = 0;
    for (; off + INA_WIN <= buf.length; off += INA_HOP) {
      const e = this.analyse(buf, off, mel);
      this.onFrame(this.frames++, e, mel);
    }
    this.pending = buf.slice(off);
  }

  private analyse(buf: Float32Array, off: number, mel: Float32Array): number {
    const { emph, power, window } = this;
    const fftIn = this.fft.input;
    emph[0] = buf[off] * (1 - 0.97);
    for (let n = 1; n < INA_WIN; n++) emph[n] = buf[off + n] - 0.97 * buf[off + n - 1];
    let energy = 0;
    for (let n = 0; n < INA_WIN; n++) {
      energy += emph[n] * emph[n];
      fftIn[n] = emph[n] * window[n];
    }
    fftIn.fill(0, INA_WIN);
    // PFFFT's ordered layout: [re 0, re NFFT/2, re 1, im 1, ...]
    const spec = this.fft.forward();
    power[0] = spec[0] ** 2;
    power[NFFT / 2] = spec[1] ** 2;
    for (let k = 1; k < NFFT / 2; k++) power[k] = spec[2 * k] ** 2 + spec[2 * k + 1] ** 2;
    applyFilterbank(power, this.filters, mel);
    for (let i = 0; i < INA_BANDS; i++) mel[i] = Math.log(mel[i]);
    return Math.log(energy);
  }
}

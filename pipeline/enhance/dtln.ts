import FFT from 'fft.js';
import { readManifest } from '../models/modelPaths';
import { openSession, ort, type LoadedSession } from '../models/ortSession';

const BLOCK = 512;
const SHIFT = 128;
/** Output lags input by one block minus one shift; trimmed so the result lines up with the input sample for sample. */
export const DTLN_LATENCY = BLOCK - SHIFT;

/**
 * DTLN (two ONNX stages with LSTM state) run block by block at 16 kHz, exactly as its real-time reference does:
 * rfft magnitude -> mask (stage 1), masked block back to time -> refined block (stage 2), overlap-add.
 */
export class Dtln {
  private readonly fft = new FFT(BLOCK);
  private constructor(private readonly m1: LoadedSession, private readonly m2: LoadedSession) {}

  static async open(log?: (m: string) => void): Promise<Dtln> {
    // one thread each: the blocks are tiny and strictly sequential
    const [a, b] = await Promise.all([
      openSession(readManifest('dtln_model_1').path, { log, threads: 1 }),
      openSession(readManifest('dtln_model_2').path, { log, threads: 1 }),
    ]);
    return new Dtln(a, b);
  }

  async process(x: Float32Array): Promise<Float32Array> {
    const padded = new Float32Array(x.length + DTLN_LATENCY + SHIFT);
    padded.set(x);
    const out = new Float32Array(padded.length);
    const inBuf = new Float32Array(BLOCK);
    const outBuf = new Float32Array(BLOCK);
    const spec = this.fft.createComplexArray();
    const full = this.fft.createComplexArray();
    const time = this.fft.createComplexArray();
    const mag = new Float32Array(BLOCK / 2 + 1);
    let s1 = new Float32Array(2 * 128 * 2);
    let s2 = new Float32Array(2 * 128 * 2);
    const [i1, st1] = this.m1.session.inputNames;
    const [i2, st2] = this.m2.session.inputNames;
    const [o1, os1] = this.m1.session.outputNames;
    const [o2, os2] = this.m2.session.outputNames;
    for (let pos = 0; pos + SHIFT <= padded.length; pos += SHIFT) {
      inBuf.copyWithin(0, SHIFT);
      inBuf.set(padded.subarray(pos, pos + SHIFT), BLOCK - SHIFT);
      this.fft.realTransform(spec, inBuf);
      for (let k = 0; k <= BLOCK / 2; k++) mag[k] = Math.hypot(spec[2 * k], spec[2 * k + 1]);
      const r1 = await this.m1.session.run({ [i1]: new ort.Tensor('float32', mag, [1, 1, 257]), [st1]: new ort.Tensor('float32', s1, [1, 2, 128, 2]) });
      const mask = r1[o1].data as Float32Array;
      s1 = Float32Array.from(r1[os1].data as Float32Array);
      // masked spectrum (mask scales magnitude, phase kept), mirrored to a full spectrum, inverse transform
      for (let k = 0; k <= BLOCK / 2; k++) {
        full[2 * k] = spec[2 * k] * mask[k];
        full[2 * k + 1] = spec[2 * k + 1] * mask[k];
      }
      for (let k = 1; k < BLOCK / 2; k++) {
        full[2 * (BLOCK - k)] = full[2 * k];
        full[2 * (BLOCK - k) + 1] = -full[2 * k + 1];
      }
      this.fft.inverseTransform(time, full);
      const frame = new Float32Array(BLOCK);
      for (let n = 0; n < BLOCK; n++) frame[n] = time[2 * n];
      const r2 = await this.m2.session.run({ [i2]: new ort.Tensor('float32', frame, [1, 1, BLOCK]), [st2]: new ort.Tensor('float32', s2, [1, 2, 128, 2]) });
      const y = r2[o2].data as Float32Array;
      s2 = Float32Array.from(r2[os2].data as Float32Array);
      outBuf.copyWithin(0, SHIFT);
      outBuf.fill(0, BLOCK - SHIFT);
      for (let n = 0; n < BLOCK; n++) outBuf[n] += y[n];
      out.set(outBuf.subarray(0, SHIFT), pos);
    }
    return out.slice(DTLN_LATENCY, DTLN_LATENCY + x.length);
  }

  async release(): Promise<void> {
    await Promise.all([this.m1.session.release(), this.m2.session.release()]);
  }
}

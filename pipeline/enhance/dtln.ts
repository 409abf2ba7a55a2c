import * as fs from 'node:fs';
import FFT from 'fft.js';
import { readManifest } from '../models/modelPaths';
import { withBatchDim } from '../models/onnxCut';
import { openSession, ort, type LoadedSession } from '../models/ortSession';

const BLOCK = 512;
const SHIFT = 128;
const BINS = BLOCK / 2 + 1;
const STATE = [2, 128, 2]; // two LSTM layers' (h, c), per stream
const STATE_SIZE = STATE.reduce((a, b) => a * b);
/** Output lags input by one block minus one shift; trimmed so the result lines up with the input sample for sample. */
export const DTLN_LATENCY = BLOCK - SHIFT;

/**
 * Clips a process should denoise at once for their blocks to share session runs: one block of eight streams costs
 * about a quarter of eight single blocks (ORT's per-call cost and each weight read once per run, not per block).
 */
export const DTLN_STREAMS = 8;

/** One stage's blocks waiting to run, each with its stream's LSTM state. */
interface Waiting {
  input: Float32Array;
  state: Float32Array;
  resolve: (r: { out: Float32Array; state: Float32Array }) => void;
  reject: (e: Error) => void;
}

/** One of DTLN's two stages, run on the blocks of every stream waiting for it as one batch. */
class Stage {
  waiting: Waiting[] = [];
  constructor(private readonly loaded: LoadedSession, private readonly inSize: number) {}

  release(): Promise<void> {
    return this.loaded.session.release();
  }

  submit(input: Float32Array, state: Float32Array): Promise<{ out: Float32Array; state: Float32Array }> {
    return new Promise((resolve, reject) => this.waiting.push({ input, state, resolve, reject }));
  }

  /** Runs what waits now; returns how to settle it, so that no stream moves on before the whole flush has run. */
  async run(): Promise<() => void> {
    const batch = this.waiting.splice(0);
    if (!batch.length) return () => undefined;
    const B = batch.length;
    const x = new Float32Array(B * this.inSize);
    const s = new Float32Array(B * STATE_SIZE);
    batch.forEach((w, b) => {
      x.set(w.input, b * this.inSize);
      s.set(w.state, b * STATE_SIZE);
    });
    const [inName, stateName] = this.loaded.session.inputNames;
    const [outName, stateOut] = this.loaded.session.outputNames;
    try {
      const r = await this.loaded.session.run({ [inName]: new ort.Tensor('float32', x, [B, 1, this.inSize]), [stateName]: new ort.Tensor('float32', s, [B, ...STATE]) });
      const out = r[outName].data as Float32Array;
      const st = r[stateOut].data as Float32Array;
      const per = out.length / B;
      return () => batch.forEach((w, b) => w.resolve({ out: out.slice(b * per, (b + 1) * per), state: st.slice(b * STATE_SIZE, (b + 1) * STATE_SIZE) }));
    } catch (e) {
      return () => batch.forEach((w) => w.reject(e as Error));
    }
  }
}

/**
 * DTLN (two ONNX stages with LSTM state) run block by block at 16 kHz, exactly as its real-time reference does:
 * rfft magnitude -> mask (stage 1), masked block back to time -> refined block (stage 2), overlap-add.
 * Clips processed concurrently share session runs: once every stream in `process` waits for a stage, the waiting
 * blocks run as one batch (the models' batch dimension freed by withBatchDim). Each stream keeps its own state, so
 * a clip's result does not depend on what ran beside it, up to float rounding in stage 2's matrix products.
 */
export class Dtln {
  private readonly fft = new FFT(BLOCK);
  private active = 0;
  private flushing = false;
  /** session runs and the blocks they carried, both stages: how well the streams shared them */
  readonly batches = { runs: 0, blocks: 0 };

  private constructor(private readonly stage1: Stage, private readonly stage2: Stage) {}

  static async open(log?: (m: string) => void): Promise<Dtln> {
    const open = (name: string, inSize: number, outSize: number) => {
      const m = readManifest(name);
      const [input, state] = Object.keys(m.inputs ?? {});
      const [output, next] = Object.keys(m.outputs ?? {});
      // the export fixes batch 1; each stream is a row of the batch
      const bytes = withBatchDim(fs.readFileSync(m.path), { [input]: ['batch', 1, inSize], [state]: ['batch', ...STATE], [output]: ['batch', 1, outSize], [next]: ['batch', ...STATE] });
      return openSession(m.path, { log, threads: 1, bytes });
    };
    // one thread each: the blocks are tiny and strictly sequential; the batch is where the parallelism is
    const [a, b] = await Promise.all([open('dtln_model_1', BINS, BINS), open('dtln_model_2', BLOCK, BLOCK)]);
    return new Dtln(new Stage(a, BINS), new Stage(b, BLOCK));
  }

  /**
   * Every stream in `process` waits for a stage: run one stage's waiting blocks, then let those streams go on. Stage 1
   * goes first when both have blocks waiting, so its streams catch up with those at stage 2 and from then on every
   * run carries every stream (a stream that joins late costs one run of its own, once).
   */
  private maybeFlush(): void {
    const [one, two] = [this.stage1.waiting.length, this.stage2.waiting.length];
    if (this.flushing || !this.active || one + two < this.active) return;
    this.flushing = true;
    const stage = one ? this.stage1 : this.stage2;
    this.batches.runs++;
    this.batches.blocks += one || two;
    void stage.run().then((settle) => {
      this.flushing = false;
      settle();
    });
  }

  private async submit(stage: Stage, input: Float32Array, state: Float32Array) {
    const r = stage.submit(input, state);
    this.maybeFlush();
    return r;
  }

  async process(x: Float32Array): Promise<Float32Array> {
    this.active++;
    try {
      return await this.stream(x);
    } finally {
      this.active--;
      this.maybeFlush();
    }
  }

  private async stream(x: Float32Array): Promise<Float32Array> {
    const padded = new Float32Array(x.length + DTLN_LATENCY + SHIFT);
    padded.set(x);
    const out = new Float32Array(padded.length);
    const inBuf = new Float32Array(BLOCK);
    const outBuf = new Float32Array(BLOCK);
    const spec = this.fft.createComplexArray();
    const full = this.fft.createComplexArray();
    const time = this.fft.createComplexArray();
    let s1: Float32Array = new Float32Array(STATE_SIZE);
    let s2: Float32Array = new Float32Array(STATE_SIZE);
    for (let pos = 0; pos + SHIFT <= padded.length; pos += SHIFT) {
      inBuf.copyWithin(0, SHIFT);
      inBuf.set(padded.subarray(pos, pos + SHIFT), BLOCK - SHIFT);
      this.fft.realTransform(spec, inBuf);
      const mag = new Float32Array(BINS);
      for (let k = 0; k < BINS; k++) mag[k] = Math.hypot(spec[2 * k], spec[2 * k + 1]);
      const r1 = await this.submit(this.stage1, mag, s1);
      const mask = r1.out;
      s1 = r1.state;
      // masked spectrum (mask scales magnitude, phase kept), mirrored to a full spectrum, inverse transform
      for (let k = 0; k < BINS; k++) {
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
      const r2 = await this.submit(this.stage2, frame, s2);
      const y = r2.out;
      s2 = r2.state;
      outBuf.copyWithin(0, SHIFT);
      outBuf.fill(0, BLOCK - SHIFT);
      for (let n = 0; n < BLOCK; n++) outBuf[n] += y[n];
      out.set(outBuf.subarray(0, SHIFT), pos);
    }
    return out.slice(DTLN_LATENCY, DTLN_LATENCY + x.length);
  }

  async release(): Promise<void> {
    await Promise.all([this.stage1.release(), this.stage2.release()]);
  }
}

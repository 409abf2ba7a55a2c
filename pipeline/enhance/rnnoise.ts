
interface RnnoiseModule {
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _rnnoise_create(model: number): number;
  _rnnoise_destroy(state: number): void;
  _rnnoise_get_frame_size(): number;
  _rnnoise_process_frame(state: number, out: number, input: number): number;
}

const RATE = 48000;
const SCALE = 32768; // RNNoise works on 16-bit-scaled floats

/**
 * RNNoise (Xiph, BSD) compiled to WebAssembly by @echogarden/rnnoise-wasm: runs in plain Node, 480-sample frames
 * at 48 kHz. The pipeline resamples with ffmpeg around it (see `resample`).
 */
export class Rnnoise {
  private constructor(private readonly m: RnnoiseModule) {}

  static async open(): Promise<Rnnoise> {
    // an ES module: loaded with a real dynamic import, which esbuild leaves alone for external packages
    const mod = (await import('@echogarden/rnnoise-wasm')) as unknown as { default: () => Promise<RnnoiseModule> };
    return new Rnnoise(await mod.default());
  }

  /** Denoises 48 kHz audio; output aligned with input (RNNoise's one-frame delay removed). */
  process(x: Float32Array): Float32Array {
    const n = this.m._rnnoise_get_frame_size();
    const st = this.m._rnnoise_create(0);
    const inPtr = this.m._malloc(n * 4);
    const outPtr = this.m._malloc(n * 4);
    const out = new Float32Array(x.length + n);
    try {
      for (let pos = 0; pos < x.length + n; pos += n) {
        const frame = new Float32Array(n);
        for (let i = 0; i < n && pos + i < x.length; i++) frame[i] = x[pos + i] * SCALE;
        this.m.HEAPF32.set(frame, inPtr / 4);
        this.m._rnnoise_process_frame(st, outPtr, inPtr);
        const y = this.m.HEAPF32.subarray(outPtr / 4, outPtr / 4 + n);
        for (let i = 0; i < n && pos + i < out.length; i++) out[pos + i] = y[i] / SCALE;
      }
    } finally {
      this.m._free(inPtr);
      this.m._free(outPtr);
      this.m._rnnoise_destroy(st);
    }
    return out.slice(RNNOISE_DELAY, RNNOISE_DELAY + x.length);
  }
}

/** RNNoise's analysis delay at 48 kHz (one frame), found by aligning its output with clean input in the tests. */
export const RNNOISE_DELAY = 480;
export { RATE as RNNOISE_RATE };

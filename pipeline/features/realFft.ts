interface PffftModule {
  HEAPF32: Float32Array;
  _pffft_new_setup(n: number, kind: number): number;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
}

const PFFFT_REAL = 0;
const PFFFT_FORWARD = 0;
const PFFFT_BACKWARD = 1;

let loaded: Promise<PffftModule> | undefined;
let mod: PffftModule | undefined;

/**
 * Loads PFFFT (BSD, WebAssembly with SIMD, from @echogarden/pffft-wasm) once per thread. Its real FFT is about 6x
 * faster than fft.js here, which matters where features run many FFTs a second of audio (the STFT and the pitch
 * tracker's autocorrelations). Every async entry point of a stage that uses `RealFft` awaits this first.
 */
export function loadRealFft(): Promise<void> {
  // an ES module: a real dynamic import, which esbuild leaves alone for external packages
  loaded ??= import('@echogarden/pffft-wasm/simd')
    .catch(() => import('@echogarden/pffft-wasm')) // a runtime without WebAssembly SIMD
    .then((m) => (m as unknown as { default: () => Promise<PffftModule> }).default());
  return loaded.then((m) => {
    mod = m;
  });
}

const shared = new Map<number, RealFft>();

/**
 * A real FFT of size `n` (a power of two, at least 32), forward and inverse. Write the frame into `input`, call
 * `forward()`, read the spectrum it returns in PFFFT's ordered layout: [re 0, re n/2, re 1, im 1, re 2, im 2, ...] (e^-i, unscaled,
 * as fft.js). Both are views on the module's memory: read the spectrum before the next transform of that size.
 */
export class RealFft {
  private readonly setup: number;
  private readonly inPtr: number;
  private readonly outPtr: number;
  private readonly workPtr: number;
  private inView?: Float32Array;
  private outView?: Float32Array;

  /** One per size and thread: a setup's memory is never given back, so callers share these. */
  static of(n: number): RealFft {
    let f = shared.get(n);
    if (!f) shared.set(n, (f = new RealFft(n)));
    return f;
  }

  private constructor(readonly n: number) {
    if (!mod) throw new Error('RealFft: await loadRealFft() before making one');
    if (n < 32 || (n & (n - 1)) !== 0) throw new Error(`RealFft: size ${n} is not a power of two >= 32`);
    this.setup = mod._pffft_new_setup(n, PFFFT_REAL);
    this.inPtr = mod._pffft_aligned_malloc(n * 4);
    this.outPtr = mod._pffft_aligned_malloc(n * 4);
    this.workPtr = mod._pffft_aligned_malloc(n * 4);
  }

  /** The frame to transform (n samples). */
  get input(): Float32Array {
    // a later allocation can grow the module's memory, which detaches the views made before it
    if (this.inView?.buffer !== mod!.HEAPF32.buffer) this.inView = new Float32Array(mod!.HEAPF32.buffer, this.inPtr, this.n);
    return this.inView;
  }

  forward(): Float32Array {
    return this.transform(PFFFT_FORWARD);
  }

  /** `input` read as a spectrum in `forward()`'s layout: returns the real signal, times n (unscaled, as PFFFT). */
  inverse(): Float32Array {
    return this.transform(PFFFT_BACKWARD);
  }

  /** The forward transform of `frame` (n samples): `input` filled, then `forward()`. */
  forwardOf(frame: Float32Array): Float32Array {
    this.input.set(frame);
    return this.forward();
  }

  /** The inverse transform of `spectrum` (forward()'s layout): `input` filled, then `inverse()`. */
  inverseOf(spectrum: Float32Array): Float32Array {
    this.input.set(spectrum);
    return this.inverse();
  }

  private transform(direction: number): Float32Array {
    mod!._pffft_transform_ordered(this.setup, this.inPtr, this.outPtr, this.workPtr, direction);
    if (this.outView?.buffer !== mod!.HEAPF32.buffer) this.outView = new Float32Array(mod!.HEAPF32.buffer, this.outPtr, this.n);
    return this.outView;
  }
}

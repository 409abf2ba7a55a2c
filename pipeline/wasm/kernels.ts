import * as fs from 'node:fs';
import * as path from 'node:path';

interface KernelExports {
  memory: WebAssembly.Memory;
  polyphase(x: number, xlen: number, y: number, n: number, w: number, taps: number, up: number, down: number, reach: number,
    base: number, rem: number, phase: number): void;
  windowFrames(src: number, hop: number, frames: number, win: number, nfft: number, dst: number): void;
  centredWindowFrames(src: number, hop: number, frames: number, win: number, len: number, nfft: number, dst: number): void;
  magnitudes(spec: number, frames: number, nfft: number, eps: number, out: number): void;
  powerSpectra(spec: number, frames: number, nfft: number): void;
  matmul(a: number, rows: number, inner: number, b: number, cols: number, c: number): void;
  bandEnergies(x: number, frames: number, bins: number, desc: number, filters: number, w: number, out: number): void;
}

let loaded: KernelExports | undefined;

/**
 * The project's WebAssembly SIMD kernels (kernels.wat), instantiated once per thread on first use. Synchronous:
 * Node compiles a module this small at once, so callers need no `await load()` first. kernels.wasm sits beside this
 * file in the sources and beside the bundles in dist/ (build.mjs copies it). JS loops over typed arrays cost about
 * 2 ns an element on a 2-core machine; these do four at a time, which is what brings tone features past 200x real
 * time there.
 */
function kernels(): KernelExports {
  if (!loaded) {
    const mod = new WebAssembly.Module(fs.readFileSync(path.join(__dirname, 'kernels.wasm')));
    loaded = new WebAssembly.Instance(mod).exports as unknown as KernelExports;
  }
  return loaded;
}

/**
 * Regions of `floats[i]` floats laid out one after another in the module's memory (each 16-byte aligned; the memory
 * grows to hold them): their float offsets, and a view of the memory to fill and read them through. Every call
 * reuses the memory from 0, so a kernel's data lives only until the next layout.
 */
function layout(...floats: number[]): { at: number[]; mem: Float32Array } {
  const at: number[] = [];
  let end = 0;
  for (const n of floats) {
    at.push(end);
    end += Math.ceil(n / 4) * 4;
  }
  const { memory } = kernels();
  const short = end * 4 - memory.buffer.byteLength;
  if (short > 0) memory.grow(Math.ceil(short / 65536));
  return { at, mem: new Float32Array(memory.buffer) };
}

/** A rational rate change's polyphase filter: `up` phases of `taps` weights each (taps a multiple of 8). */
export interface PolyphaseFilter {
  weights: Float32Array;
  taps: number;
  up: number;
  down: number;
  reach: number;
}

/** Outputs (or frames) per kernel call: keeps the module's memory a few MB whatever the input's length. */
const BLOCK = 1 << 18;
const FRAME_BLOCK = 256;

/**
 * y[j] = sum_k w[j mod up][k] * x[floor(j * down / up) - reach + k] for every output whose whole kernel lies inside
 * x; the rest of y is left untouched (the caller treats the ends). Blocks of outputs are copied through the module's
 * memory with the input samples they read.
 */
export function polyphaseFir(x: Float32Array, y: Float32Array, f: PolyphaseFilter): void {
  const { weights, taps, up, down, reach } = f;
  for (let j0 = 0; j0 < y.length; j0 += BLOCK) {
    const n = Math.min(BLOCK, y.length - j0);
    // the block's first and last kernel positions; in doubles, since j * down overflows 32 bits on long audio
    const base0 = Math.floor((j0 * down) / up);
    const last = Math.floor(((j0 + n - 1) * down) / up);
    const from = Math.max(0, base0 - reach);
    const to = Math.min(x.length, last + reach + 1);
    const { at: [w, xs, ys], mem } = layout(weights.length, to - from + taps, n);
    mem.set(weights, w);
    mem.set(x.subarray(from, to), xs);
    mem.fill(0, xs + (to - from), xs + (to - from) + taps); // the zero-weighted taps past the end read these
    const out = mem.subarray(ys, ys + n);
    out.set(y.subarray(j0, j0 + n)); // outputs the kernel skips keep the caller's values
    kernels().polyphase(4 * xs, to - from, 4 * ys, n, 4 * w, taps, up, down, reach, base0 - from, (j0 * down) % up, j0 % up);
    y.set(out, j0);
  }
}

/** A forward real FFT of one frame, returning its spectrum in PFFFT's ordered layout (features/realFft.ts). */
export type FrameTransform = (frame: Float32Array) => Float32Array;

/**
 * |STFT| of `padded`, frames at t * hop (t < frames) under `window` (nfft long, a multiple of 4): a flat
 * [frames x (nfft/2 + 1)] array of sqrt(|X|^2 + epsilon). Windowing and magnitudes run in the kernels, `fft` in
 * between.
 */
export function magnitudeFrames(padded: Float32Array, hop: number, frames: number, window: Float32Array, fft: FrameTransform, epsilon = 0): Float32Array {
  const nfft = window.length;
  if (nfft < 4 || nfft % 4 || (frames > 0 && padded.length < (frames - 1) * hop + nfft)) throw new Error(`magnitudeFrames: ${frames} frames of ${nfft} every ${hop} do not fit ${padded.length} samples`);
  const bins = nfft / 2 + 1;
  const out = new Float32Array(frames * bins);
  for (let t0 = 0; t0 < frames; t0 += FRAME_BLOCK) {
    const n = Math.min(FRAME_BLOCK, frames - t0);
    const span = (n - 1) * hop + nfft;
    const { at: [win, src, buf, mags], mem } = layout(nfft, span, n * nfft, n * bins);
    mem.set(window, win);
    mem.set(padded.subarray(t0 * hop, t0 * hop + span), src);
    kernels().windowFrames(4 * src, hop, n, 4 * win, nfft, 4 * buf);
    transformEach(mem, buf, n, nfft, fft);
    kernels().magnitudes(4 * buf, n, nfft, epsilon, 4 * mags);
    out.set(mem.subarray(mags, mags + n * bins), t0 * bins);
  }
  return out;
}

/**
 * Autocorrelations of frames at t * hop of `x` (t < frames), each taken `window.length` samples long (a multiple of
 * 4), less its mean, windowed, zero-padded to nfft: lags 0..lags-1 of each, unscaled (nfft times the autocorrelation),
 * as a flat [frames x lags] array. `fft` and `ifft` are PFFFT's forward and inverse transforms of size nfft.
 */
export function autocorrelations(x: Float32Array, hop: number, frames: number, window: Float32Array, nfft: number, lags: number,
  fft: FrameTransform, ifft: FrameTransform): Float32Array {
  const len = window.length;
  if (len < 4 || len % 4 || nfft < len || (frames > 0 && x.length < (frames - 1) * hop + len)) throw new Error(`autocorrelations: ${frames} frames of ${len} every ${hop} do not fit ${x.length} samples`);
  const out = new Float32Array(frames * lags);
  for (let t0 = 0; t0 < frames; t0 += FRAME_BLOCK) {
    const n = Math.min(FRAME_BLOCK, frames - t0);
    const span = (n - 1) * hop + len;
    const { at: [win, src, buf], mem } = layout(len, span, n * nfft);
    mem.set(window, win);
    mem.set(x.subarray(t0 * hop, t0 * hop + span), src);
    kernels().centredWindowFrames(4 * src, hop, n, 4 * win, len, nfft, 4 * buf);
    transformEach(mem, buf, n, nfft, fft);
    kernels().powerSpectra(4 * buf, n, nfft);
    for (let t = 0; t < n; t++) {
      const acf = ifft(mem.subarray(buf + t * nfft, buf + (t + 1) * nfft));
      out.set(acf.subarray(0, lags), (t0 + t) * lags);
    }
  }
  return out;
}

/** Each nfft-long frame of the block at `buf` replaced by its transform. */
function transformEach(mem: Float32Array, buf: number, n: number, nfft: number, fft: FrameTransform): void {
  for (let t = 0; t < n; t++) mem.set(fft(mem.subarray(buf + t * nfft, buf + (t + 1) * nfft)), buf + t * nfft);
}

/** rows[r] . b for every row: b is inner x cols, row-major, cols a multiple of 4; a flat [rows x cols] array. */
export function matmulRows(rows: ArrayLike<number>[], b: Float32Array, cols: number): Float32Array {
  if (cols <= 0 || cols % 4 || b.length % cols) throw new Error(`matmulRows: ${cols} columns (a positive multiple of 4) cannot shape ${b.length} values`);
  const inner = b.length / cols;
  const out = new Float32Array(rows.length * cols);
  for (let r0 = 0; r0 < rows.length; r0 += FRAME_BLOCK) {
    const n = Math.min(FRAME_BLOCK, rows.length - r0);
    const { at: [bs, as, cs], mem } = layout(b.length, n * inner, n * cols);
    mem.set(b, bs);
    for (let r = 0; r < n; r++) {
      if (rows[r0 + r].length !== inner) throw new Error(`matmulRows: row ${r0 + r} has ${rows[r0 + r].length} values, not ${inner}`);
      mem.set(rows[r0 + r], as + r * inner);
    }
    kernels().matmul(4 * as, n, inner, 4 * bs, cols, 4 * cs);
    out.set(mem.subarray(cs, cs + n * cols), r0 * cols);
  }
  return out;
}

/** A band as a run of weights from a bin on (features/melFilterbank.ts's Filter). */
export interface Band {
  start: number;
  weights: Float32Array;
}

/** A filterbank packed for the kernel: weights padded to fours, and each band's (start, padded count, offset). */
interface PackedBands {
  desc: Int32Array;
  weights: Float32Array;
}
const packed = new WeakMap<Band[], PackedBands>();

function pack(bands: Band[]): PackedBands {
  let p = packed.get(bands);
  if (!p) {
    const desc = new Int32Array(3 * bands.length);
    let total = 0;
    bands.forEach((b, i) => {
      const n = Math.ceil(b.weights.length / 4) * 4;
      desc.set([b.start, n, total], 3 * i);
      total += n;
    });
    const weights = new Float32Array(total);
    bands.forEach((b, i) => weights.set(b.weights, desc[3 * i + 2]));
    packed.set(bands, (p = { desc, weights }));
  }
  return p;
}

/** Each band's weighted sum of the squared values of every row (a power filterbank on magnitudes): [rows x bands]. */
export function bandEnergies(rows: Float32Array[], bands: Band[]): Float32Array {
  const { desc, weights } = pack(bands);
  const bins = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * bands.length);
  for (let r0 = 0; r0 < rows.length; r0 += FRAME_BLOCK) {
    const n = Math.min(FRAME_BLOCK, rows.length - r0);
    // the padded weights read up to three values past a band's end: past the last row, zeros
    const { at: [d, w, xs, o], mem } = layout(desc.length, weights.length, n * bins + 4, n * bands.length);
    new Int32Array(mem.buffer, 4 * d, desc.length).set(desc);
    mem.set(weights, w);
    for (let r = 0; r < n; r++) mem.set(rows[r0 + r], xs + r * bins);
    mem.fill(0, xs + n * bins, xs + n * bins + 4);
    kernels().bandEnergies(4 * xs, n, bins, 4 * d, bands.length, 4 * w, 4 * o);
    out.set(mem.subarray(o, o + n * bands.length), r0 * bands.length);
  }
  return out;
}

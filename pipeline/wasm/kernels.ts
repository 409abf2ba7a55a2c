import * as fs from 'node:fs';
import * as path from 'node:path';

interface KernelExports {
  memory: WebAssembly.Memory;
  polyphase(x: number, xlen: number, y: number, n: number, w: number, taps: number, up: number, down: number, reach: number,
    base: number, rem: number, phase: number): void;
}

let loaded: KernelExports | undefined;

/**
 * The project's WebAssembly SIMD kernels (kernels.wat), instantiated once per thread on first use. Synchronous:
 * Node compiles a module this small at once, so callers need no `await load()` first. kernels.wasm sits beside this
 * file in the sources and beside the bundles in dist/ (build.mjs copies it).
 */
function kernels(): KernelExports {
  if (!loaded) {
    const mod = new WebAssembly.Module(fs.readFileSync(path.join(__dirname, 'kernels.wasm')));
    loaded = new WebAssembly.Instance(mod).exports as unknown as KernelExports;
  }
  return loaded;
}

/** The module's memory, grown to at least `bytes`, as a float32 view. */
function heap(bytes: number): Float32Array {
  const { memory } = kernels();
  const short = bytes - memory.buffer.byteLength;
  if (short > 0) memory.grow(Math.ceil(short / 65536));
  return new Float32Array(memory.buffer);
}

/** A rational rate change's polyphase filter: `up` phases of `taps` weights each (taps a multiple of 8). */
export interface PolyphaseFilter {
  weights: Float32Array;
  taps: number;
  up: number;
  down: number;
  reach: number;
}

/** Outputs per call: keeps the module's memory a few MB whatever the input's length. */
const BLOCK = 1 << 18;
let residentWeights: Float32Array | undefined;

/**
 * y[j] = sum_k w[j mod up][k] * x[floor(j * down / up) - reach + k] for every output whose whole kernel lies inside
 * x; the rest of y is left untouched (the caller treats the ends). Blocks of outputs are copied through the module's
 * memory with the input samples they read.
 */
export function polyphaseFir(x: Float32Array, y: Float32Array, f: PolyphaseFilter): void {
  const k = kernels();
  const { weights, taps, up, down, reach } = f;
  const wBytes = weights.length * 4;
  for (let j0 = 0; j0 < y.length; j0 += BLOCK) {
    const n = Math.min(BLOCK, y.length - j0);
    // the block's first and last kernel positions; in doubles, since j * down overflows 32 bits on long audio
    const base0 = Math.floor((j0 * down) / up);
    const last = Math.floor(((j0 + n - 1) * down) / up);
    const from = Math.max(0, base0 - reach);
    const to = Math.min(x.length, last + reach + 1);
    const xOff = wBytes;
    const yOff = xOff + (to - from + taps) * 4;
    const mem = heap(yOff + n * 4);
    if (residentWeights !== weights) {
      mem.set(weights, 0); // growing the memory keeps its contents: the weights stay until another filter comes
      residentWeights = weights;
    }
    mem.set(x.subarray(from, to), xOff / 4);
    mem.fill(0, xOff / 4 + (to - from), yOff / 4); // the zero-weighted taps past the end read these
    const outView = mem.subarray(yOff / 4, yOff / 4 + n);
    outView.set(y.subarray(j0, j0 + n)); // outputs the kernel skips keep the caller's values
    k.polyphase(xOff, to - from, yOff, n, 0, taps, up, down, reach, base0 - from, (j0 * down) % up, j0 % up);
    y.set(outView, j0);
  }
}

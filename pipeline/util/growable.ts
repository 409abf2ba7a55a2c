const BLOCK = 1 << 16;

/**
 * Append-only storage in fixed 64 K-element blocks: per-step scores of a long file grow memory linearly, without
 * the 2x slack and copy spikes of a doubling array (peak RSS must not depend on file length).
 */
class Blocks<A extends Float32Array | Int16Array> {
  private readonly blocks: A[] = [];
  length = 0;

  constructor(private readonly make: (n: number) => A) {}

  protected put(v: number): void {
    const b = this.length >>> 16;
    if (b === this.blocks.length) this.blocks.push(this.make(BLOCK));
    this.blocks[b][this.length & (BLOCK - 1)] = v;
    this.length++;
  }

  protected assign(i: number, v: number): void {
    this.blocks[i >>> 16][i & (BLOCK - 1)] = v;
  }

  protected at(i: number): number {
    return this.blocks[i >>> 16][i & (BLOCK - 1)];
  }
}

export class GrowableF32 extends Blocks<Float32Array> {
  constructor() {
    super((n) => new Float32Array(n));
  }

  push(v: number): void {
    this.put(v);
  }

  get(i: number): number {
    return this.at(i);
  }

  /** A contiguous copy of [start, end). */
  slice(start = 0, end = this.length): Float32Array {
    const out = new Float32Array(Math.max(0, end - start));
    for (let i = start; i < end; i++) out[i - start] = this.at(i);
    return out;
  }
}

/**
 * Log-domain values (log energies, log probabilities) in 16 bits at a fixed resolution: half the memory of float32
 * for a long file. NaN and -Infinity survive as sentinels; values clamp to +-32767 * resolution.
 */
export class GrowableLog16 extends Blocks<Int16Array> {
  static readonly NAN = -32768;
  static readonly NEG_INF = -32767;

  constructor(private readonly resolution: number) {
    super((n) => new Int16Array(n));
  }

  push(v: number): void {
    this.put(this.code(v));
  }

  /** Replaces value `i` (< length): a score decided after the values behind it. */
  set(i: number, v: number): void {
    this.assign(i, this.code(v));
  }

  private code(v: number): number {
    if (Number.isNaN(v)) return GrowableLog16.NAN;
    if (v === -Infinity) return GrowableLog16.NEG_INF;
    return Math.max(-32766, Math.min(32767, Math.round(v / this.resolution)));
  }

  get(i: number): number {
    const q = this.at(i);
    return q === GrowableLog16.NAN ? NaN : q === GrowableLog16.NEG_INF ? -Infinity : q * this.resolution;
  }
}

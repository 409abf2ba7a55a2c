const BLOCK = 1 << 16;

/**
 * Append-only float32 storage in fixed 64 K-element blocks: per-step scores of a long file grow memory linearly,
 * without the 2x slack and copy spikes of a doubling array (peak RSS must not depend on file length).
 */
export class GrowableF32 {
  private readonly blocks: Float32Array[] = [];
  length = 0;

  push(v: number): void {
    const b = this.length >>> 16;
    if (b === this.blocks.length) this.blocks.push(new Float32Array(BLOCK));
    this.blocks[b][this.length & (BLOCK - 1)] = v;
    this.length++;
  }

  get(i: number): number {
    return this.blocks[i >>> 16][i & (BLOCK - 1)];
  }

  /** A contiguous copy of [start, end). */
  slice(start = 0, end = this.length): Float32Array {
    const out = new Float32Array(Math.max(0, end - start));
    for (let i = start; i < end; i++) out[i - start] = this.get(i);
    return out;
  }
}

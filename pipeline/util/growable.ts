/** An append-only Float32Array that doubles its capacity: per-frame scores of a long file without number[] boxing. */
export class GrowableF32 {
  private data = new Float32Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  pushAll(v: ArrayLike<number>): void {
    for (let i = 0; i < v.length; i++) this.push(v[i]);
  }

  get(i: number): number {
    return this.data[i];
  }

  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * A look-ahead peak limiter, streamed: gain never lets a sample exceed `ceiling`, attacks over the look-ahead window
 * (so the gain is already down when the peak arrives) and releases slowly. Output lags input by the look-ahead;
 * `flush()` returns the rest. Used only when linear gain alone would break the true-peak limit, and then reported.
 */
export class Limiter {
  private readonly la: number;
  private readonly rel: number;
  private readonly size: number;
  /** the samples and their needed gains still ahead of the output, in rings indexed by absolute sample mod size */
  private readonly xs: Float64Array;
  private readonly needs: Float64Array;
  /** a monotone queue (ring) of absolute indices: the minimum need over the look-ahead window is at its front */
  private readonly dq: Float64Array;
  private head = 0;
  private tail = 0;
  private next = 0; // next absolute sample to output
  private pushed = 0;
  /** the last `la` look-ahead minima, for the trailing mean that smooths the attack */
  private readonly recent: Float64Array;
  private acc = 0;
  private g = 1;

  constructor(fs: number, private readonly ceiling: number, lookaheadMs = 5, releaseMs = 80) {
    this.la = Math.max(1, Math.round((lookaheadMs / 1000) * fs));
    this.rel = Math.exp(-1 / ((releaseMs / 1000) * fs));
    this.size = this.la + 2;
    this.xs = new Float64Array(this.size);
    this.needs = new Float64Array(this.size);
    this.dq = new Float64Array(this.size);
    this.recent = new Float64Array(this.la);
  }

  push(x: Float32Array): Float32Array {
    const out = new Float32Array(Math.max(0, Math.min(x.length, this.pushed + x.length - this.la - this.next)));
    let o = 0;
    for (let n = 0; n < x.length; n++) {
      const i = this.pushed++;
      const need = Math.min(1, this.ceiling / Math.max(Math.abs(x[n]), 1e-12));
      this.xs[i % this.size] = x[n];
      this.needs[i % this.size] = need;
      while (this.tail > this.head && this.needs[this.dq[(this.tail - 1) % this.size] % this.size] >= need) this.tail--;
      this.dq[this.tail++ % this.size] = i;
      // sample `next` can go once everything up to next + la has arrived
      if (this.next + this.la < this.pushed) out[o++] = this.emit();
    }
    return o === out.length ? out : out.subarray(0, o);
  }

  flush(): Float32Array {
    const out = new Float32Array(this.pushed - this.next);
    for (let o = 0; this.next < this.pushed; o++) out[o] = this.emit();
    return out;
  }

  private emit(): number {
    const i = this.next++;
    while (this.dq[this.head % this.size] < i) this.head++;
    // minimum need over [i, i + la]: samples leave as soon as i + la has arrived, so the queue holds exactly that
    // window (less at the very end) and its front is the minimum
    const minAhead = this.needs[this.dq[this.head % this.size] % this.size];
    // before the start, count the first window's minimum: a peak within the first look-ahead is held down too
    if (i === 0) {
      this.recent.fill(minAhead);
      this.acc = this.la * (minAhead - 1);
    }
    // the trailing mean of the minima over the look-ahead is a smooth ramp that is still <= need[i] (each window it
    // averages contains sample i), so the attack has no step and never lets a peak through
    const slot = i % this.la;
    this.acc += minAhead - this.recent[slot];
    this.recent[slot] = minAhead;
    const attack = (this.acc + this.la) / this.la;
    this.g = attack < this.g ? attack : attack + (this.g - attack) * this.rel;
    return this.xs[i % this.size] * this.g;
  }
}

/** The limiter over a whole signal (see Limiter), output aligned with the input. */
export function limit(x: Float32Array, fs: number, ceiling: number, lookaheadMs = 5, releaseMs = 80): Float32Array {
  const l = new Limiter(fs, ceiling, lookaheadMs, releaseMs);
  const a = l.push(x);
  const b = l.flush();
  const y = new Float32Array(x.length);
  y.set(a);
  y.set(b, a.length);
  return y;
}

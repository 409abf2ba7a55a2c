/**
 * A look-ahead peak limiter: gain never lets a sample exceed `ceiling`, attacks over the look-ahead window (so the
 * gain is already down when the peak arrives) and releases slowly. Used only when linear gain alone would break
 * the true-peak limit, and then reported per clip.
 */
export function limit(x: Float32Array, fs: number, ceiling: number, lookaheadMs = 5, releaseMs = 80): Float32Array {
  const la = Math.max(1, Math.round((lookaheadMs / 1000) * fs));
  const rel = Math.exp(-1 / ((releaseMs / 1000) * fs));
  // required gain per sample, then its minimum over the look-ahead window ahead of each sample
  const need = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) need[i] = Math.min(1, ceiling / Math.max(Math.abs(x[i]), 1e-12));
  const minAhead = new Float32Array(x.length);
  const dq: number[] = [];
  for (let i = x.length - 1; i >= 0; i--) {
    while (dq.length && need[dq[dq.length - 1]] >= need[i]) dq.pop();
    dq.push(i);
    while (dq[0] > i + la) dq.shift(); // dq is short: one entry per descending run in the window
    minAhead[i] = need[dq[0]];
  }
  // the trailing mean of minAhead over the look-ahead is a smooth ramp that is still <= need[i] (each window it
  // averages contains sample i), so the attack has no step and never lets a peak through
  const y = new Float32Array(x.length);
  let acc = 0;
  let g = 1;
  for (let i = 0; i < x.length; i++) {
    acc += minAhead[i] - (i >= la ? minAhead[i - la] : 1);
    const attack = (acc + la) / la; // mean over la samples, counting 1 before the start
    g = attack < g ? attack : attack + (g - attack) * rel;
    y[i] = x[i] * g;
  }
  return y;
}

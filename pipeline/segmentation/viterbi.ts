/** Log emission of state k at frame t. A callback, so long files need no T x K emission matrix in memory. */
export type Emission = (t: number, k: number) => number;

/**
 * Most likely state path (log domain, uniform start) over T frames of K states.
 * `transition[i*K + j]` is the log cost of going from state i to state j.
 */
export function viterbi(T: number, K: number, emission: Emission, transition: number[]): Uint8Array {
  const path = new Uint8Array(T);
  if (T === 0) return path;
  const back = new Uint8Array(T * K);
  let score = new Float64Array(K);
  let next = new Float64Array(K);
  for (let k = 0; k < K; k++) score[k] = emission(0, k) - Math.log(K);
  for (let t = 1; t < T; t++) {
    for (let j = 0; j < K; j++) {
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < K; i++) {
        const s = score[i] + transition[i * K + j];
        if (s > best) {
          best = s;
          arg = i;
        }
      }
      next[j] = best + emission(t, j);
      back[t * K + j] = arg;
    }
    [score, next] = [next, score];
  }
  let arg = 0;
  for (let k = 1; k < K; k++) if (score[k] > score[arg]) arg = k;
  for (let t = T - 1; t >= 0; t--) {
    path[t] = arg;
    arg = back[t * K + arg];
  }
  return path;
}

/** Transition costs where leaving a state costs 10^-exp (inaSpeechSegmenter's diag_trans_exp). */
export function switchCost(exp: number, K: number, stay: number[] = []): number[] {
  const cost = -exp * Math.LN10;
  return Array.from({ length: K * K }, (_, n) => (n % (K + 1) === 0 ? stay[n / (K + 1)] ?? 0 : cost));
}

/** Runs of equal values as [value, start, stop) triples. */
export function runs(values: ArrayLike<number>): [number, number, number][] {
  const out: [number, number, number][] = [];
  let start = 0;
  for (let i = 1; i <= values.length; i++) {
    if (i === values.length || values[i] !== values[start]) {
      out.push([values[start], start, i]);
      start = i;
    }
  }
  return out;
}

/** Dot product: the cosine similarity of two L2-normalised embeddings. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Scales `v` to unit length in place (a zero vector stays zero) and returns it. */
export function normalise(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v)) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/**
 * Agglomerative clustering (average linkage) of L2-normalised embeddings under cosine similarity: merge the most
 * similar pair of clusters until `k` remain, or, with no k, while the best pair is at least `minSim` alike.
 * Returns a cluster index per item, numbered by first appearance. O(n^3) in the worst case: meant for clips
 * (hundreds to a few thousand), not frames.
 */
export function agglomerate(embs: ArrayLike<number>[], opts: { k?: number; minSim?: number }): number[] {
  const n = embs.length;
  // cluster-to-cluster mean similarities, updated on each merge (Lance-Williams for average linkage)
  const S = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (i === j ? 1 : dot(embs[i], embs[j]))));
  const size = new Array<number>(n).fill(1);
  const alive = new Array<boolean>(n).fill(true);
  const member = Array.from({ length: n }, (_, i) => i);
  let count = n;
  while (count > 1 && (opts.k === undefined || count > opts.k)) {
    let best = -Infinity;
    let a = -1;
    let b = -1;
    for (let i = 0; i < n; i++) if (alive[i]) for (let j = i + 1; j < n; j++) if (alive[j] && S[i][j] > best) {
      best = S[i][j];
      a = i;
      b = j;
    }
    if (opts.k === undefined && best < (opts.minSim ?? 0.5)) break;
    for (let m = 0; m < n; m++) if (alive[m] && m !== a && m !== b) {
      S[a][m] = S[m][a] = (S[a][m] * size[a] + S[b][m] * size[b]) / (size[a] + size[b]);
    }
    size[a] += size[b];
    alive[b] = false;
    for (let m = 0; m < n; m++) if (member[m] === b) member[m] = a;
    count--;
  }
  const order = new Map<number, number>();
  return member.map((c) => {
    if (!order.has(c)) order.set(c, order.size);
    return order.get(c)!;
  });
}

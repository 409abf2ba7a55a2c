/** Groups smaller than this are pooled together before their statistics are taken. */
export const MIN_GROUP = 5;

/**
 * Standardises features within each group (a speaker while training, a source recording when classifying): what a
 * voice does relative to its own habits says more about emotion than its absolute pitch or timbre. Groups under
 * MIN_GROUP items share one pooled set of statistics.
 */
export function normaliseByGroup(vectors: ArrayLike<number>[], groups: string[]): Float64Array[] {
  const counts = new Map<string, number>();
  for (const g of groups) counts.set(g, (counts.get(g) ?? 0) + 1);
  const key = (g: string) => ((counts.get(g) ?? 0) >= MIN_GROUP ? g : '\u0000pooled');
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => members.set(key(g), [...(members.get(key(g)) ?? []), i]));
  const out: Float64Array[] = new Array(vectors.length);
  for (const idx of members.values()) {
    const d = vectors[idx[0]].length;
    const mean = new Float64Array(d);
    const sd = new Float64Array(d);
    for (const i of idx) for (let j = 0; j < d; j++) mean[j] += vectors[i][j] / idx.length;
    for (const i of idx) for (let j = 0; j < d; j++) sd[j] += (vectors[i][j] - mean[j]) ** 2 / idx.length;
    for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]) || 1;
    for (const i of idx) out[i] = Float64Array.from({ length: d }, (_, j) => (vectors[i][j] - mean[j]) / sd[j]);
  }
  return out;
}

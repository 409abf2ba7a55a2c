/**
 * The median of the first `n` values (the mean of the middle two for an even count), by Hoare's quickselect in
 * place: O(n), and the order of `a` is not kept. NaN for no values.
 */
export function medianInPlace(a: Float32Array | Float64Array, n = a.length): number {
  if (n <= 0) return NaN;
  const mid = n >> 1;
  const upper = select(a, n, mid);
  if (n % 2) return upper;
  // select() leaves every value before `mid` at or under the one it returns: the lower middle is their largest
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** The value sorting the first n of `a` would put at `k`, with values at or under it before it. */
function select(a: Float32Array | Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

const hanns = new Map<number, Float32Array>();

/** The periodic Hann window of `n` samples (scipy's sym=False, torch's default), made once per size. */
export function periodicHann(n: number): Float32Array {
  let w = hanns.get(n);
  if (!w) hanns.set(n, (w = Float32Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n))));
  return w;
}

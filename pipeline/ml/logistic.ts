/** A binary linear classifier: p(positive) = sigmoid(w.x + b). */
export interface LogisticModel {
  weights: number[];
  bias: number;
}

export const logit = (m: LogisticModel, x: ArrayLike<number>): number => {
  let z = m.bias;
  for (let j = 0; j < m.weights.length; j++) z += m.weights[j] * x[j];
  return z;
};

/**
 * L2-regularised logistic regression by full-batch gradient descent: deterministic (zero start, fixed steps), no
 * dependency, and plenty for a few hundred 256-d embeddings.
 */
export function fitLogistic(X: ArrayLike<number>[], y: number[], opts: { l2?: number; iters?: number; lr?: number } = {}): LogisticModel {
  const { l2 = 1e-2, iters = 2000, lr = 0.5 } = opts;
  const d = X[0].length;
  const w = new Float64Array(d);
  let b = 0;
  const g = new Float64Array(d);
  for (let it = 0; it < iters; it++) {
    g.fill(0);
    let gb = 0;
    for (let i = 0; i < X.length; i++) {
      let z = b;
      for (let j = 0; j < d; j++) z += w[j] * X[i][j];
      const err = 1 / (1 + Math.exp(-z)) - y[i];
      for (let j = 0; j < d; j++) g[j] += err * X[i][j];
      gb += err;
    }
    for (let j = 0; j < d; j++) w[j] -= lr * (g[j] / X.length + l2 * w[j]);
    b -= (lr * gb) / X.length;
  }
  return { weights: Array.from(w), bias: b };
}

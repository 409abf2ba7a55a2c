import { predict, trainMlp, type Mlp, type MlpOptions, type TrainResult } from '../ml/mlp';

/** A trained tone classifier: standardisation, then the MLP. Exported to ONNX as Sub, Div, Gemm/Relu..., Softmax. */
export interface ToneClassifier {
  classes: string[];
  mean: Float32Array;
  scale: Float32Array;
  mlp: Mlp;
}

export const DEFAULT_TRAINING: Omit<MlpOptions, 'validation' | 'onEpoch'> = {
  hidden: [256], alpha: 1e-2, learningRate: 1e-3, epochs: 60, batchSize: 32, seed: 1, dropout: 0.3,
};

export function standardiser(x: ArrayLike<number>[]): { mean: Float32Array; scale: Float32Array } {
  const d = x[0].length;
  const mean = new Float32Array(d);
  const scale = new Float32Array(d);
  for (const v of x) for (let i = 0; i < d; i++) mean[i] += v[i] / x.length;
  for (const v of x) for (let i = 0; i < d; i++) scale[i] += (v[i] - mean[i]) ** 2 / x.length;
  for (let i = 0; i < d; i++) scale[i] = Math.sqrt(scale[i]) || 1;
  return { mean, scale };
}

export function standardise(v: ArrayLike<number>, s: { mean: Float32Array; scale: Float32Array }): Float32Array {
  return Float32Array.from(s.mean, (m, i) => (v[i] - m) / s.scale[i]);
}

export function trainClassifier(x: ArrayLike<number>[], labels: string[], classes: string[], opts: MlpOptions = DEFAULT_TRAINING as MlpOptions,
  validation?: { x: ArrayLike<number>[]; labels: string[] }): { classifier: ToneClassifier; result: TrainResult } {
  const s = standardiser(x);
  const y = labels.map((l) => classes.indexOf(l));
  const result = trainMlp(x.map((v) => standardise(v, s)), y, classes.length, {
    ...opts,
    validation: validation && { x: validation.x.map((v) => standardise(v, s)), y: validation.labels.map((l) => classes.indexOf(l)) },
  });
  return { classifier: { classes, ...s, mlp: result.model }, result };
}

export function classify(c: ToneClassifier, v: ArrayLike<number>): Float32Array {
  return predict(c.mlp, standardise(v, c));
}

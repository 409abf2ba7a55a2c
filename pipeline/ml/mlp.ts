import { gaussian, seededRandom, shuffleInPlace } from './random';

/** A dense layer: y = W x + b, W stored row-major [out][in]. */
export interface Dense {
  inputs: number;
  outputs: number;
  w: Float32Array;
  b: Float32Array;
}

/** ReLU between layers, softmax on the last: what the ONNX export writes as Gemm/Relu/Softmax. */
export interface Mlp {
  layers: Dense[];
}

export interface MlpOptions {
  hidden: number[];
  /** L2 penalty (sklearn's alpha) */
  alpha: number;
  learningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
  /** per-class loss weights (balanced by default) */
  classWeights?: number[];
  /** drop this share of hidden units while training */
  dropout?: number;
  /** stop when the validation loss has not improved for this many epochs, keeping the best model */
  patience?: number;
  validation?: { x: Float32Array[]; y: number[] };
  /** called after every epoch; `model` is a snapshot the caller may keep (checkpoints) */
  onEpoch?: (e: { epoch: number; loss: number; valLoss?: number; valAccuracy?: number; model: () => Mlp }) => void;
}

export interface TrainResult {
  model: Mlp;
  epochs: number;
  bestEpoch: number;
  history: { epoch: number; loss: number; valLoss?: number; valAccuracy?: number }[];
}

function cloneMlp(m: Mlp): Mlp {
  return { layers: m.layers.map((l) => ({ ...l, w: l.w.slice(), b: l.b.slice() })) };
}

/** Forward pass: class probabilities. `acts` receives each layer's output when given (training). */
export function predict(m: Mlp, x: ArrayLike<number>, acts?: Float32Array[], dropMasks?: Uint8Array[], dropScale = 1): Float32Array {
  let h: ArrayLike<number> = x;
  m.layers.forEach((l, li) => {
    const out = acts?.[li] ?? new Float32Array(l.outputs);
    const last = li === m.layers.length - 1;
    for (let o = 0; o < l.outputs; o++) {
      let s = l.b[o];
      const row = o * l.inputs;
      for (let i = 0; i < l.inputs; i++) s += l.w[row + i] * h[i];
      out[o] = last ? s : s > 0 ? s : 0;
    }
    const mask = dropMasks?.[li];
    // inverted dropout: kept units are scaled up while training so inference needs no correction
    if (mask && !last) for (let o = 0; o < l.outputs; o++) out[o] = mask[o] ? out[o] * dropScale : 0;
    if (last) {
      let max = -Infinity;
      for (let o = 0; o < l.outputs; o++) max = Math.max(max, out[o]);
      let z = 0;
      for (let o = 0; o < l.outputs; o++) z += (out[o] = Math.exp(out[o] - max));
      for (let o = 0; o < l.outputs; o++) out[o] /= z;
    }
    h = out;
  });
  return h as Float32Array;
}

function meanLoss(m: Mlp, x: Float32Array[], y: number[], weights: number[]): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  let wsum = 0;
  x.forEach((xi, n) => {
    const p = predict(m, xi);
    loss -= weights[y[n]] * Math.log(Math.max(1e-12, p[y[n]]));
    wsum += weights[y[n]];
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
    if (best === y[n]) correct++;
  });
  return { loss: loss / Math.max(1e-12, wsum), accuracy: correct / Math.max(1, x.length) };
}

/** Classes weighted inversely to their counts (sklearn's class_weight='balanced'). */
export function balancedWeights(y: number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const c of y) counts[c]++;
  return counts.map((n) => (n ? y.length / (classes * n) : 0));
}

/**
 * Mini-batch Adam on softmax cross-entropy with L2 and optional dropout, deterministic given `seed` (initialisation,
 * shuffling and dropout all draw from one seeded generator).
 */
export function trainMlp(x: Float32Array[], y: number[], classes: number, opts: MlpOptions): TrainResult {
  const rand = seededRandom(opts.seed);
  const sizes = [x[0].length, ...opts.hidden, classes];
  const model: Mlp = {
    layers: sizes.slice(1).map((outputs, li) => {
      const inputs = sizes[li];
      const scale = Math.sqrt(2 / inputs); // He initialisation for ReLU
      return { inputs, outputs, w: Float32Array.from({ length: inputs * outputs }, () => gaussian(rand) * scale), b: new Float32Array(outputs) };
    }),
  };
  const weights = opts.classWeights ?? balancedWeights(y, classes);
  const adam = model.layers.map((l) => ({ mw: new Float32Array(l.w.length), vw: new Float32Array(l.w.length), mb: new Float32Array(l.b.length), vb: new Float32Array(l.b.length) }));
  const grads = model.layers.map((l) => ({ w: new Float32Array(l.w.length), b: new Float32Array(l.b.length) }));
  const acts = model.layers.map((l) => new Float32Array(l.outputs));
  const deltas = model.layers.map((l) => new Float32Array(l.outputs));
  const masks = model.layers.map((l) => new Uint8Array(l.outputs));
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const dropScale = opts.dropout ? 1 / (1 - opts.dropout) : 1;
  let step = 0;
  const order = x.map((_, i) => i);
  const history: TrainResult['history'] = [];
  let best = { loss: Infinity, model: cloneMlp(model), epoch: 0 };
  let epoch = 0;
  for (epoch = 1; epoch <= opts.epochs; epoch++) {
    shuffleInPlace(order, rand);
    let epochLoss = 0;
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize);
      grads.forEach((g) => { g.w.fill(0); g.b.fill(0); });
      for (const n of batch) {
        const dropping = opts.dropout ? masks.map((mk) => { for (let o = 0; o < mk.length; o++) mk[o] = rand() >= opts.dropout! ? 1 : 0; return mk; }) : undefined;
        const p = predict(model, x[n], acts, dropping, dropScale);
        const wt = weights[y[n]];
        epochLoss -= wt * Math.log(Math.max(1e-12, p[y[n]]));
        const L = model.layers.length;
        for (let c = 0; c < classes; c++) deltas[L - 1][c] = wt * (p[c] - (c === y[n] ? 1 : 0));
        for (let li = L - 1; li >= 0; li--) {
          const l = model.layers[li];
          const input = li === 0 ? x[n] : acts[li - 1];
          const d = deltas[li];
          const g = grads[li];
          for (let o = 0; o < l.outputs; o++) {
            const dv = d[o];
            if (dv === 0) continue;
            g.b[o] += dv;
            const row = o * l.inputs;
            for (let i = 0; i < l.inputs; i++) g.w[row + i] += dv * input[i];
          }
          if (li > 0) {
            const prev = deltas[li - 1];
            prev.fill(0);
            for (let o = 0; o < l.outputs; o++) {
              const dv = d[o];
              if (dv === 0) continue;
              const row = o * l.inputs;
              for (let i = 0; i < l.inputs; i++) prev[i] += l.w[row + i] * dv;
            }
            const a = acts[li - 1];
            for (let i = 0; i < prev.length; i++) prev[i] = a[i] > 0 ? prev[i] * dropScale : 0; // ReLU; dropped units are 0
          }
        }
      }
      step++;
      const lrT = (opts.learningRate * Math.sqrt(1 - b2 ** step)) / (1 - b1 ** step);
      model.layers.forEach((l, li) => {
        const g = grads[li];
        const s = adam[li];
        const inv = 1 / batch.length;
        for (let k = 0; k < l.w.length; k++) {
          const gk = g.w[k] * inv + opts.alpha * l.w[k] * inv;
          s.mw[k] = b1 * s.mw[k] + (1 - b1) * gk;
          s.vw[k] = b2 * s.vw[k] + (1 - b2) * gk * gk;
          l.w[k] -= (lrT * s.mw[k]) / (Math.sqrt(s.vw[k]) + eps);
        }
        for (let k = 0; k < l.b.length; k++) {
          const gk = g.b[k] * inv;
          s.mb[k] = b1 * s.mb[k] + (1 - b1) * gk;
          s.vb[k] = b2 * s.vb[k] + (1 - b2) * gk * gk;
          l.b[k] -= (lrT * s.mb[k]) / (Math.sqrt(s.vb[k]) + eps);
        }
      });
    }
    const entry: TrainResult['history'][number] = { epoch, loss: epochLoss / x.length };
    if (opts.validation?.x.length) {
      const v = meanLoss(model, opts.validation.x, opts.validation.y, weights);
      entry.valLoss = v.loss;
      entry.valAccuracy = v.accuracy;
    }
    history.push(entry);
    opts.onEpoch?.({ ...entry, model: () => cloneMlp(model) });
    const watched = entry.valLoss ?? entry.loss;
    if (watched < best.loss - 1e-6) best = { loss: watched, model: cloneMlp(model), epoch };
    else if (opts.patience && epoch - best.epoch >= opts.patience) break;
  }
  return { model: opts.patience ? best.model : model, epochs: Math.min(epoch, opts.epochs), bestEpoch: best.epoch, history };
}

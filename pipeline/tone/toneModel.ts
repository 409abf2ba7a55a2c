import * as fs from 'node:fs';
import { modelBytes, node, tensor, valueInfo } from '../ml/onnxWriter';
import { openSession, ort, type LoadedSession } from '../models/ortSession';
import { writeFileAtomic } from '../util/atomic';
import type { ToneClassifier } from './classifier';
import type { FeatureKind } from './toneFeatures';

/**
 * The JSON sidecar written next to every exported tone model (`<model>.json`): what the ONNX needs as input and
 * how it was made. The ONNX contract (docs/models.md): input `features` float32 [N, dims], output `probabilities`
 * float32 [N, classes.length], in the order of `classes`.
 */
export interface ToneSidecar {
  format: 'sds-tone/1';
  classes: string[];
  feature: { kind: FeatureKind; version: number; sampleRate: number; dims: number; names: string[] };
  /** 'speaker': features are standardised within each speaker (training) or source recording (classify) first */
  normalise: 'speaker' | 'global';
  /** the global standardisation, also inside the ONNX graph (Sub, Div) */
  mean: number[];
  scale: number[];
  training: {
    options: Record<string, unknown>;
    epochs: number;
    bestEpoch: number;
    files: number;
    speakers: string[];
    perClass: Record<string, number>;
    dataHash: string;
    finalLoss: number;
    validationAccuracy?: number;
    seconds: number;
  };
}

/** Sub(mean), Div(scale), then Gemm (+Relu) per layer and Softmax: the classifier as a standard ONNX graph. */
export function toneOnnx(c: ToneClassifier, metadata: Record<string, string> = {}): Buffer {
  const d = c.mean.length;
  const nodes = [node('Sub', ['features', 'mean'], ['centred']), node('Div', ['centred', 'scale'], ['h0'])];
  const inits = [tensor('mean', c.mean, [d]), tensor('scale', c.scale, [d])];
  c.mlp.layers.forEach((l, i) => {
    const last = i === c.mlp.layers.length - 1;
    inits.push(tensor(`W${i}`, l.w, [l.outputs, l.inputs]), tensor(`b${i}`, l.b, [l.outputs]));
    nodes.push(node('Gemm', [`h${i}`, `W${i}`, `b${i}`], [last ? 'logits' : `z${i}`], [{ name: 'transB', int: 1 }]));
    if (!last) nodes.push(node('Relu', [`z${i}`], [`h${i + 1}`]));
  });
  nodes.push(node('Softmax', ['logits'], ['probabilities'], [{ name: 'axis', int: 1 }]));
  return modelBytes({ name: 'sds-tone', nodes, initializers: inits, inputs: [valueInfo('features', ['N', d])],
    outputs: [valueInfo('probabilities', ['N', c.classes.length])], metadata: { classes: c.classes.join(','), ...metadata } });
}

export function sidecarPath(model: string): string {
  return model.replace(/\.onnx$/i, '') + '.json';
}

export async function saveToneModel(file: string, c: ToneClassifier, sidecar: ToneSidecar): Promise<void> {
  await writeFileAtomic(file, toneOnnx(c, { feature: sidecar.feature.kind, normalise: sidecar.normalise }));
  await writeFileAtomic(sidecarPath(file), JSON.stringify(sidecar, null, 1) + '\n');
}

/** An exported tone model loaded in onnxruntime-node, with its sidecar. */
export class ToneModel {
  private constructor(readonly file: string, readonly sidecar: ToneSidecar, private readonly loaded: LoadedSession) {}

  static async open(file: string, log?: (m: string) => void): Promise<ToneModel> {
    if (!fs.existsSync(file)) throw new Error(`${file}: no such tone model`);
    const side = sidecarPath(file);
    if (!fs.existsSync(side)) throw new Error(`${file}: its sidecar ${side} is missing (classes and feature spec live there)`);
    const sidecar = JSON.parse(fs.readFileSync(side, 'utf8')) as ToneSidecar;
    if (sidecar.format !== 'sds-tone/1') throw new Error(`${side}: not a tone model sidecar (format ${sidecar.format})`);
    return new ToneModel(file, sidecar, await openSession(file, { log }));
  }

  /** Class probabilities for each feature vector (already group-normalised when the sidecar says so). */
  async probabilities(features: ArrayLike<number>[]): Promise<Float32Array[]> {
    if (!features.length) return [];
    const d = this.sidecar.feature.dims;
    const flat = new Float32Array(features.length * d);
    features.forEach((f, i) => {
      if (f.length !== d) throw new Error(`${this.file}: expects ${d} features, got ${f.length}`);
      flat.set(Float32Array.from(f), i * d);
    });
    const out = await this.loaded.session.run({ features: new ort.Tensor('float32', flat, [features.length, d]) });
    const p = out.probabilities.data as Float32Array;
    const c = this.sidecar.classes.length;
    return features.map((_, i) => p.slice(i * c, (i + 1) * c));
  }

  async release(): Promise<void> {
    await this.loaded.session.release();
  }
}

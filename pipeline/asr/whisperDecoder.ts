import { ort, runFetching, type LoadedSession } from '../models/ortSession';

/** What the decoder has seen so far: the KV cache of a merged decoder, or the tokens a no-cache decoder re-reads. */
export interface DecoderState {
  tokens: number[];
  /** `past_key_values.*` for the next step (merged decoder with the cache on) */
  past?: Record<string, ort.Tensor>;
}

export interface DecoderStep {
  /** log-softmax over the vocabulary at each new position (row-major, `rows` x vocab) */
  logprobs: Float32Array;
  rows: number;
  vocab: number;
  state: DecoderState;
  /** cross-attention weights per requested layer: [heads, rows, 1500] */
  cross?: Map<number, { data: Float32Array; heads: number; frames: number }>;
}

function logSoftmaxRows(logits: Float32Array, rows: number, vocab: number): Float32Array {
  const out = new Float32Array(rows * vocab);
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * vocab, (r + 1) * vocab);
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) if (row[i] > max) max = row[i];
    let z = 0;
    for (let i = 0; i < vocab; i++) z += Math.exp(row[i] - max);
    const lz = max + Math.log(z);
    for (let i = 0; i < vocab; i++) out[r * vocab + i] = row[i] - lz;
  }
  return out;
}

/**
 * The two decoder interfaces Whisper ONNX exports have. The merged decoder (`decoder_model_merged*.onnx`, what
 * transformers.js exports) takes `use_cache_branch` and the `past_key_values.*` of the previous step, so each new
 * token costs one position; the self-attention cache grows by a step, the cross-attention one is the first step's.
 * The no-cache decoder (`decoder_model.onnx`) re-reads the whole prefix every step. `cache: false` runs the merged
 * one that way too (how the bench measures what the cache saves).
 */
export class WhisperDecoder {
  readonly merged: boolean;
  private readonly pastNames: string[];
  private readonly idsName: string;
  private readonly encName: string;

  constructor(private readonly loaded: LoadedSession, private readonly shape: { heads: number; headDim: number }, readonly cache = true) {
    const s = loaded.session;
    this.pastNames = s.inputNames.filter((n) => n.startsWith('past_key_values.'));
    this.merged = s.inputNames.includes('use_cache_branch');
    this.idsName = s.inputNames.find((n) => /input_ids/.test(n)) ?? s.inputNames[0];
    this.encName = s.inputNames.find((n) => /encoder_hidden_states/.test(n)) ?? s.inputNames[1];
  }

  /** Whether the export hands out cross-attention maps (word timings need them). */
  get hasCrossAttention(): boolean {
    return this.loaded.session.outputNames.some((n) => n.startsWith('cross_attentions.'));
  }

  /** the window's encoder output and cross-attention cache, repeated for a batch of hypotheses */
  private repeated?: { enc: ort.Tensor; source: ort.Tensor; rows: number; data: Map<string, Float32Array> };

  private repeat(enc: ort.Tensor, past: Record<string, ort.Tensor>, rows: number): (name: string, b: number) => ort.Tensor {
    if (this.repeated?.source !== enc || this.repeated.rows < rows) {
      const data = new Map<string, Float32Array>();
      for (const n of ['enc', ...this.pastNames.filter((x) => x.includes('.encoder.'))]) {
        const one = (n === 'enc' ? enc : past[n]).data as Float32Array;
        const many = new Float32Array(one.length * rows);
        for (let r = 0; r < rows; r++) many.set(one, r * one.length);
        data.set(n, many);
      }
      this.repeated = { enc: enc, source: enc, rows, data };
    }
    const rep = this.repeated;
    return (name, b) => {
      const one = name === 'enc' ? enc : past[name];
      const size = (one.data as Float32Array).length;
      return new ort.Tensor('float32', rep.data.get(name)!.subarray(0, b * size), [b, ...(one.dims as number[]).slice(1)]);
    };
  }

  /**
   * One token for each of several hypotheses of the same length (beams, or samples), in one batched run of the
   * merged decoder: a step of five costs under twice a step of one. The no-cache decoder runs them one by one.
   */
  async stepMany(enc: ort.Tensor, states: DecoderState[], ids: number[]): Promise<{ logprobs: Float32Array[]; states: DecoderState[] }> {
    if (states.length === 1 || !this.merged || !this.cache || states.some((st) => !st.past)) {
      const out: DecoderStep[] = [];
      for (let i = 0; i < states.length; i++) out.push(await this.run(enc, states[i], [ids[i]]));
      return { logprobs: out.map((o) => o.logprobs), states: out.map((o) => o.state) };
    }
    const s = this.loaded.session;
    const B = states.length;
    const first = states[0].past!;
    const rep = this.repeat(enc, first, B);
    const feeds: Record<string, ort.Tensor> = {
      [this.idsName]: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [B, 1]),
      [this.encName]: rep('enc', B),
      use_cache_branch: new ort.Tensor('bool', new Uint8Array([1]), [1]),
    };
    const selfNames = this.pastNames.filter((n) => !n.includes('.encoder.'));
    for (const n of this.pastNames.filter((x) => x.includes('.encoder.'))) feeds[n] = rep(n, B);
    for (const n of selfNames) {
      const one = first[n];
      const size = (one.data as Float32Array).length;
      const all = new Float32Array(size * B);
      states.forEach((st, i) => all.set(st.past![n].data as Float32Array, i * size));
      feeds[n] = new ort.Tensor('float32', all, [B, ...(one.dims as number[]).slice(1)]);
    }
    const presents = selfNames.map((n) => n.replace('past_key_values.', 'present.'));
    const out = await runFetching(s, feeds, ['logits', ...presents]);
    const logits = out.logits as ort.Tensor;
    const vocab = logits.dims[2] as number;
    const lp = logSoftmaxRows(logits.data as Float32Array, B, vocab);
    const next = states.map((st, i) => {
      const past: Record<string, ort.Tensor> = {};
      for (const n of this.pastNames.filter((x) => x.includes('.encoder.'))) past[n] = first[n];
      selfNames.forEach((n, k) => {
        const t = out[presents[k]] as ort.Tensor;
        const size = (t.data as Float32Array).length / B;
        past[n] = new ort.Tensor('float32', (t.data as Float32Array).subarray(i * size, (i + 1) * size), [1, ...(t.dims as number[]).slice(1)]);
      });
      return { tokens: [...st.tokens, ids[i]], past };
    });
    return { logprobs: states.map((_, i) => lp.subarray(i * vocab, (i + 1) * vocab)), states: next };
  }

  private emptyPast(): Record<string, ort.Tensor> {
    const { heads, headDim } = this.shape;
    return Object.fromEntries(this.pastNames.map((n) => [n, new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, headDim])]));
  }

  /**
   * Feeds `tokens` after `state` (undefined: from the start). Only the outputs used are fetched: the logits, the
   * cache when it is kept, and the cross-attention layers asked for.
   */
  async run(enc: ort.Tensor, state: DecoderState | undefined, tokens: number[], crossLayers: number[] = []): Promise<DecoderStep> {
    const s = this.loaded.session;
    const useCache = this.merged && this.cache && !!state?.past;
    const fed = useCache || !state ? tokens : [...state.tokens, ...tokens];
    const feeds: Record<string, ort.Tensor> = {
      [this.idsName]: new ort.Tensor('int64', BigInt64Array.from(fed.map(BigInt)), [1, fed.length]),
      [this.encName]: enc,
    };
    if (this.merged) {
      Object.assign(feeds, useCache ? state!.past : this.emptyPast());
      feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([useCache ? 1 : 0]), [1]);
    }
    const keep = this.merged && this.cache;
    // on a cached step the cross-attention cache comes back unchanged (18 MB for tiny): only the self-attention one is fetched
    const presents = keep ? s.outputNames.filter((n) => n.startsWith('present.') && !(useCache && n.includes('.encoder.'))) : [];
    const fetches = ['logits', ...presents, ...crossLayers.map((l) => `cross_attentions.${l}`)];
    const out = await runFetching(s, feeds, fetches.filter((n) => s.outputNames.includes(n)));
    const logits = out.logits as ort.Tensor;
    const [, rows, vocab] = logits.dims as number[];
    let past: Record<string, ort.Tensor> | undefined;
    if (keep) {
      past = {};
      for (const n of this.pastNames) {
        const present = n.replace('past_key_values.', 'present.');
        // the cross-attention cache is computed on the first step only; later steps hand back nothing new for it
        past[n] = useCache && n.includes('.encoder.') ? state!.past![n] : (out[present] as ort.Tensor);
      }
    }
    const all = [...(state?.tokens ?? []), ...tokens];
    const cross = crossLayers.length ? new Map(crossLayers.map((l) => {
      const t = out[`cross_attentions.${l}`] as ort.Tensor;
      return [l, { data: t.data as Float32Array, heads: t.dims[1] as number, frames: t.dims[3] as number }] as const;
    })) : undefined;
    // a no-cache run returns every position; callers want the new ones
    const skip = rows - tokens.length;
    const raw = logits.data as Float32Array;
    return { logprobs: logSoftmaxRows(raw.subarray(skip * vocab), tokens.length, vocab), rows: tokens.length, vocab, state: { tokens: all, past }, cross };
  }
}

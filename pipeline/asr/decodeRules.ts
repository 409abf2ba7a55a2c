import { deflateSync } from 'node:zlib';

/** The tokens the rules name, read once from the tokenizer and generation_config.json. */
export interface RuleTokens {
  vocab: number;
  eot: number;
  /** never sampled: special tokens but EOT, and generation_config's `suppress_tokens` (music notes, brackets...) */
  banned: Uint8Array;
  /** not allowed as the first sampled token: a bare space and EOT (`begin_suppress_tokens`) */
  beginSuppress: number[];
  /** timestamp tokens in time order, and each id's seconds */
  timestamps: { id: number; time: number }[];
  timeOf: Map<number, number>;
}

/** Whisper's first timestamp may not be later than this (openai/whisper's `max_initial_timestamp`). */
export const MAX_INITIAL_TIMESTAMP = 1.0;

const NEG = -Infinity;

function renormalise(lp: Float32Array): Float32Array {
  let max = NEG;
  for (const x of lp) if (x > max) max = x;
  if (max === NEG) return lp;
  let z = 0;
  for (const x of lp) z += Math.exp(x - max);
  const lz = max + Math.log(z);
  for (let i = 0; i < lp.length; i++) lp[i] -= lz;
  return lp;
}

/**
 * The logit filters openai/whisper's decoder applies before it picks a token, on a copy of one row of
 * log-probabilities, renormalised after: suppressed tokens, blank starts, and, with timestamps, the pairing rules
 * (timestamps come in pairs around text, never go back, the first one is early, and when the timestamps together
 * outweigh every text token a timestamp is taken).
 */
export function applyRules(row: Float32Array, sampled: number[], t: RuleTokens, timestamps: boolean): Float32Array {
  const lp = Float32Array.from(row);
  for (let i = 0; i < lp.length; i++) if (t.banned[i]) lp[i] = NEG;
  if (!sampled.length) for (const id of t.beginSuppress) lp[id] = NEG;
  if (!timestamps) {
    for (const ts of t.timestamps) lp[ts.id] = NEG;
    return renormalise(lp);
  }
  const isTs = (id: number | undefined) => id !== undefined && t.timeOf.has(id);
  const last = sampled[sampled.length - 1];
  const lastTs = isTs(last);
  const penultimateTs = sampled.length < 2 || isTs(sampled[sampled.length - 2]);
  const banText = () => {
    for (let i = 0; i < lp.length; i++) if (i !== t.eot && !t.timeOf.has(i)) lp[i] = NEG;
  };
  if (lastTs) {
    if (penultimateTs) for (const ts of t.timestamps) lp[ts.id] = NEG; // a pair just closed: text (or the end) next
    else banText(); // an opening timestamp: its closing one, or the end
  }
  const times = sampled.filter((id) => t.timeOf.has(id)).map((id) => t.timeOf.get(id)!);
  if (times.length) {
    // never back in time; a segment that closes has some length
    const lastTime = times[times.length - 1];
    const closing = lastTs && !penultimateTs;
    for (const ts of t.timestamps) if (closing ? ts.time < lastTime : ts.time <= lastTime) lp[ts.id] = NEG;
  }
  if (!sampled.length) {
    banText();
    lp[t.eot] = NEG;
    for (const ts of t.timestamps) if (ts.time > MAX_INITIAL_TIMESTAMP) lp[ts.id] = NEG;
  }
  renormalise(lp);
  let tsMass = NEG;
  let textMax = NEG;
  for (let i = 0; i < lp.length; i++) {
    if (lp[i] === NEG) continue;
    if (t.timeOf.has(i)) tsMass = tsMass === NEG ? lp[i] : Math.max(tsMass, lp[i]) + Math.log1p(Math.exp(-Math.abs(tsMass - lp[i])));
    else if (lp[i] > textMax) textMax = lp[i];
  }
  if (tsMass > textMax) {
    for (let i = 0; i < lp.length; i++) if (!t.timeOf.has(i)) lp[i] = NEG;
    renormalise(lp);
  }
  return lp;
}

/** gzip's view of how repetitive a text is: a loop ("the the the ...") compresses far better than speech (> 2.4). */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length ? bytes.length / deflateSync(bytes).length : 0;
}

/** The longest n-gram (in words) that occurs twice in a row: what a repetition loop leaves behind. */
export function longestRepeat(text: string): string {
  const w = text.toLowerCase().split(/\s+/).filter(Boolean);
  let best = '';
  for (let n = 1; n <= w.length / 2; n++) {
    for (let i = 0; i + 2 * n <= w.length; i++) {
      let same = true;
      for (let k = 0; k < n && same; k++) same = w[i + k] === w[i + n + k];
      if (same) {
        const g = w.slice(i, i + n).join(' ');
        if (g.length > best.length) best = g;
      }
    }
  }
  return best;
}

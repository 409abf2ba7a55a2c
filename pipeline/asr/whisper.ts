import * as fs from 'node:fs';
import * as path from 'node:path';
import { WHISPER_RATE, WHISPER_SAMPLES, whisperLogMel } from '../features/whisperMel';
import { openSession, ort, type LoadedSession } from '../models/ortSession';
import { WhisperTokenizer } from './tokenizer';

/** Greedy decoding unless asked for beams. */
export const DEFAULT_BEAM = 1;

export interface TranscribeOptions {
  /** ISO code (`en`, `de`); detected from the audio when absent and the model is multilingual */
  language?: string;
  /** 1: greedy (DEFAULT_BEAM); more: beam search with that many beams */
  beam?: number;
  timestamps?: boolean;
  maxTokens?: number;
}

export interface Transcript {
  text: string;
  language?: string;
  /** mean log-probability of the chosen tokens: low values mark text worth checking */
  avgLogprob: number;
  segments: { start: number; end: number; text: string }[];
}

interface Hypothesis {
  tokens: number[];
  logprob: number;
  done: boolean;
}

/** The files of a Whisper-family ONNX export, in one folder (docs/models.md). */
export function whisperFiles(dir: string): { encoder: string; decoder: string; tokenizer: string } {
  const pick = (names: string[]) => names.map((n) => path.join(dir, n)).find((f) => fs.existsSync(f)) ?? path.join(dir, names[0]);
  const files = {
    encoder: pick(['encoder_model.onnx', 'onnx/encoder_model.onnx', 'encoder_model_quantized.onnx', 'onnx/encoder_model_quantized.onnx']),
    decoder: pick(['decoder_model.onnx', 'onnx/decoder_model.onnx', 'decoder_model_quantized.onnx', 'onnx/decoder_model_quantized.onnx']),
    tokenizer: pick(['tokenizer.json']),
  };
  const missing = Object.values(files).filter((f) => !fs.existsSync(f));
  if (missing.length) throw new Error(`${dir}: not a Whisper ONNX export (missing ${missing.map((f) => path.relative(dir, f)).join(', ')}; see docs/models.md)`);
  return files;
}

/**
 * Whisper speech-to-text with onnxruntime-node: log-mel front end (pipeline/features/whisperMel.ts), encoder once
 * per 30 s window, then the decoder run on the whole token prefix at each step (the no-cache `decoder_model.onnx`
 * of Optimum/onnx-community exports), greedy or beam search, optional timestamps.
 */
export class WhisperModel {
  private constructor(readonly dir: string, private readonly encoder: LoadedSession, private readonly decoder: LoadedSession,
    readonly tokenizer: WhisperTokenizer, private readonly nMels: number) {}

  static async open(dir: string, log?: (m: string) => void): Promise<WhisperModel> {
    const f = whisperFiles(dir);
    const encoder = await openSession(f.encoder, { log });
    const decoder = await openSession(f.decoder, { log });
    const tokenizer = WhisperTokenizer.fromFile(f.tokenizer);
    let nMels = 80;
    try {
      nMels = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).num_mel_bins ?? 80;
    } catch { /* no config.json: Whisper's 80 bands (large-v3 exports ship config.json saying 128) */ }
    return new WhisperModel(dir, encoder, decoder, tokenizer, nMels);
  }

  private special(name: string): number {
    const id = this.tokenizer.id(name);
    if (id === undefined) throw new Error(`${this.dir}: tokenizer.json has no ${name} token`);
    return id;
  }

  private async encode(audio: Float32Array): Promise<ort.Tensor> {
    const mel = whisperLogMel(audio, this.nMels);
    const s = this.encoder.session;
    const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', mel, [1, this.nMels, mel.length / this.nMels]) });
    return out[s.outputNames[0]] as ort.Tensor;
  }

  /** Log-probabilities of the next token after `tokens`. */
  private async next(tokens: number[], enc: ort.Tensor): Promise<Float32Array> {
    const s = this.decoder.session;
    const idsName = s.inputNames.find((n) => /input_ids/.test(n)) ?? s.inputNames[0];
    const encName = s.inputNames.find((n) => /encoder_hidden_states/.test(n)) ?? s.inputNames[1];
    const out = await s.run({ [idsName]: new ort.Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [1, tokens.length]), [encName]: enc });
    const logits = out[s.outputNames.find((n) => /logits/.test(n)) ?? s.outputNames[0]] as ort.Tensor;
    const v = logits.dims[2];
    const last = (logits.data as Float32Array).subarray((tokens.length - 1) * v, tokens.length * v);
    let max = -Infinity;
    for (const x of last) if (x > max) max = x;
    let z = 0;
    for (const x of last) z += Math.exp(x - max);
    const lz = max + Math.log(z);
    return Float32Array.from(last, (x) => x - lz);
  }

  async transcribe(audio: Float32Array, opts: TranscribeOptions = {}): Promise<Transcript> {
    const windows = Math.max(1, Math.ceil(audio.length / WHISPER_SAMPLES));
    const parts: Transcript[] = [];
    for (let w = 0; w < windows; w++) {
      const chunk = audio.subarray(w * WHISPER_SAMPLES, (w + 1) * WHISPER_SAMPLES);
      const t = await this.transcribeWindow(chunk, { ...opts, language: opts.language ?? parts[0]?.language });
      const offset = (w * WHISPER_SAMPLES) / WHISPER_RATE;
      parts.push({ ...t, segments: t.segments.map((s) => ({ ...s, start: s.start + offset, end: s.end + offset })) });
    }
    return {
      text: parts.map((p) => p.text).filter(Boolean).join(' '),
      language: parts[0]?.language,
      avgLogprob: parts.reduce((s, p) => s + p.avgLogprob, 0) / parts.length,
      segments: parts.flatMap((p) => p.segments),
    };
  }

  private async transcribeWindow(audio: Float32Array, opts: TranscribeOptions): Promise<Transcript> {
    const enc = await this.encode(audio);
    const sot = this.special('<|startoftranscript|>');
    const eot = this.special('<|endoftext|>');
    const langs = this.tokenizer.languages();
    const prompt = [sot];
    let language = opts.language;
    if (langs.size) {
      if (!language) {
        // language detection: the most likely language token right after <|startoftranscript|>
        const lp = await this.next([sot], enc);
        language = [...langs].sort((a, b) => lp[b[1]] - lp[a[1]])[0][0];
      }
      const lid = langs.get(language);
      if (lid === undefined) throw new Error(`${this.dir}: the model has no language "${language}"`);
      prompt.push(lid);
      const task = this.tokenizer.id('<|transcribe|>');
      if (task !== undefined) prompt.push(task);
    }
    const noTs = this.tokenizer.id('<|notimestamps|>');
    if (!opts.timestamps && noTs !== undefined) prompt.push(noTs);
    const best = await this.search(prompt, enc, eot, opts);
    const tokens = best.tokens.slice(prompt.length).filter((t) => t !== eot);
    return { text: this.tokenizer.decode(tokens).trim(), language: langs.size ? language : undefined, avgLogprob: best.logprob / Math.max(1, tokens.length + 1), segments: this.segments(tokens) };
  }

  /** Greedy (beam 1) or beam search over the decoder; special tokens other than EOT (and timestamps, when asked) are never chosen. */
  private async search(prompt: number[], enc: ort.Tensor, eot: number, opts: TranscribeOptions): Promise<Hypothesis> {
    const beam = Math.max(1, opts.beam ?? DEFAULT_BEAM);
    const maxTokens = opts.maxTokens ?? 224;
    const allowed = (id: number, step: number) => {
      const ts = this.tokenizer.time(id) !== undefined;
      if (ts) return !!opts.timestamps;
      if (id === eot) return step > 0; // an empty transcript only when the model insists past the first step
      return !this.tokenizer.isSpecial(id);
    };
    let live: Hypothesis[] = [{ tokens: prompt, logprob: 0, done: false }];
    const finished: Hypothesis[] = [];
    for (let step = 0; step < maxTokens && live.length; step++) {
      const candidates: Hypothesis[] = [];
      for (const h of live) {
        const lp = await this.next(h.tokens, enc);
        const top: [number, number][] = [];
        for (let id = 0; id < lp.length; id++) {
          if (!allowed(id, step)) continue;
          if (top.length < beam || lp[id] > top[top.length - 1][1]) {
            top.push([id, lp[id]]);
            top.sort((a, b) => b[1] - a[1]);
            if (top.length > beam) top.pop();
          }
        }
        for (const [id, l] of top) candidates.push({ tokens: [...h.tokens, id], logprob: h.logprob + l, done: id === eot });
      }
      candidates.sort((a, b) => b.logprob - a.logprob);
      live = [];
      for (const c of candidates) {
        if (c.done) finished.push(c);
        else if (live.length < beam) live.push(c);
        if (finished.length >= beam) break;
      }
      if (finished.length >= beam) break;
    }
    const pool = finished.length ? finished : live;
    // length-normalised, as Whisper ranks finished beams
    return pool.sort((a, b) => b.logprob / (b.tokens.length - prompt.length) - a.logprob / (a.tokens.length - prompt.length))[0];
  }

  /** Timestamp pairs around text become segments; without timestamps, one segment with no times. */
  private segments(tokens: number[]): Transcript['segments'] {
    const out: Transcript['segments'] = [];
    let start: number | undefined;
    let text: number[] = [];
    for (const t of tokens) {
      const time = this.tokenizer.time(t);
      if (time === undefined) text.push(t);
      else if (start === undefined) start = time;
      else {
        out.push({ start, end: time, text: this.tokenizer.decode(text).trim() });
        start = undefined;
        text = [];
      }
    }
    return out;
  }

  async release(): Promise<void> {
    await this.encoder.session.release();
    await this.decoder.session.release();
  }
}

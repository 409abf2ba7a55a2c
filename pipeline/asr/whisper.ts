import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FfmpegPaths } from '../audio/ffmpeg';
import { readClip } from '../audio/readClip';
import { WHISPER_HOP, WHISPER_RATE, WHISPER_SAMPLES, whisperLogMel } from '../features/whisperMel';
import { seededRandom } from '../ml/random';
import { keepOutputs } from '../models/onnxCut';
import { openSession, ort, runFetching, type LoadedSession } from '../models/ortSession';
import { applyRules, compressionRatio, type RuleTokens } from './decodeRules';
import { WhisperTokenizer } from './tokenizer';
import { WhisperDecoder, type DecoderState } from './whisperDecoder';
import { tokenStartTimes, wordsOf, type Word } from './wordAlign';

/** Greedy decoding unless asked for beams. */
export const DEFAULT_BEAM = 1;
/** openai/whisper transcribe()'s fallback ladder and thresholds */
export const TEMPERATURES = [0, 0.2, 0.4, 0.6, 0.8, 1];
export const COMPRESSION_RATIO_THRESHOLD = 2.4;
export const LOGPROB_THRESHOLD = -1;
export const NO_SPEECH_THRESHOLD = 0.6;
/** where no speech is likely, the mean token log-probability a text needs to be kept: ln 0.5 */
export const NO_SPEECH_LOGPROB = Math.log(0.5);
/** samples drawn per temperature above 0 (openai's best_of) */
export const BEST_OF = 5;
/** tokens one window may sample: half the text context, as openai/whisper */
const SAMPLE_LEN = 224;
/** tokens before a decode is checked for a loop: shorter texts do not compress enough to tell */
const LOOP_CHECK_FROM = 48;

export interface TranscribeOptions {
  /** ISO code (`en`, `de`); detected from the audio when absent and the model is multilingual */
  language?: string;
  /** 1: greedy (DEFAULT_BEAM); more: beam search with that many beams */
  beam?: number;
  /** timestamped segments (clips over 30 s are always decoded with timestamps, to stitch the windows) */
  timestamps?: boolean;
  /** word timings and probabilities (default: when the export has cross-attention outputs) */
  words?: boolean;
  /** no temperature fallback: the first decode is kept (the bench's and the tests' plain decode) */
  noFallback?: boolean;
}

export interface Transcript {
  text: string;
  language?: string;
  /** mean log-probability of the chosen tokens: low values mark text worth checking */
  avgLogprob: number;
  /** probability of the no-speech token at the start of the first window */
  noSpeechProb: number;
  compressionRatio: number;
  /** the highest temperature a window needed */
  temperature: number;
  /** `no-speech`: every window judged silent (empty text); `repetition`: a loop survived every fallback; `uncertain`: no decode reached the log-probability threshold */
  flag?: 'no-speech' | 'repetition' | 'uncertain';
  segments: { start: number; end: number; text: string }[];
  words?: Word[];
  /** tokens decoded, prompts excluded (for tokens-per-second figures) */
  tokens: number;
}

interface Hyp {
  tokens: number[];
  state: DecoderState;
  /** next-token log-probabilities, before the rules */
  next: Float32Array;
  logprob: number;
}

interface WindowResult {
  tokens: number[];
  logprob: number;
  avgLogprob: number;
  noSpeechProb: number;
  compressionRatio: number;
  temperature: number;
  language?: string;
  silent: boolean;
}

/** The files of a Whisper-family ONNX export in one folder (docs/models.md): the merged KV-cache decoder preferred. */
export function whisperFiles(dir: string): { encoder: string; decoder: string; tokenizer: string } {
  const variants = (stem: string) => [`${stem}.onnx`, `onnx/${stem}.onnx`, `${stem}_quantized.onnx`, `onnx/${stem}_quantized.onnx`];
  const pick = (names: string[]) => names.map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
  const encoder = pick(variants('encoder_model'));
  const decoder = pick(variants('decoder_model_merged')) ?? pick(variants('decoder_model'));
  const tokenizer = pick(['tokenizer.json']);
  const missing = [!encoder && 'encoder_model.onnx', !decoder && 'decoder_model_merged.onnx (or decoder_model.onnx)', !tokenizer && 'tokenizer.json'].filter(Boolean);
  if (missing.length) throw new Error(`${dir}: not a Whisper ONNX export (missing ${missing.join(', ')}; sds models fetch whisper-tiny gets a whole one; docs/models.md has the contract)`);
  return { encoder: encoder!, decoder: decoder!, tokenizer: tokenizer! };
}

function onlyHiddenState(file: string): Buffer | undefined {
  const bytes = fs.readFileSync(file);
  try {
    return keepOutputs(bytes, ['last_hidden_state']);
  } catch {
    return undefined; // another output name: the session says which it has
  }
}

const readJson = (file: string): Record<string, unknown> => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
};

/**
 * Whisper speech-to-text with onnxruntime-node, decoding as openai/whisper's transcribe() does: log-mel front end
 * (pipeline/features/whisperMel.ts), the encoder once per 30 s window (only `last_hidden_state` fetched), the decoder
 * one token per step on its KV cache, greedy or beam search under Whisper's logit rules, temperature fallback when
 * the text compresses too well (a loop) or is improbable, the no-speech probability, language detection, windows
 * stitched by timestamps, and word timings from the alignment heads' cross-attention.
 */
export class WhisperModel {
  private readonly rules: RuleTokens;
  private readonly alignmentHeads: [number, number][];
  private readonly noSpeech?: number;

  private constructor(readonly dir: string, private readonly encoder: LoadedSession, readonly decoder: WhisperDecoder, private readonly decoderSession: LoadedSession,
    readonly tokenizer: WhisperTokenizer, private readonly nMels: number, generation: Record<string, unknown>) {
    const eot = this.special('<|endoftext|>');
    const vocab = tokenizer.vocabSize;
    const banned = new Uint8Array(vocab);
    const timestamps: { id: number; time: number }[] = [];
    for (let id = 0; id < vocab; id++) {
      const time = tokenizer.time(id);
      if (time !== undefined) timestamps.push({ id, time });
      else if (tokenizer.isSpecial(id) && id !== eot) banned[id] = 1;
    }
    for (const id of (generation.suppress_tokens as number[] | undefined) ?? []) if (id < vocab) banned[id] = 1;
    timestamps.sort((a, b) => a.time - b.time);
    const space = tokenizer.id('Ġ');
    this.rules = { vocab, eot, banned, timestamps, timeOf: new Map(timestamps.map((t) => [t.id, t.time])),
      beginSuppress: (generation.begin_suppress_tokens as number[] | undefined) ?? [eot, ...(space !== undefined ? [space] : [])] };
    this.alignmentHeads = (generation.alignment_heads as [number, number][] | undefined) ?? [];
    this.noSpeech = tokenizer.id('<|nospeech|>') ?? tokenizer.id('<|nocaptions|>');
  }

  static async open(dir: string, opts: { log?: (m: string) => void; cache?: boolean } = {}): Promise<WhisperModel> {
    const f = whisperFiles(dir);
    // only last_hidden_state: transformers.js's exports also return every layer's attention, which would stay
    // allocated to the end of each window's run (110 MB of peak memory for tiny)
    const encoder = await openSession(f.encoder, { log: opts.log, bytes: onlyHiddenState(f.encoder) });
    const decoder = await openSession(f.decoder, { log: opts.log, foldDequantize: true });
    for (const [file, s, inputs] of [[f.encoder, encoder.session, ['input_features']], [f.decoder, decoder.session, ['input_ids', 'encoder_hidden_states']]] as const) {
      const absent = inputs.filter((n) => !s.inputNames.includes(n));
      if (absent.length) {
        await encoder.session.release();
        await decoder.session.release();
        throw new Error(`${file}: not a Whisper ${file === f.encoder ? 'encoder' : 'decoder'} (no input ${absent.map((n) => `"${n}"`).join(', ')}; it takes ${s.inputNames.slice(0, 4).join(', ')}; docs/models.md has the contract)`);
      }
    }
    const tokenizer = WhisperTokenizer.fromFile(f.tokenizer);
    const config = readJson(path.join(dir, 'config.json'));
    const heads = Number(config.decoder_attention_heads ?? 6);
    const headDim = Number(config.d_model ?? 384) / heads;
    // large-v3 exports say 128 bands in config.json; every other Whisper has 80
    const nMels = Number(config.num_mel_bins ?? 80);
    return new WhisperModel(dir, encoder, new WhisperDecoder(decoder, { heads, headDim }, opts.cache ?? true), decoder, tokenizer, nMels,
      readJson(path.join(dir, 'generation_config.json')));
  }

  private special(name: string): number {
    const id = this.tokenizer.id(name);
    if (id === undefined) throw new Error(`${this.dir}: tokenizer.json has no ${name} token`);
    return id;
  }

  private async encode(audio: Float32Array): Promise<ort.Tensor> {
    const mel = whisperLogMel(audio, this.nMels);
    const s = this.encoder.session;
    const input = s.inputNames[0];
    const output = s.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : s.outputNames[0];
    // the export also returns every layer's self-attention (216 MB a window) unless only this output is fetched
    const out = await runFetching(s, { [input]: new ort.Tensor('float32', mel, [1, this.nMels, mel.length / this.nMels]) }, [output]);
    return out[output] as ort.Tensor;
  }

  async transcribe(audio: Float32Array, opts: TranscribeOptions = {}): Promise<Transcript> {
    const long = audio.length > WHISPER_SAMPLES;
    const timestamps = !!opts.timestamps || long;
    const words = (opts.words ?? true) && this.decoder.hasCrossAttention && this.alignmentHeads.length > 0;
    const segments: Transcript['segments'] = [];
    const allWords: Word[] = [];
    let language = opts.language;
    let seek = 0;
    let logprob = 0;
    let counted = 0;
    let tokens = 0;
    let temperature = 0;
    let noSpeechProb: number | undefined;
    let worstRatio = 0;
    let spoken = 0;
    for (let w = 0; seek < audio.length || w === 0; w++) {
      const chunk = audio.subarray(seek, seek + WHISPER_SAMPLES);
      const offset = seek / WHISPER_RATE;
      const enc = await this.encode(chunk);
      const r = await this.decodeWindow(enc, { ...opts, language, timestamps }, w);
      language ??= r.language;
      noSpeechProb ??= r.noSpeechProb;
      tokens += r.tokens.length;
      temperature = Math.max(temperature, r.temperature);
      if (r.silent) {
        seek += chunk.length;
        continue;
      }
      spoken++;
      worstRatio = Math.max(worstRatio, r.compressionRatio);
      logprob += r.logprob;
      counted += r.tokens.length + 1;
      const { used, consumed } = timestamps ? this.segmentsOf(r.tokens, offset, chunk.length) : { used: [{ start: offset, end: offset + chunk.length / WHISPER_RATE, tokens: r.tokens }], consumed: chunk.length };
      for (const s of used) segments.push({ start: s.start, end: s.end, text: this.tokenizer.decode(s.tokens).trim() });
      const text = used.flatMap((s) => s.tokens);
      if (words && text.length) allWords.push(...(await this.align(enc, text, language, chunk.length, offset)));
      seek += consumed;
    }
    const text = segments.map((s) => s.text).filter(Boolean).join(' ');
    return {
      text, language: this.tokenizer.languages().size ? language : undefined,
      avgLogprob: counted ? logprob / counted : 0, noSpeechProb: noSpeechProb ?? 0, compressionRatio: worstRatio, temperature, tokens,
      flag: !spoken ? 'no-speech' : worstRatio > COMPRESSION_RATIO_THRESHOLD ? 'repetition' : counted && logprob / counted < LOGPROB_THRESHOLD ? 'uncertain' : undefined,
      segments: opts.timestamps || long ? segments : [], ...(words ? { words: allWords } : {}),
    };
  }

  /**
   * The segments a timestamped window closes, and how far it lets the next window start (openai/whisper's seek):
   * to the last closed timestamp, or past the whole window when its text ends on a closed segment or has none.
   */
  private segmentsOf(tokens: number[], offset: number, samples: number): { used: { start: number; end: number; tokens: number[] }[]; consumed: number } {
    const timeOf = this.rules.timeOf;
    const used: { start: number; end: number; tokens: number[] }[] = [];
    let start: number | undefined;
    let text: number[] = [];
    for (const t of tokens) {
      const time = timeOf.get(t);
      if (time === undefined) text.push(t);
      else if (start === undefined) start = time;
      else {
        used.push({ start: offset + start, end: offset + time, tokens: text });
        start = undefined;
        text = [];
      }
    }
    const isTs = (t: number | undefined) => t !== undefined && timeOf.has(t);
    const n = tokens.length;
    const singleEnding = n >= 2 && !isTs(tokens[n - 2]) && isTs(tokens[n - 1]);
    if (!used.length) return { used: text.length ? [{ start: offset + (start ?? 0), end: offset + samples / WHISPER_RATE, tokens: text }] : [], consumed: samples };
    const lastEnd = used[used.length - 1].end - offset;
    const consumed = singleEnding || lastEnd <= 0 ? samples : Math.min(samples, Math.round(lastEnd * WHISPER_RATE));
    return { used, consumed };
  }

  /** One 30 s window: language and no-speech from the first step, then decodes down the temperature ladder until the text passes. */
  private async decodeWindow(enc: ort.Tensor, opts: TranscribeOptions & { timestamps: boolean }, window: number): Promise<WindowResult> {
    const sot = this.special('<|startoftranscript|>');
    const first = await this.decoder.run(enc, undefined, [sot]);
    const row0 = first.logprobs.subarray(0, first.vocab);
    const noSpeechProb = this.noSpeech !== undefined ? Math.exp(row0[this.noSpeech]) : 0;
    const langs = this.tokenizer.languages();
    const rest: number[] = [];
    let language = opts.language;
    if (langs.size) {
      // language detection: the most likely language token right after <|startoftranscript|>
      language ??= [...langs].sort((a, b) => row0[b[1]] - row0[a[1]])[0][0];
      const lid = langs.get(language);
      if (lid === undefined) throw new Error(`${this.dir}: the model has no language "${language}"`);
      rest.push(lid);
      const task = this.tokenizer.id('<|transcribe|>');
      if (task !== undefined) rest.push(task);
    }
    const noTs = this.tokenizer.id('<|notimestamps|>');
    if (!opts.timestamps && noTs !== undefined) rest.push(noTs);
    const prompt = rest.length ? await this.decoder.run(enc, first.state, rest) : first;
    const start: Hyp = { tokens: [], state: prompt.state, next: prompt.logprobs.subarray((prompt.rows - 1) * prompt.vocab), logprob: 0 };
    const tried: WindowResult[] = [];
    for (const temperature of opts.noFallback ? [0] : TEMPERATURES) {
      const h = temperature === 0 ? await this.beamSearch(enc, start, Math.max(1, opts.beam ?? DEFAULT_BEAM), opts.timestamps)
        : await this.sample(enc, start, temperature, opts.timestamps, window);
      const text = h.tokens.filter((t) => t !== this.rules.eot);
      const avgLogprob = h.logprob / (text.length + 1);
      const ratio = compressionRatio(this.tokenizer.decode(text));
      // openai/whisper's rule, stricter: where the model finds no speech likely, its text must average better than
      // even odds a token (openai asks -1) and not loop. Whisper's "you" and "Thank you." over silence and music
      // score -0.77 to -0.92; speech scores above -0.6 (docs/models.md)
      const silent = noSpeechProb > NO_SPEECH_THRESHOLD && (avgLogprob < NO_SPEECH_LOGPROB || ratio > COMPRESSION_RATIO_THRESHOLD);
      const r: WindowResult = { tokens: text, logprob: h.logprob, avgLogprob, noSpeechProb, compressionRatio: ratio, temperature, language, silent };
      if (silent || (ratio <= COMPRESSION_RATIO_THRESHOLD && avgLogprob >= LOGPROB_THRESHOLD)) return r;
      tried.push(r);
    }
    // nothing passed: the most probable attempt that is not a loop (as faster-whisper), not openai's last one, which
    // at temperature 1 is mostly invented
    const noLoop = tried.filter((r) => r.compressionRatio <= COMPRESSION_RATIO_THRESHOLD);
    return (noLoop.length ? noLoop : tried).sort((a, b) => b.avgLogprob - a.avgLogprob)[0];
  }

  /** Whether a hypothesis that takes `id` next is complete: the end token, the length limit, or a loop. */
  private ends(tokens: number[], id: number): boolean {
    const next = [...tokens, id];
    return id === this.rules.eot || next.length >= SAMPLE_LEN || this.looping(next);
  }

  /** The hypotheses that go on, each with its chosen token, stepped together (one batched decoder run). */
  private async advance(enc: ort.Tensor, picks: { h: Hyp; id: number; lp: number }[]): Promise<Hyp[]> {
    if (!picks.length) return [];
    const r = await this.decoder.stepMany(enc, picks.map((p) => p.h.state), picks.map((p) => p.id));
    return picks.map((p, i) => ({ tokens: [...p.h.tokens, p.id], state: r.states[i], next: r.logprobs[i], logprob: p.h.logprob + p.lp }));
  }

  /**
   * A decode caught in a loop is stopped as soon as its text compresses like one, not after SAMPLE_LEN tokens: the
   * window falls back (or is judged silent) all the same, five seconds of decoding sooner.
   */
  private looping(tokens: number[]): boolean {
    return tokens.length >= LOOP_CHECK_FROM && tokens.length % 8 === 0 && compressionRatio(this.tokenizer.decode(tokens)) > COMPRESSION_RATIO_THRESHOLD;
  }

  /** Greedy (beam 1) or beam search, ranked by mean log-probability as openai/whisper's MaximumLikelihoodRanker. */
  private async beamSearch(enc: ort.Tensor, start: Hyp, beam: number, timestamps: boolean): Promise<Hyp> {
    let live = [start];
    const finished: Hyp[] = [];
    while (live.length && finished.length < beam) {
      const candidates: { h: Hyp; id: number; lp: number; score: number }[] = [];
      for (const h of live) {
        const lp = applyRules(h.next, h.tokens, this.rules, timestamps);
        const top: [number, number][] = [];
        for (let id = 0; id < lp.length; id++) {
          if (lp[id] === -Infinity) continue;
          if (top.length <= beam || lp[id] > top[top.length - 1][1]) {
            top.push([id, lp[id]]);
            top.sort((a, b) => b[1] - a[1]);
            if (top.length > beam + 1) top.pop();
          }
        }
        for (const [id, l] of top) candidates.push({ h, id, lp: l, score: h.logprob + l });
      }
      candidates.sort((a, b) => b.score - a.score);
      const going: typeof candidates = [];
      for (const c of candidates) {
        if (going.length >= beam || finished.length >= beam) break;
        if (this.ends(c.h.tokens, c.id)) finished.push({ ...c.h, tokens: [...c.h.tokens, c.id], logprob: c.score });
        else going.push(c);
      }
      live = finished.length >= beam ? [] : await this.advance(enc, going);
    }
    const pool = finished.length ? finished : live;
    const len = (h: Hyp) => Math.max(1, h.tokens.filter((t) => t !== this.rules.eot).length);
    return pool.sort((a, b) => b.logprob / len(b) - a.logprob / len(a))[0];
  }

  /** BEST_OF samples at a temperature, drawn together, the most probable (per token) kept. */
  private async sample(enc: ort.Tensor, start: Hyp, temperature: number, timestamps: boolean, window: number): Promise<Hyp> {
    // seeded: a fallback gives the same text on every run
    const random = seededRandom(1 + window * 7919 + Math.round(temperature * 1000));
    let live = Array.from({ length: BEST_OF }, () => start);
    const done: Hyp[] = [];
    while (live.length) {
      const going: { h: Hyp; id: number; lp: number }[] = [];
      for (const h of live) {
        const lp = applyRules(h.next, h.tokens, this.rules, timestamps);
        let max = -Infinity;
        for (const x of lp) if (x > max) max = x;
        let z = 0;
        for (const x of lp) z += Math.exp((x - max) / temperature);
        let u = random() * z;
        let pick = this.rules.eot;
        for (let id = 0; id < lp.length; id++) {
          if (lp[id] === -Infinity) continue;
          u -= Math.exp((lp[id] - max) / temperature);
          if (u <= 0) {
            pick = id;
            break;
          }
        }
        if (this.ends(h.tokens, pick)) done.push({ ...h, tokens: [...h.tokens, pick], logprob: h.logprob + lp[pick] });
        else going.push({ h, id: pick, lp: lp[pick] });
      }
      live = await this.advance(enc, going);
    }
    const score = (h: Hyp) => h.logprob / Math.max(1, h.tokens.length);
    return done.sort((a, b) => score(b) - score(a))[0];
  }

  /** Word timings and probabilities for one window's text tokens, from one no-cache pass over the whole sequence. */
  private async align(enc: ort.Tensor, text: number[], language: string | undefined, samples: number, offset: number): Promise<Word[]> {
    const prompt = [this.special('<|startoftranscript|>')];
    const lid = language ? this.tokenizer.languages().get(language) : undefined;
    if (lid !== undefined) prompt.push(lid);
    const task = this.tokenizer.id('<|transcribe|>');
    if (task !== undefined && lid !== undefined) prompt.push(task);
    const noTs = this.tokenizer.id('<|notimestamps|>');
    if (noTs !== undefined) prompt.push(noTs);
    const seq = [...prompt, ...text, this.rules.eot];
    const layers = [...new Set(this.alignmentHeads.map(([l]) => l))];
    const r = await this.decoder.run(enc, undefined, seq, layers);
    const T = seq.length;
    const from = prompt.length - 1; // the position that predicts the first text token
    const rows = text.length + 1;
    const maps = this.alignmentHeads.map(([l, h]) => {
      const c = r.cross!.get(l)!;
      return c.data.subarray((h * T + from) * c.frames, (h * T + from + rows) * c.frames);
    });
    const frames = Math.max(2, Math.min(r.cross!.get(layers[0])!.frames, Math.ceil(samples / WHISPER_HOP / 2)));
    const starts = tokenStartTimes(maps, rows, frames, r.cross!.get(layers[0])!.frames);
    // each token's probability among text tokens, as openai/whisper's word probabilities
    const probs = text.map((tok, i) => {
      const row = r.logprobs.subarray((from + i) * r.vocab, (from + i + 1) * r.vocab);
      let z = 0;
      for (let id = 0; id < r.vocab; id++) if (!this.rules.banned[id] && !this.rules.timeOf.has(id) && id !== this.rules.eot) z += Math.exp(row[id]);
      return Math.exp(row[tok]) / z;
    });
    return wordsOf(this.pieces(text), starts, probs, offset);
  }

  /** Each token's text; a character split over several tokens is given whole to the first of them. */
  private pieces(tokens: number[]): string[] {
    const out: string[] = [];
    let group: number[] = [];
    for (const t of tokens) {
      group.push(t);
      const s = this.tokenizer.decode(group);
      if (!s.includes('\uFFFD')) {
        out.push(s, ...new Array<string>(group.length - 1).fill(''));
        group = [];
      }
    }
    if (group.length) out.push(this.tokenizer.decode(group), ...new Array<string>(group.length - 1).fill(''));
    return out;
  }

  /** A clip file read at Whisper's rate and transcribed (the stage in-process, and each of its workers). */
  async transcribeFile(file: string, opts: TranscribeOptions, ffmpeg?: FfmpegPaths): Promise<{ transcript: Transcript; seconds: number }> {
    const audio = await readClip(file, WHISPER_RATE, ffmpeg);
    return { transcript: await this.transcribe(audio, opts), seconds: audio.length / WHISPER_RATE };
  }

  async release(): Promise<void> {
    await this.encoder.session.release();
    await this.decoderSession.session.release();
  }
}

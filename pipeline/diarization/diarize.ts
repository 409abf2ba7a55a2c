import { decodeMono, probe, type FfmpegPaths } from '../audio/ffmpeg';
import { INA_RATE } from '../features/inaFrontEnd';
import type { SpeakerEncoder } from '../models/speakerEncoder';
import { segmentStream, type Segment } from '../segmentation/inaSegmenter';
import type { PatchClassifier } from '../segmentation/patchClassifier';
import { turnsFromWindows, type EmbeddedWindow, type TurnOptions } from './turns';

export interface DiarizeOptions extends TurnOptions {
  /** Seconds per embedded window: shorter ones blur voices with this encoder (1.5 s gives ten times the error of 2-2.5 s on the shared sample). */
  window?: number;
  hop?: number;
  ffmpeg?: FfmpegPaths;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface Diarization {
  turns: Segment[];
  speakers: number;
  counted: boolean;
  windows: number;
  speechSeconds: number;
  duration: number;
}

const DEFAULT_WINDOW = 2.5;
const DEFAULT_HOP = 0.5;
/** Speech stretches shorter than this are too short to tell a voice from. */
const MIN_REGION = 0.3;
const SPEECH = new Set(['speech', 'male', 'female']);

/** Windows over each speech stretch: every `hop`, plus one flush with its end; a short stretch is one window. */
export function planWindows(speech: Segment[], window: number, hop: number): [number, number][] {
  const out: [number, number][] = [];
  for (const s of speech) {
    const len = s.stop - s.start;
    if (len < MIN_REGION) continue;
    if (len <= window) {
      out.push([s.start, s.stop]);
      continue;
    }
    let a = s.start;
    for (; a + window <= s.stop + 1e-9; a += hop) out.push([a, a + window]);
    if (out[out.length - 1][1] < s.stop - 1e-9) out.push([s.stop - window, s.stop]);
  }
  return out;
}

/**
 * Who speaks when in one recording: a streamed segmentation pass finds speech, a second streamed pass embeds
 * overlapping windows of it as the audio arrives (only the samples of windows not yet embedded are held), and
 * the windows are clustered into speaker turns (turns.ts). Memory grows with the number of windows, not samples.
 */
export async function diarizeFile(file: string, enc: SpeakerEncoder, classifier: PatchClassifier, opts: DiarizeOptions): Promise<Diarization> {
  const window = opts.window ?? DEFAULT_WINDOW;
  const hop = opts.hop ?? DEFAULT_HOP;
  const info = await probe(file, opts.ffmpeg);
  const { segments, duration } = await segmentStream(decodeMono(file, { sampleRate: INA_RATE, paths: opts.ffmpeg, signal: opts.signal }), classifier, {
    engine: 'smn',
    gender: false,
    signal: opts.signal,
    onProgress: (s) => info.duration > 0 && opts.onProgress?.(0.5 * Math.min(1, s / info.duration)),
  });
  const speech = segments.filter((s) => SPEECH.has(s.label));
  const plan = planWindows(speech, window, hop);
  const windows = await embedWindows(file, plan, enc, opts);
  const { turns, speakers, counted } = turnsFromWindows(windows, speech, opts);
  return { turns, speakers, counted, windows: windows.length, speechSeconds: speech.reduce((a, s) => a + s.stop - s.start, 0), duration };
}

async function embedWindows(file: string, plan: [number, number][], enc: SpeakerEncoder, opts: DiarizeOptions): Promise<EmbeddedWindow[]> {
  const sr = enc.sampleRate;
  const out: EmbeddedWindow[] = [];
  if (!plan.length) return out;
  const last = plan[plan.length - 1][1];
  let buf = new Float32Array(sr * 8);
  let bufStart = 0; // absolute sample index of buf[0]
  let bufLen = 0;
  let next = 0;
  const flush = async (final: boolean) => {
    while (next < plan.length) {
      const a = Math.round(plan[next][0] * sr);
      const b = Math.round(plan[next][1] * sr);
      if (b > bufStart + bufLen && !final) break;
      const x = buf.subarray(Math.max(0, a - bufStart), Math.max(0, Math.min(bufLen, b - bufStart)));
      if (x.length) out.push({ start: plan[next][0], stop: plan[next][1], emb: await enc.embed(x) });
      next++;
      opts.onProgress?.(0.5 + (0.5 * next) / plan.length);
    }
  };
  for await (const chunk of decodeMono(file, { sampleRate: sr, paths: opts.ffmpeg, signal: opts.signal })) {
    // drop what no remaining window needs, then append
    const keepFrom = next < plan.length ? Math.round(plan[next][0] * sr) : bufStart + bufLen;
    const drop = Math.min(bufLen, Math.max(0, keepFrom - bufStart));
    if (drop) {
      buf.copyWithin(0, drop, bufLen);
      bufLen -= drop;
      bufStart += drop;
    }
    if (bufLen + chunk.length > buf.length) {
      const grown = new Float32Array(Math.max(buf.length * 2, bufLen + chunk.length));
      grown.set(buf.subarray(0, bufLen));
      buf = grown;
    }
    buf.set(chunk, bufLen);
    bufLen += chunk.length;
    await flush(false);
    if (next >= plan.length || bufStart + bufLen > last * sr + sr) break;
  }
  await flush(true);
  return out;
}

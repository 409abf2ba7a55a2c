import { InaFrontEnd, INA_BANDS, INA_HOP, INA_RATE, INA_WIN } from '../features/inaFrontEnd';
import { PitchTracker } from '../features/pitch';
import { loadRealFft } from '../features/realFft';
import { GrowableF32, GrowableLog16 } from '../util/growable';
import { PATCH_BANDS, PATCH_FRAMES, PatchClassifier, SPARSE_STRIDE, writePatch } from './patchClassifier';
import { runs, switchCost, viterbi } from './viterbi';
import { genderByPitch } from './gender';
import type { SEGMENT_ENGINES } from '../stages/engines';

export type Engine = (typeof SEGMENT_ENGINES)[number]['name'];

export interface Segment {
  label: string;
  start: number;
  stop: number;
}

export interface SegmenterOptions {
  engine: Engine;
  gender: boolean;
  genderThresholdHz?: number;
  signal?: AbortSignal;
  /**
   * The CNN on every n-th patch where the class holds (PatchClassifier.classifySparse), and not on quiet windows the
   * labels never read; 1 runs it on every patch, as it comes (the exact pass the default is checked against).
   */
  cnnStride?: number;
  /** Called with seconds of audio analysed so far. */
  onProgress?: (seconds: number) => void;
}

export interface SegmentResult {
  segments: Segment[];
  duration: number;
  /** Pitch per 20 ms step (0 = unvoiced), kept for gender evaluation. */
  f0: Float32Array;
  /** Log energy per 20 ms step, so slicing can cut at the quietest point without decoding again. */
  energy: Float32Array;
  /** CNN windows: all of them, those put off as quiet, and of those the ones that came back (their step was energetic) */
  windows?: { all: number; putOff: number; cameBack: number };
}

const STEP = 0.02; // one decision per two 10 ms frames, as inaSpeechSegmenter
const BATCH = 128; // patches per CNN call: large batches amortise ORT's per-call cost
const STORE = 1024; // mel frames kept in memory; windows only look 68 frames back
const SUB_CHUNK = 16000; // samples pushed between CNN flushes, bounding the pending batch
const ENERGY_RATIO = 0.03;
// quantisation steps for what is kept per frame: far below the Viterbi costs (tens to hundreds of nats) they feed
const LOG_E_RESOLUTION = 0.002;
const LOG_P_RESOLUTION = 0.003; // +-98 nats: below float32 softmax's useful range
/**
 * Mel frames kept for windows put off as quiet (10 minutes of them, 5 MB): past it every window is classified as it
 * comes, so a recording that is quiet against its loud start never holds more than this.
 */
const MAX_QUIET_FRAMES = 60_000;
/**
 * Frames each side of a window's centre that must be quiet too. A dip between words is quiet at its centre, but the
 * energy Viterbi (two switches cost 2 x 345 nats against about 20 a quiet frame) calls dips under about 0.35 s
 * energetic, so such a window comes back to be classified at the end. Any window may be put off without changing a
 * label; this only decides how many come back: 5 to 10 frames ran the fewest patches on the bench's 10-minute
 * programme (23% fewer than classifying every window as it comes), 1 or 30 about 12% fewer.
 */
const QUIET_REACH = 8;

/**
 * inaSpeechSegmenter's pipeline, streamed: SIDEKIT log-mel front end, energy activity (mean log energy + ln 0.03,
 * Viterbi-smoothed), the speech/music/noise CNN on 68-frame patches every 20 ms, Viterbi per energetic region,
 * then male/female from pitch inside speech. Memory holds a few floats per 20 ms, never the audio.
 */
export async function segmentStream(
  chunks: AsyncIterable<Float32Array>,
  classifier: PatchClassifier,
  opts: SegmenterOptions,
): Promise<SegmentResult> {
  await loadRealFft();
  const stride = opts.cnnStride ?? SPARSE_STRIDE;
  const logE = new GrowableLog16(LOG_E_RESOLUTION);
  const windowLogProbs = new GrowableLog16(LOG_P_RESOLUTION); // 3 per window, NaN when the patch was not finite
  const store = new Float32Array(STORE * INA_BANDS);
  let storeBase = 0;
  let storeLen = 0;
  let nextWindow = 0;
  let minMel = Infinity;
  const batch = new Float32Array((BATCH + SUB_CHUNK / INA_HOP) * PATCH_FRAMES * PATCH_BANDS);
  const finite: boolean[] = [];
  // windows whose centre is quiet against the energy seen so far are put off: the CNN's opinion is only read inside
  // energetic regions, known once the whole file's mean energy is; their frames wait here, and those that turn out
  // to matter are classified at the end (inaSpeechSegmenter never classifies noEnergy frames either)
  const quiet: boolean[] = [];
  const quietFrames = new GrowableF32();
  const quietRuns: { w0: number; w1: number; at: number }[] = [];
  let windows = 0;
  let energySum = 0;
  let energyCount = 0;
  const keepFrames = (from: number, count: number) => {
    for (let i = from * INA_BANDS; i < (from + count) * INA_BANDS; i++) quietFrames.push(store[i]);
  };
  const pitch = new PitchTracker(INA_RATE, 2 * INA_HOP, INA_WIN / 2) // centred on every other frame;

  const makeWindows = () => {
    while (nextWindow + PATCH_FRAMES <= storeBase + storeLen) {
      const w = windows++;
      const centre = nextWindow + PATCH_FRAMES / 2; // the window speaks for the 20 ms step of frames centre, centre + 1
      const threshold = energyCount ? energySum / energyCount + Math.log(ENERGY_RATIO) : -Infinity;
      // (a file under one patch long is padded past its frames: never put off)
      let isQuiet = stride > 1 && centre + QUIET_REACH < logE.length && quietFrames.length / INA_BANDS < MAX_QUIET_FRAMES;
      for (let f = centre - QUIET_REACH; isQuiet && f <= centre + QUIET_REACH; f++) isQuiet = logE.get(f) < threshold;
      if (isQuiet) {
        const run = quietRuns.at(-1);
        if (run && run.w1 === w) {
          keepFrames(nextWindow + PATCH_FRAMES - 2 - storeBase, 2);
          run.w1++;
        } else {
          quietRuns.push({ w0: w, w1: w + 1, at: quietFrames.length / INA_BANDS });
          keepFrames(nextWindow - storeBase, PATCH_FRAMES);
        }
      }
      quiet.push(isQuiet);
      finite.push(writePatch(store, INA_BANDS, nextWindow - storeBase, batch, finite.length));
      nextWindow += 2;
    }
  };
  const front = new InaFrontEnd((_i, e, mel) => {
    logE.push(e);
    if (Number.isFinite(e)) {
      energySum += e;
      energyCount++;
    }
    if (storeLen === STORE) {
      const keep = storeBase + storeLen - nextWindow;
      store.copyWithin(0, (storeLen - keep) * INA_BANDS, storeLen * INA_BANDS);
      storeBase = nextWindow;
      storeLen = keep;
    }
    store.set(mel, storeLen * INA_BANDS);
    storeLen++;
    for (let b = 0; b < INA_BANDS; b++) if (mel[b] < minMel) minMel = mel[b];
    makeWindows();
  });
  const flush = async () => {
    const probs = await classifier.classifySparse(batch, finite.length, finite, stride, quiet);
    for (let i = 0; i < finite.length; i++) {
      for (let c = 0; c < 3; c++) windowLogProbs.push(finite[i] && !quiet[i] ? Math.log(probs[i * 3 + c]) : NaN);
    }
    finite.length = 0;
    quiet.length = 0;
  };

  let samples = 0;
  for await (const chunk of chunks) {
    for (let off = 0; off < chunk.length; off += SUB_CHUNK) {
      opts.signal?.throwIfAborted();
      const part = chunk.subarray(off, off + SUB_CHUNK);
      front.push(part);
      pitch.push(part);
      samples += part.length;
      if (finite.length >= BATCH) await flush();
    }
    opts.onProgress?.(samples / INA_RATE);
  }
  const duration = samples / INA_RATE;
  const L = front.frames;
  if (L === 0) {
    if (samples === 0) throw new Error('contains no audio samples (0 s)');
    return { segments: [{ label: 'noEnergy', start: 0, stop: duration }], duration, f0: new Float32Array(0), energy: new Float32Array(0) };
  }
  if (L < PATCH_FRAMES) {
    // too short for one patch: pad with the minimum, as inaSpeechSegmenter does for media under 0.68 s
    const fill = new Float32Array(INA_BANDS).fill(minMel);
    while (storeLen < PATCH_FRAMES) store.set(fill, storeLen++ * INA_BANDS);
    makeWindows();
  }
  await flush();

  const n = Math.ceil(L / 2);
  const W = windowLogProbs.length / 3;
  const energetic = energyActivity(logE);
  const stepEnergetic = Uint8Array.from({ length: n }, (_, k) => energetic[2 * k]);
  // the window whose probabilities step k's emission reads: the one centred on it (17 steps in), clamped at the ends
  const windowOf = (k: number) => Math.min(Math.max(k - PATCH_FRAMES / 4, 0), W - 1);
  const read = new Uint8Array(W);
  for (let k = 0; k < n; k++) if (stepEnergetic[k]) read[windowOf(k)] = 1;
  const needed = (w: number) => read[w] === 1;
  const cameBack = await classifyQuiet(classifier, quietRuns, quietFrames, needed, windowLogProbs, stride);
  const putOff = quietRuns.reduce((t, r) => t + r.w1 - r.w0, 0);
  const f0 = pitch.finish(n);
  // one code per 20 ms step: LABELS[code]
  const codes = new Uint8Array(n).fill(NO_ENERGY);
  if (opts.engine === 'silero') throw new Error('engine silero runs in sileroVad.ts, not on the CNN');
  const classes = opts.engine === 'smn' ? [SPEECH, MUSIC, NOISE] : [SPEECH, MUSIC];
  const K = classes.length;
  const trans = switchCost(opts.engine === 'smn' ? 80 : 150, K);
  for (const [on, s, e] of runs(stepEnergetic)) {
    if (!on) continue;
    const emission = (t: number, c: number) => {
      const w = windowOf(s + t);
      const lp = windowLogProbs.get(3 * w + c);
      if (Number.isNaN(lp)) return Math.log(0.5); // non-finite patch (log of 0): no opinion, as inaSpeechSegmenter
      if (K === 3) return lp;
      const [a, b] = [windowLogProbs.get(3 * w), windowLogProbs.get(3 * w + 1)]; // renormalise over speech + music
      const m = Math.max(a, b);
      return lp - (m + Math.log(Math.exp(a - m) + Math.exp(b - m)));
    };
    const path = viterbi(e - s, K, emission, trans);
    for (let k = s; k < e; k++) codes[k] = classes[path[k - s]];
  }
  const energy = Float32Array.from({ length: n }, (_, k) => logE.get(2 * k));
  const segments = toSegments(codes, duration);
  return { segments: opts.gender ? genderByPitch(segments, f0, opts.genderThresholdHz) : segments, duration, f0, energy, windows: { all: W, putOff, cameBack } };
}

/**
 * The windows put off as quiet whose step `needed` says the Viterbi will read (their step turned out energetic):
 * classified now from their kept frames, in runs of consecutive windows as the stream does, into `logProbs`.
 */
async function classifyQuiet(
  classifier: PatchClassifier, runs: { w0: number; w1: number; at: number }[], frames: GrowableF32,
  needed: (w: number) => boolean, logProbs: GrowableLog16, stride: number,
): Promise<number> {
  const patches = new Float32Array(BATCH * PATCH_FRAMES * PATCH_BANDS);
  let classified = 0;
  for (const run of runs) {
    for (let w = run.w0; w < run.w1;) {
      if (!needed(w)) {
        w++;
        continue;
      }
      const start = w;
      while (w < run.w1 && w - start < BATCH && needed(w)) w++;
      // the frames of windows start..w-1, from the run's copy (window v starts 2 (v - w0) frames into it)
      const first = run.at + 2 * (start - run.w0);
      const span = frames.slice(first * INA_BANDS, (first + 2 * (w - start - 1) + PATCH_FRAMES) * INA_BANDS);
      const finite = Array.from({ length: w - start }, (_, i) => writePatch(span, INA_BANDS, 2 * i, patches, i));
      const probs = await classifier.classifySparse(patches, w - start, finite, stride);
      classified += w - start;
      for (let i = 0; i < w - start; i++) for (let c = 0; c < 3; c++) logProbs.set(3 * (start + i) + c, finite[i] ? Math.log(probs[i * 3 + c]) : NaN);
    }
  }
  return classified;
}

const LABELS = ['noEnergy', 'speech', 'music', 'noise'];
const [NO_ENERGY, SPEECH, MUSIC, NOISE] = LABELS.map((_, i) => i);

/** inaSpeechSegmenter's _energy_activity: per 10 ms frame, true where energetic. */
export function energyActivity(logE: { length: number; get(i: number): number }): Uint8Array {
  let sum = 0;
  let count = 0;
  for (let t = 0; t < logE.length; t++) {
    const v = logE.get(t);
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  const threshold = count ? sum / count + Math.log(ENERGY_RATIO) : Infinity;
  const [hit, miss] = [Math.log(1 - 1e-10), Math.log(1e-10)];
  return viterbi(logE.length, 2, (t, k) => ((logE.get(t) > threshold) === (k === 1) ? hit : miss), switchCost(150, 2, [-5, 0]));
}

export function toSegments(codes: Uint8Array, duration: number, labels = LABELS): Segment[] {
  const segs: Segment[] = [];
  for (const [code, s, e] of runs(codes)) segs.push({ label: labels[code], start: round(s * STEP), stop: round(e * STEP) });
  // the last 20 ms step may stop short of (or run past) the last sample: make the table cover the file exactly
  if (segs.length) segs[segs.length - 1].stop = round(duration);
  return segs;
}

const round = (t: number) => Math.round(t * 1000) / 1000;

import { InaFrontEnd, INA_BANDS, INA_HOP, INA_RATE, INA_WIN } from '../features/inaFrontEnd';
import { PitchTracker } from '../features/pitch';
import { GrowableF32 } from '../util/growable';
import { PATCH_BANDS, PATCH_FRAMES, PatchClassifier, writePatch } from './patchClassifier';
import { runs, switchCost, viterbi } from './viterbi';
import { genderEmission, DEFAULT_GENDER_THRESHOLD_HZ } from './gender';

export type Engine = 'smn' | 'sm';

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
}

const STEP = 0.02; // one decision per two 10 ms frames, as inaSpeechSegmenter
const BATCH = 512; // patches per CNN call: large batches amortise ORT's per-call cost
const STORE = 1024; // mel frames kept in memory; windows only look 68 frames back
const SUB_CHUNK = 16000; // samples pushed between CNN flushes, bounding the pending batch
const ENERGY_RATIO = 0.03;

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
  const logE = new GrowableF32();
  const windowProbs = new GrowableF32(); // 3 per window, NaN when the patch was not finite
  const store = new Float32Array(STORE * INA_BANDS);
  let storeBase = 0;
  let storeLen = 0;
  let nextWindow = 0;
  let minMel = Infinity;
  const batch = new Float32Array((BATCH + SUB_CHUNK / INA_HOP) * PATCH_FRAMES * PATCH_BANDS);
  const finite: boolean[] = [];
  const pitch = new PitchTracker(INA_RATE, 2 * INA_HOP, INA_WIN / 2) // centred on every other frame;

  const makeWindows = () => {
    while (nextWindow + PATCH_FRAMES <= storeBase + storeLen) {
      finite.push(writePatch(store, INA_BANDS, nextWindow - storeBase, batch, finite.length));
      nextWindow += 2;
    }
  };
  const front = new InaFrontEnd((_i, e, mel) => {
    logE.push(e);
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
    const probs = await classifier.classify(batch, finite.length);
    for (let i = 0; i < finite.length; i++) {
      for (let c = 0; c < 3; c++) windowProbs.push(finite[i] ? probs[i * 3 + c] : NaN);
    }
    finite.length = 0;
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
  const W = windowProbs.length / 3;
  const energetic = energyActivity(logE.view());
  const f0 = pitch.finish(n);
  const labels: string[] = new Array(n);
  const classes = opts.engine === 'smn' ? ['speech', 'music', 'noise'] : ['speech', 'music'];
  const K = classes.length;
  const trans = switchCost(opts.engine === 'smn' ? 80 : 150, K);
  for (const [on, s, e] of runs(Array.from({ length: n }, (_, k) => energetic[2 * k]))) {
    if (!on) {
      labels.fill('noEnergy', s, e);
      continue;
    }
    const em = new Float64Array((e - s) * K);
    for (let k = s; k < e; k++) {
      const w = Math.min(Math.max(k - PATCH_FRAMES / 4, 0), W - 1);
      const p = [windowProbs.get(3 * w), windowProbs.get(3 * w + 1), windowProbs.get(3 * w + 2)];
      const total = K === 3 ? 1 : p[0] + p[1];
      for (let c = 0; c < K; c++) em[(k - s) * K + c] = Number.isNaN(p[c]) ? Math.log(0.5) : Math.log(p[c] / total);
    }
    const path = viterbi(em, K, trans);
    for (let k = s; k < e; k++) labels[k] = classes[path[k - s]];
  }
  if (opts.gender) {
    const threshold = opts.genderThresholdHz ?? DEFAULT_GENDER_THRESHOLD_HZ;
    const gtrans = switchCost(80, 2);
    for (const [lab, s, e] of runs(labels.map((l) => (l === 'speech' ? 1 : 0)))) {
      if (!lab) continue;
      const path = viterbi(genderEmission(f0.subarray(s, e), threshold), 2, gtrans);
      for (let k = s; k < e; k++) labels[k] = path[k - s] === 0 ? 'female' : 'male';
    }
  }
  const energy = Float32Array.from({ length: n }, (_, k) => logE.get(2 * k));
  return { segments: toSegments(labels, duration), duration, f0, energy };
}

/** inaSpeechSegmenter's _energy_activity: per 10 ms frame, true where energetic. */
export function energyActivity(logE: Float32Array): Uint8Array {
  let sum = 0;
  let count = 0;
  for (const v of logE) if (Number.isFinite(v)) {
    sum += v;
    count++;
  }
  const threshold = count ? sum / count + Math.log(ENERGY_RATIO) : Infinity;
  const eps = 1e-10;
  const em = new Float64Array(logE.length * 2);
  for (let t = 0; t < logE.length; t++) {
    const on = logE[t] > threshold;
    em[2 * t] = Math.log(on ? eps : 1 - eps);
    em[2 * t + 1] = Math.log(on ? 1 - eps : eps);
  }
  return viterbi(em, 2, switchCost(150, 2, [-5, 0]));
}

function toSegments(labels: string[], duration: number): Segment[] {
  const segs: Segment[] = [];
  const names = [...new Set(labels)];
  for (const [lab, s, e] of runs(labels.map((l) => names.indexOf(l)))) {
    segs.push({ label: names[lab], start: round(s * STEP), stop: round(e * STEP) });
  }
  // the last 20 ms step may stop short of (or run past) the last sample: make the table cover the file exactly
  if (segs.length) segs[segs.length - 1].stop = round(duration);
  return segs;
}

const round = (t: number) => Math.round(t * 1000) / 1000;

import { openSession, ort, type LoadedSession } from '../models/ortSession';
import { readManifest } from '../models/modelPaths';

export const PATCH_FRAMES = 68;
export const PATCH_BANDS = 21;
const PATCH = PATCH_FRAMES * PATCH_BANDS;

/** inaSpeechSegmenter's speech/music/noise CNN over z-normalised log-mel patches. */
export class PatchClassifier {
  private constructor(private readonly loaded: LoadedSession) {}

  static async open(log?: (m: string) => void): Promise<PatchClassifier> {
    const m = readManifest('ina_speech_music_noise');
    return new PatchClassifier(await openSession(m.path, { log }));
  }

  get provider(): string {
    return this.loaded.provider;
  }

  /** `patches` holds n normalised patches back to back; returns n x 3 probabilities. */
  async classify(patches: Float32Array, n: number): Promise<Float32Array> {
    if (n === 0) return new Float32Array(0);
    const x = new ort.Tensor('float32', patches.subarray(0, n * PATCH), [n, PATCH_FRAMES, PATCH_BANDS]);
    const out = await this.loaded.session.run({ x });
    return Float32Array.from(out.probs.data as Float32Array);
  }

  /**
   * Probabilities of `n` patches that overlap their neighbours by all but 2 of 68 frames, from the CNN run on every
   * `stride`-th one (and the last): between two that agree (the same winner, sure of it, no class moving by more
   * than SPARSE_TOLERANCE) the ones skipped are interpolated, elsewhere (a change, a patch that is not finite) each is
   * run. Nearly all of a programme is long stretches of one class, so the CNN runs on about 1/stride of it; where
   * the label changes it runs on every patch, as the exact pass does. stride 1: every patch. Patches marked in
   * `skip` are not run (their probabilities stay 0); each run of the others between them is treated on its own.
   */
  async classifySparse(patches: Float32Array, n: number, finite: readonly boolean[], stride: number, skip?: readonly boolean[]): Promise<Float32Array> {
    const probs = new Float32Array(n * 3);
    const anchors: number[] = [];
    const anchorRun: number[] = [];
    const runs: [number, number][] = [];
    for (let i = 0; i < n;) {
      if (skip?.[i]) {
        i++;
        continue;
      }
      let e = i;
      while (e < n && !skip?.[e]) e++;
      runs.push([i, e]);
      i = e;
    }
    const dense: number[] = [];
    for (const [s, e] of runs) {
      if (stride <= 1 || e - s <= 2) for (let i = s; i < e; i++) dense.push(i);
      else {
        for (let i = s; i < e - 1; i += stride) anchors.push(i);
        anchors.push(e - 1);
        while (anchorRun.length < anchors.length) anchorRun.push(s);
      }
    }
    await this.classifyAt(patches, [...dense, ...anchors], probs);
    const exact: number[] = [];
    for (let k = 0; k + 1 < anchors.length; k++) {
      const [a, b] = [anchors[k], anchors[k + 1]];
      if (anchorRun[k] !== anchorRun[k + 1]) continue; // the last anchor of one run and the first of the next
      const top = argmax3(probs, a);
      let agree = finite[a] && finite[b] && top === argmax3(probs, b) && Math.min(probs[a * 3 + top], probs[b * 3 + top]) >= SPARSE_CONFIDENT;
      for (let c = 0; agree && c < 3; c++) agree = Math.abs(probs[a * 3 + c] - probs[b * 3 + c]) <= SPARSE_TOLERANCE;
      for (let i = a + 1; agree && i < b; i++) agree = finite[i];
      if (!agree) {
        for (let i = a + 1; i < b; i++) exact.push(i);
        continue;
      }
      for (let i = a + 1; i < b; i++) {
        const t = (i - a) / (b - a);
        for (let c = 0; c < 3; c++) probs[i * 3 + c] = (1 - t) * probs[a * 3 + c] + t * probs[b * 3 + c];
      }
    }
    await this.classifyAt(patches, exact, probs);
    return probs;
  }

  /** Runs the patches at `at` (indices into `patches`) and puts their probabilities in place in `probs`. */
  private async classifyAt(patches: Float32Array, at: number[], probs: Float32Array): Promise<void> {
    if (!at.length) return;
    const picked = new Float32Array(at.length * PATCH);
    at.forEach((i, k) => picked.set(patches.subarray(i * PATCH, (i + 1) * PATCH), k * PATCH));
    const out = await this.classify(picked, at.length);
    at.forEach((i, k) => probs.set(out.subarray(k * 3, k * 3 + 3), i * 3));
  }

  async release(): Promise<void> {
    await this.loaded.session.release();
  }
}

/** How far (in probability) two anchors' classes may differ for the patches between them to be interpolated. */
const SPARSE_TOLERANCE = 0.05;
/**
 * How sure both anchors must be of their class: where two classes are close (speech against noise in a short
 * acted clip) the Viterbi path of the whole region can turn on small differences, so every patch is run there.
 */
const SPARSE_CONFIDENT = 0.9;

/**
 * The default anchor spacing: the CNN on every eighth 20 ms patch where nothing changes (anchors 160 ms apart share
 * 52 of their 68 frames). Labels agree with running every patch on 100% of 10 ms frames of the shared recordings
 * (`EVAL_ONLY=segment npm run eval`); 4 and 8 were tried, on the bench's 10-minute programme and 80 shared files.
 */
export const SPARSE_STRIDE = 8;

const argmax3 = (p: Float32Array, i: number) => (p[i * 3] >= p[i * 3 + 1] ? (p[i * 3] >= p[i * 3 + 2] ? 0 : 2) : p[i * 3 + 1] >= p[i * 3 + 2] ? 1 : 2);

/**
 * Copies frames [start, start+68) of a band-major frame store into `dest` as one z-normalised patch (over all
 * 68*21 values, population std, like inaSpeechSegmenter). Returns false when a value is not finite (log of 0).
 */
export function writePatch(frames: Float32Array, stride: number, start: number, dest: Float32Array, at: number): boolean {
  let sum = 0;
  let sq = 0;
  let o = at * PATCH;
  for (let f = 0; f < PATCH_FRAMES; f++) {
    const base = (start + f) * stride;
    for (let b = 0; b < PATCH_BANDS; b++) {
      const v = frames[base + b];
      dest[o++] = v;
      sum += v;
      sq += v * v;
    }
  }
  const mean = sum / PATCH;
  const std = Math.sqrt(Math.max(0, sq / PATCH - mean * mean));
  // numpy yields NaN for a constant patch too; inaSpeechSegmenter then scores it 0.5 for every class
  if (!Number.isFinite(mean) || !(std > 0) || !Number.isFinite(std)) return false;
  const inv = 1 / std;
  o = at * PATCH;
  for (let i = 0; i < PATCH; i++, o++) dest[o] = (dest[o] - mean) * inv;
  return true;
}

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

  async release(): Promise<void> {
    await this.loaded.session.release();
  }
}

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

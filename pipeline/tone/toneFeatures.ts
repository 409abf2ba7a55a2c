import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FfmpegPaths } from '../audio/ffmpeg';
import { readClip } from '../audio/readClip';
import { resampleSinc } from '../audio/resample';
import { RICH_NAMES, richFeature } from '../features/richFeature';
import { seedFeature } from '../features/seedFeature';
import { SpeakerEncoder } from '../models/speakerEncoder';
import { writeFileAtomic } from '../util/atomic';
import { sha256File } from '../util/hash';
import { forEachLimit } from '../util/pool';

export type FeatureKind = 'seed' | 'rich';
export const FEATURE_KINDS: FeatureKind[] = ['seed', 'rich'];
/** Tone features are defined on 16 kHz mono, whatever the clip's own rate. */
export const TONE_RATE = 16000;
/** Bumped whenever a feature's definition changes, so cached vectors of the old one are never reused. */
const VERSION: Record<FeatureKind, number> = { seed: 1, rich: 1 };

const EMBEDDING_NAMES = Array.from({ length: 256 }, (_, i) => `voice_${i}`);

export function featureSpec(kind: FeatureKind): { kind: FeatureKind; version: number; sampleRate: number; dims: number; names: string[] } {
  const names = kind === 'seed' ? RICH_NAMES.slice(0, 180) : [...RICH_NAMES, ...EMBEDDING_NAMES];
  return { kind, version: VERSION[kind], sampleRate: TONE_RATE, dims: names.length, names };
}

/**
 * Computes one kind of tone feature. `rich` adds the shipped voice encoder's embedding (tone_color_se, fed the same
 * 16 kHz audio resampled to its rate): it carries how a voice is produced, which shifts with arousal and valence.
 */
export class ToneFeatureExtractor {
  private constructor(readonly kind: FeatureKind, private readonly encoder?: SpeakerEncoder) {}

  static async open(kind: FeatureKind, log?: (m: string) => void): Promise<ToneFeatureExtractor> {
    return new ToneFeatureExtractor(kind, kind === 'rich' ? await SpeakerEncoder.open(undefined, log) : undefined);
  }

  async compute(x: Float32Array): Promise<Float64Array> {
    if (this.kind === 'seed') return seedFeature(x, TONE_RATE);
    const hand = richFeature(x, TONE_RATE);
    const emb = await this.encoder!.embed(resampleSinc(x, TONE_RATE, this.encoder!.sampleRate));
    const out = new Float64Array(hand.length + emb.length);
    out.set(hand);
    out.set(emb, hand.length);
    return out;
  }

  async release(): Promise<void> {
    await this.encoder?.release();
  }
}

/** A clip as 16 kHz mono, long enough to describe. */
export async function readToneAudio(file: string, paths?: FfmpegPaths): Promise<Float32Array> {
  const x = await readClip(file, TONE_RATE, paths);
  if (x.length < TONE_RATE * 0.1) throw new Error(`${file}: under 0.1 s of audio, too short for tone features`);
  return x;
}

export function defaultFeatureCache(): string {
  return process.env.SDS_FEATURE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'sds', 'tone-features');
}

/**
 * Features for many files, cached by content hash (the same audio under another name or folder is not computed
 * again) in one JSON map per feature kind and version, saved as it fills so an interrupted run resumes.
 */
export async function extractFeatures(files: string[], kind: FeatureKind, opts: {
  cacheDir?: string; jobs?: number; paths?: FfmpegPaths; signal?: AbortSignal; log?: (m: string) => void;
  onFile?: (file: string, index: number) => void; onError?: (file: string, error: unknown) => void;
}): Promise<Map<string, Float64Array>> {
  let extractor: Promise<ToneFeatureExtractor> | undefined;
  const cacheFile = path.join(opts.cacheDir ?? defaultFeatureCache(), `${kind}-v${VERSION[kind]}.json`);
  let cache: Record<string, number[]> = {};
  try {
    cache = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
  } catch { /* first run, or a damaged cache: recompute */ }
  const out = new Map<string, Float64Array>();
  let fresh = 0;
  const save = () => writeFileAtomic(cacheFile, JSON.stringify(cache));
  await forEachLimit(files, opts.jobs ?? 2, async (file, i) => {
    opts.signal?.throwIfAborted();
    try {
      const hash = await sha256File(file);
      let v = cache[hash];
      if (!v) {
        extractor ??= ToneFeatureExtractor.open(kind, opts.log);
        v = Array.from(await (await extractor).compute(await readToneAudio(file, opts.paths)), (n) => Math.fround(n));
        cache[hash] = v;
        if (++fresh % 200 === 0) await save();
      }
      out.set(file, Float64Array.from(v));
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      opts.onError?.(file, e);
    }
    opts.onFile?.(file, i);
  });
  await (await extractor)?.release();
  if (fresh) await save();
  return out;
}

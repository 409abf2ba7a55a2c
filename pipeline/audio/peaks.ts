import * as fs from 'node:fs';
import { writeFileAtomic } from '../util/atomic';
import { decodeMono, type FfmpegPaths } from './ffmpeg';

export interface Peaks {
  /** Max |sample| per bucket, 0..1, rounded to 3 decimals (wavesurfer.js `peaks`, one channel). */
  peaks: number[];
  duration: number;
  perSecond: number;
  /** sha256 (or size+mtime) of the audio the peaks were computed from. */
  key: string;
}

const RATE = 8000; // enough for an envelope, a quarter of the 16 kHz decode cost

/**
 * Envelope of a file for the timeline, streamed (memory flat in length) and cached as JSON; a cache whose key no
 * longer matches the audio is recomputed.
 */
export async function computePeaks(file: string, cacheFile: string, key: string, opts: { perSecond?: number; paths?: FfmpegPaths; signal?: AbortSignal } = {}): Promise<Peaks> {
  try {
    const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Peaks;
    if (cached.key === key) return cached;
  } catch {
    /* no cache yet */
  }
  const perSecond = opts.perSecond ?? 100;
  const bucket = Math.round(RATE / perSecond);
  const peaks: number[] = [];
  let max = 0;
  let n = 0;
  let total = 0;
  for await (const chunk of decodeMono(file, { sampleRate: RATE, paths: opts.paths, signal: opts.signal })) {
    for (let i = 0; i < chunk.length; i++) {
      const v = Math.abs(chunk[i]);
      if (v > max) max = v;
      if (++n === bucket) {
        peaks.push(Math.round(Math.min(1, max) * 1000) / 1000);
        max = 0;
        n = 0;
      }
    }
    total += chunk.length;
  }
  if (n) peaks.push(Math.round(Math.min(1, max) * 1000) / 1000);
  const result: Peaks = { peaks, duration: total / RATE, perSecond, key };
  await writeFileAtomic(cacheFile, JSON.stringify(result));
  return result;
}

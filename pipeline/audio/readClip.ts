import * as fs from 'node:fs';
import { allFinite, collect, decodeMono, NonFiniteSamplesError, type FfmpegPaths } from './ffmpeg';
import { resampleSinc } from './resample';
import { decodeFlac } from './flacDecode';
import { decodeWav } from './wav';

/**
 * A whole clip as mono float32 at `rate`: PCM WAV and FLAC clips are read in-process (no ffmpeg start per clip,
 * which would dominate on thousands of short clips); anything else, or what these readers refuse, goes to ffmpeg.
 */
export async function readClip(file: string, rate: number, paths?: FfmpegPaths): Promise<Float32Array> {
  const decoded = /\.wav$/i.test(file) ? decodeWav(fs.readFileSync(file)) : /\.flac$/i.test(file) ? await decodeFlac(fs.readFileSync(file)) : undefined;
  if (decoded) {
    if (!allFinite(decoded.samples)) throw new NonFiniteSamplesError(file);
    return decoded.rate === rate ? decoded.samples : resampleSinc(decoded.samples, decoded.rate, rate);
  }
  return collect(decodeMono(file, { sampleRate: rate, paths }));
}

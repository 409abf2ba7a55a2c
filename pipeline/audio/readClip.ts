import * as fs from 'node:fs';
import { collect, decodeMono, type FfmpegPaths } from './ffmpeg';
import { resampleSinc } from './resample';
import { decodeWav } from './wav';

/**
 * A whole clip as mono float32 at `rate`: the dataset's PCM WAV clips are read in-process (no ffmpeg start per clip,
 * which would dominate on thousands of short clips); anything else is decoded by ffmpeg.
 */
export async function readClip(file: string, rate: number, paths?: FfmpegPaths): Promise<Float32Array> {
  const wav = /\.wav$/i.test(file) ? decodeWav(fs.readFileSync(file)) : undefined;
  if (wav) return wav.rate === rate ? wav.samples : resampleSinc(wav.samples, wav.rate, rate);
  return collect(decodeMono(file, { sampleRate: rate, paths }));
}

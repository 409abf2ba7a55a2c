import * as fs from 'node:fs';
import FFT from 'fft.js';
import { writeFileAtomic } from '../util/atomic';
import { decodeMono, type FfmpegPaths } from './ffmpeg';

export const SPECTROGRAM_RATE = 16000; // speech lives below 8 kHz
export const SPECTROGRAM_FFT = 512; // 256 bins, as the timeline's Spectrogram plugin is told (fftSamples)
const HOP = 640; // 25 columns per second
const RANGE_DB = 80;
/** Longer files get no spectrogram: its JSON would grow past what a webview should fetch (25 x 256 bytes/s). */
export const SPECTROGRAM_MAX_SECONDS = 900;

/**
 * Spectrogram for the timeline's wavesurfer Spectrogram plugin (`frequenciesDataUrl`: Uint8 [channel][frame][bin],
 * 0..255 over the top 80 dB), computed streaming in the host and cached as JSON beside the peaks.
 */
export async function computeSpectrogram(file: string, cacheFile: string, key: string, opts: { paths?: FfmpegPaths; signal?: AbortSignal } = {}): Promise<{ frames: number }> {
  try {
    const cached = JSON.parse(fs.readFileSync(cacheFile + '.key', 'utf8')) as { key: string; frames: number };
    if (cached.key === key && fs.existsSync(cacheFile)) return { frames: cached.frames };
  } catch {
    /* not cached */
  }
  const fft = new FFT(SPECTROGRAM_FFT);
  const out = fft.createComplexArray();
  const frame = new Float32Array(SPECTROGRAM_FFT);
  const win = Float32Array.from({ length: SPECTROGRAM_FFT }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / SPECTROGRAM_FFT));
  const bins = SPECTROGRAM_FFT / 2;
  const columns: Float32Array[] = [];
  let pending = new Float32Array(0);
  let max = -Infinity;
  for await (const chunk of decodeMono(file, { sampleRate: SPECTROGRAM_RATE, paths: opts.paths, signal: opts.signal })) {
    const buf = new Float32Array(pending.length + chunk.length);
    buf.set(pending);
    buf.set(chunk, pending.length);
    let o = 0;
    for (; o + SPECTROGRAM_FFT <= buf.length; o += HOP) {
      for (let i = 0; i < SPECTROGRAM_FFT; i++) frame[i] = buf[o + i] * win[i];
      fft.realTransform(out, frame);
      const col = new Float32Array(bins);
      for (let k = 0; k < bins; k++) {
        col[k] = 10 * Math.log10(out[2 * k] ** 2 + out[2 * k + 1] ** 2 + 1e-12);
        if (col[k] > max) max = col[k];
      }
      columns.push(col);
      if (columns.length > (SPECTROGRAM_MAX_SECONDS * SPECTROGRAM_RATE) / HOP) throw new Error(`longer than ${SPECTROGRAM_MAX_SECONDS} s: no spectrogram`);
    }
    pending = buf.slice(o);
  }
  const data = columns.map((c) => Array.from(c, (db) => Math.max(0, Math.min(255, Math.round(((db - (max - RANGE_DB)) / RANGE_DB) * 255)))));
  await writeFileAtomic(cacheFile, JSON.stringify([data]));
  await writeFileAtomic(cacheFile + '.key', JSON.stringify({ key, frames: columns.length }));
  return { frames: columns.length };
}

import * as fs from 'node:fs';
import { decodeMono, type FfmpegPaths } from '../audio/ffmpeg';
import { WavWriter } from '../audio/wavWriter';
import { processStft, sqrtHann } from '../enhance/stft';
import { openSession, ort, type LoadedSession } from '../models/ortSession';
import { REPET_HOP, REPET_NFFT, repetSimMask, spectra } from './repetSim';

/** Separation works on 16 kHz mono: the rate the rest of the pipeline analyses speech at. */
export const SEPARATE_RATE = 16000;
/** sqrt-Hann scaled so analysis x synthesis overlap-adds to exactly 1 at 75% overlap (nfft 1024, hop 256). */
export const SEPARATE_WINDOW = sqrtHann(REPET_NFFT).map((v) => v * Math.SQRT1_2);
const BLOCK = 30 * SEPARATE_RATE; // samples written per block (a multiple of the hop, so frames line up across blocks)
const MARGIN = 2 * SEPARATE_RATE; // context each side, processed and thrown away

/** A vocals mask for every frame of a block of magnitude spectra (nfft 1024, hop 256 at 16 kHz). */
export interface Separator {
  name: string;
  masks(mag: Float32Array[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

export function repetSeparator(): Separator {
  return { name: 'repet-sim', masks: async (mag) => repetSimMask(mag, { rate: SEPARATE_RATE }), release: async () => undefined };
}

/**
 * A learned mask model (docs/models.md): input `magnitude` float32 [1, frames, 513], output `mask` float32
 * [1, frames, 513] in 0..1 for the vocals, on this module's STFT. Blocks of 34 s keep memory flat in file length.
 */
export async function onnxMaskSeparator(file: string, log?: (m: string) => void): Promise<Separator> {
  const loaded: LoadedSession = await openSession(file, { log });
  const s = loaded.session;
  return {
    name: file,
    masks: async (mag) => {
      const bins = mag[0]?.length ?? 0;
      const flat = new Float32Array(mag.length * bins);
      mag.forEach((m, t) => flat.set(m, t * bins));
      const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', flat, [1, mag.length, bins]) });
      const m = out[s.outputNames[0]].data as Float32Array;
      if (m.length !== flat.length) throw new Error(`${file}: mask has ${m.length} values for ${flat.length} magnitudes`);
      return mag.map((_, t) => m.slice(t * bins, (t + 1) * bins));
    },
    release: () => loaded.session.release(),
  };
}

/** The vocals of one block of audio (STFT, the separator's masks, inverse STFT), aligned with it. */
export async function separateBlock(x: Float32Array, sep: Separator): Promise<Float32Array> {
  const { mag } = spectra(x, SEPARATE_WINDOW);
  const masks = await sep.masks(mag);
  return processStft(x, REPET_NFFT, REPET_HOP, SEPARATE_WINDOW, (spec, t) => {
    const m = masks[t];
    for (let i = 0; i < spec.length; i++) spec[i] *= m[i >> 1];
    return spec;
  });
}

/**
 * Streams `file` through the separator in 30 s blocks (with 2 s of context each side) and writes the vocals (and the
 * accompaniment, the mixture minus the vocals) as 16-bit WAVs at 16 kHz. Returns the seconds processed.
 */
export async function separateFile(file: string, out: { vocals: string; accompaniment?: string }, sep: Separator,
  opts: { paths?: FfmpegPaths; signal?: AbortSignal; onProgress?: (seconds: number) => void } = {}): Promise<number> {
  const vocals = new WavWriter(out.vocals, SEPARATE_RATE);
  const acc = out.accompaniment ? new WavWriter(out.accompaniment, SEPARATE_RATE) : undefined;
  let buf = new Float32Array(0); // audio from bufStart on
  let bufStart = 0;
  let next = 0; // first sample not yet written
  const flush = async (final: boolean) => {
    while (final ? next < bufStart + buf.length : bufStart + buf.length >= next + BLOCK + MARGIN) {
      const from = Math.max(0, next - MARGIN);
      const to = Math.min(bufStart + buf.length, next + BLOCK + MARGIN);
      const x = buf.subarray(from - bufStart, to - bufStart);
      const y = await separateBlock(x, sep);
      const keep = Math.min(BLOCK, to - next);
      const v = y.subarray(next - from, next - from + keep);
      vocals.write(v);
      if (acc) acc.write(Float32Array.from(v, (s, i) => x[next - from + i] - s));
      next += keep;
      opts.onProgress?.(next / SEPARATE_RATE);
      // keep only what the next block's margin needs
      const drop = Math.max(0, next - MARGIN - bufStart);
      buf = buf.slice(drop);
      bufStart += drop;
    }
  };
  try {
    for await (const chunk of decodeMono(file, { sampleRate: SEPARATE_RATE, paths: opts.paths, signal: opts.signal })) {
      const grown = new Float32Array(buf.length + chunk.length);
      grown.set(buf);
      grown.set(chunk, buf.length);
      buf = grown;
      await flush(false);
    }
    await flush(true);
  } catch (e) {
    vocals.close();
    acc?.close();
    throw e;
  }
  vocals.close();
  acc?.close();
  return next / SEPARATE_RATE;
}

export function removeQuietly(...files: string[]): void {
  for (const f of files) fs.rmSync(f, { force: true });
}

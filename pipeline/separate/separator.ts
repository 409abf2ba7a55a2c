import * as fs from 'node:fs';
import { contextBlocks } from '../audio/contextBlocks';
import { decodeMono, type FfmpegPaths } from '../audio/ffmpeg';
import { WavWriter } from '../audio/wavWriter';
import { processStft, sqrtHann } from '../enhance/stft';
import { openSession, ort, type LoadedSession } from '../models/ortSession';
import { REPET_HOP, REPET_NFFT, repetSimMask, spectra } from './repetSim';

/** Mask separators work on 16 kHz mono: the rate the rest of the pipeline analyses speech at. */
export const SEPARATE_RATE = 16000;
/** sqrt-Hann scaled so analysis x synthesis overlap-adds to exactly 1 at 75% overlap (nfft 1024, hop 256). */
export const SEPARATE_WINDOW = sqrtHann(REPET_NFFT).map((v) => v * Math.SQRT1_2);

/**
 * A separator: the vocals (mono) of a block of audio at its own rate and channel count, aligned with the block.
 * `separateFile` streams any source through one in blocks with context, so memory is flat in file length.
 */
export interface Separator {
  name: string;
  rate: number;
  channels: 1 | 2;
  /** `x`: one array per channel, the same length; returns the vocals, that length too */
  vocals(x: Float32Array[]): Promise<Float32Array>;
  release(): Promise<void>;
}

/** A vocals mask for every frame of a block of magnitude spectra (nfft 1024, hop 256 at 16 kHz, mono). */
type Masker = (mag: Float32Array[]) => Promise<Float32Array[]>;

function maskSeparator(name: string, masks: Masker, release: () => Promise<void> = async () => undefined): Separator {
  return { name, rate: SEPARATE_RATE, channels: 1, vocals: (x) => separateBlock(x[0], masks), release };
}

export function repetSeparator(): Separator {
  return maskSeparator('repet-sim', async (mag) => repetSimMask(mag, { rate: SEPARATE_RATE }));
}

/**
 * A learned mask model (docs/models.md): input `magnitude` float32 [1, frames, 513], output `mask` float32
 * [1, frames, 513] in 0..1 for the vocals, on this module's STFT. Blocks of 34 s keep memory flat in file length.
 */
export async function onnxMaskSeparator(file: string, log?: (m: string) => void): Promise<Separator> {
  const loaded: LoadedSession = await openSession(file, { log });
  const s = loaded.session;
  return maskSeparator(file, async (mag) => {
    const bins = mag[0]?.length ?? 0;
    const flat = new Float32Array(mag.length * bins);
    mag.forEach((m, t) => flat.set(m, t * bins));
    const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', flat, [1, mag.length, bins]) });
    const m = out[s.outputNames[0]].data as Float32Array;
    if (m.length !== flat.length) throw new Error(`${file}: mask has ${m.length} values for ${flat.length} magnitudes`);
    return mag.map((_, t) => m.slice(t * bins, (t + 1) * bins));
  }, () => loaded.session.release());
}

/** The vocals of one mono block (STFT, the masks, inverse STFT), aligned with it. */
export async function separateBlock(x: Float32Array, masks: Masker): Promise<Float32Array> {
  const { mag } = spectra(x, SEPARATE_WINDOW);
  const m = await masks(mag);
  return processStft(x, REPET_NFFT, REPET_HOP, SEPARATE_WINDOW, (spec, t) => {
    const mt = m[t];
    for (let i = 0; i < spec.length; i++) spec[i] *= mt[i >> 1];
    return spec;
  });
}

/**
 * The mono mixture of a stereo block as stems are made from it: the channels' mean, which cannot clip in a 16-bit
 * stem (ffmpeg's float downmix, (L + R) / sqrt 2, can; its integer one is this mean).
 */
export function monoOf(x: Float32Array[]): Float32Array {
  if (x.length === 1) return x[0];
  return Float32Array.from(x[0], (v, i) => (v + x[1][i]) / 2);
}

const BLOCK_SECONDS = 30; // written per block
const MARGIN_SECONDS = 2; // context each side, processed and thrown away

/**
 * Streams `file` through the separator in 30 s blocks (with 2 s of context each side) at the separator's rate and
 * channel count, and writes the vocals (and the accompaniment: the mono mixture minus the vocals) as 16-bit mono
 * WAVs at that rate. Returns the seconds processed.
 */
export async function separateFile(file: string, out: { vocals: string; accompaniment?: string }, sep: Separator,
  opts: { paths?: FfmpegPaths; signal?: AbortSignal; onProgress?: (seconds: number) => void } = {}): Promise<number> {
  const rate = sep.rate;
  const C = sep.channels;
  const vocals = new WavWriter(out.vocals, rate);
  const acc = out.accompaniment ? new WavWriter(out.accompaniment, rate) : undefined;
  let done = 0;
  try {
    const chunks = decodeMono(file, { sampleRate: rate, channels: C, paths: opts.paths, signal: opts.signal });
    const margin = MARGIN_SECONDS * rate;
    for await (const { x, lead, keep } of contextBlocks(chunks, { channels: C, block: BLOCK_SECONDS * rate, before: margin, after: margin })) {
      const channels = Array.from({ length: C }, (_, c) => Float32Array.from({ length: x.length / C }, (_, i) => x[i * C + c]));
      const v = (await sep.vocals(channels)).subarray(lead, lead + keep);
      vocals.write(v);
      if (acc) {
        const mix = monoOf(channels);
        acc.write(Float32Array.from(v, (s, i) => mix[lead + i] - s));
      }
      done += keep;
      opts.onProgress?.(done / rate);
    }
  } finally {
    vocals.close();
    acc?.close();
  }
  return done / rate;
}

export function removeQuietly(...files: string[]): void {
  for (const f of files) fs.rmSync(f, { force: true });
}

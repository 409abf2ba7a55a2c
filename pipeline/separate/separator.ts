import * as fs from 'node:fs';
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
  const BLOCK = BLOCK_SECONDS * rate;
  const MARGIN = MARGIN_SECONDS * rate;
  const vocals = new WavWriter(out.vocals, rate);
  const acc = out.accompaniment ? new WavWriter(out.accompaniment, rate) : undefined;
  let buf: Float32Array[] = Array.from({ length: C }, () => new Float32Array(0)); // per channel, from bufStart on
  let bufStart = 0;
  let next = 0; // first sample not yet written
  const len = () => buf[0].length;
  const flush = async (final: boolean) => {
    while (final ? next < bufStart + len() : bufStart + len() >= next + BLOCK + MARGIN) {
      const from = Math.max(0, next - MARGIN);
      const to = Math.min(bufStart + len(), next + BLOCK + MARGIN);
      const x = buf.map((ch) => ch.subarray(from - bufStart, to - bufStart));
      const y = await sep.vocals(x);
      const keep = Math.min(BLOCK, to - next);
      const v = y.subarray(next - from, next - from + keep);
      vocals.write(v);
      if (acc) {
        const mix = monoOf(x);
        acc.write(Float32Array.from(v, (s, i) => mix[next - from + i] - s));
      }
      next += keep;
      opts.onProgress?.(next / rate);
      // keep only what the next block's margin needs
      const drop = Math.max(0, next - MARGIN - bufStart);
      buf = buf.map((ch) => ch.slice(drop));
      bufStart += drop;
    }
  };
  try {
    for await (const chunk of decodeMono(file, { sampleRate: rate, channels: C, paths: opts.paths, signal: opts.signal })) {
      const n = chunk.length / C;
      buf = buf.map((ch, c) => {
        const grown = new Float32Array(ch.length + n);
        grown.set(ch);
        for (let i = 0; i < n; i++) grown[ch.length + i] = chunk[i * C + c];
        return grown;
      });
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
  return next / rate;
}

export function removeQuietly(...files: string[]): void {
  for (const f of files) fs.rmSync(f, { force: true });
}

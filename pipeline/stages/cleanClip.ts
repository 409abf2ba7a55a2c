import * as fs from 'node:fs';
import { normaliseLoudness, type LoudnessResult } from '../audio/loudnessNormalise';
import { measureClip, metricCells } from '../audio/metrics';
import { readClip } from '../audio/readClip';
import { resampleSinc } from '../audio/resample';
import { encodeWav } from '../audio/wav';
import { ZeroPhaseFilter } from '../audio/zeroPhase';
import type { Dataset } from '../dataset';
import { writeFileAtomic } from '../util/atomic';
import { filterSpecs, humNotches, type CleanOptions } from './cleanOptions';
import { openDenoiser, type DenoiserContext } from './denoisers';

/** One clip to clean: read from `input` (its rate `rate`), written to `output`; `source` picks the gate's noise profile. */
export interface CleanClipRequest {
  input: string;
  output: string;
  outRel: string;
  rate: number;
  source: string;
}

/** The cells clean adds to the clip's row, and the loudness note on its own. */
export interface CleanClipReply {
  cells: Record<string, string>;
  note: string;
}

/** A clip through the chain: at `rate` (the denoiser's, or the clip's own), with the hum it notched and the loudness note. */
export interface Cleaned extends LoudnessResult {
  rate: number;
  hum: number[];
}

/** The signal chain of one clip, opened once per stage (or per worker process): filters, denoiser, loudness. */
export interface ClipCleaner {
  /** The chain on samples, as `clean` runs it before writing. */
  process(raw: Float32Array, rate: number, source: string): Promise<Cleaned>;
  clean(req: CleanClipRequest): Promise<CleanClipReply>;
  release(): Promise<void>;
}

/**
 * Opens the denoiser `opts` names and returns the chain that cleans one clip: the clip is resampled to the rate the
 * denoiser runs at, filtered there (zero-phase), denoised, brought back to its own rate where the denoiser asks for
 * it (RNNoise), normalised and written atomically with the metrics before and after.
 */
export async function openClipCleaner(ds: Dataset, opts: CleanOptions, ctx: DenoiserContext): Promise<ClipCleaner> {
  const denoiser = await openDenoiser(opts.denoise, ds, ctx);
  // one design per rate and set of notches: clips of a source mostly share both
  const designs = new Map<string, Promise<ZeroPhaseFilter | undefined>>();
  const filterFor = (hum: number[], rate: number) => {
    const key = `${rate}:${hum.join(',')}`;
    if (!designs.has(key)) designs.set(key, ZeroPhaseFilter.design(filterSpecs(opts, hum), rate));
    return designs.get(key)!;
  };
  const process = async (raw: Float32Array, rate: number, source: string): Promise<Cleaned> => {
    const hum = humNotches(opts, raw, rate);
    let outRate = denoiser.rate ?? rate;
    let y = resampleSinc(raw, rate, outRate);
    y = (await filterFor(hum, outRate))?.apply(y) ?? y;
    if (denoiser.run) y = await denoiser.run(y, source, outRate);
    if (denoiser.back && outRate !== rate) {
      y = resampleSinc(y, outRate, rate);
      outRate = rate;
    }
    if (!Number.isFinite(opts.loudness)) return { y, rate: outRate, hum, note: 'level left alone' };
    return { ...normaliseLoudness(y, outRate, opts.loudness, opts.truePeak), rate: outRate, hum };
  };
  return {
    process,
    release: () => denoiser.release(),
    async clean({ input, output, outRel, rate, source }) {
      if (!fs.statSync(input).isFile()) throw new Error('not a file');
      const raw = await readClip(input, rate, ctx.ffmpeg);
      if (!raw.length) throw new Error('contains no samples');
      const { y, rate: outRate, hum, note, known } = await process(raw, rate, source);
      await writeFileAtomic(output, encodeWav(y, outRate));
      const cells = {
        ...metricCells(measureClip(raw, rate), 'raw_'), ...metricCells(measureClip(y, outRate, known), ''),
        clean_path: outRel,
        clean_rate: String(outRate),
        clean_hum: hum.join(' '),
        clean_note: note,
        clean_target: Number.isFinite(opts.loudness) ? String(opts.loudness) : '',
      };
      return { cells, note };
    },
  };
}

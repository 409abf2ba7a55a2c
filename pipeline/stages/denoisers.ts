import * as fs from 'node:fs';
import { collect, concatSamples, decodeMono, type FfmpegPaths } from '../audio/ffmpeg';
import { Dataset } from '../dataset';
import { adaptiveGate } from '../enhance/adaptiveGate';
import { Dtln, DTLN_STREAMS } from '../enhance/dtln';
import { Gtcrn } from '../enhance/gtcrn';
import { OnnxWaveformEnhancer } from '../enhance/onnxWaveform';
import { Rnnoise, RNNOISE_RATE } from '../enhance/rnnoise';
import { noiseProfile, spectralGate, type NoiseProfile } from '../enhance/spectralGate';
import { parseSegmentCsv } from '../formats/segmentTable';
import { errorMessage, type StageContext } from './types';

/** What opening a denoiser needs of the stage's context (a clean worker process has only these). */
export type DenoiserContext = Pick<StageContext, 'log' | 'ffmpeg'>;

/** Denoises one clip; `source` and `rate` let the gate use its source's noise profile. */
export type Denoiser = (x: Float32Array, source: string, rate: number) => Promise<Float32Array>;

/** Learned enhancers run at 16 kHz; the clip is resampled around them and keeps that rate. */
const MODEL_RATE = 16000;

export interface OpenDenoiser {
  run?: Denoiser;
  rate?: number;
  back?: boolean;
  release: () => Promise<void>;
}

/** Clips worth denoising at once in one process: DTLN batches the blocks of concurrent clips into one session run. */
export function denoiserStreams(name: string): number {
  return name === 'dtln' ? DTLN_STREAMS : 1;
}

/**
 * `rate`: the rate the denoiser runs at (the clip is resampled to it before its filters); `back`: whether the
 * result goes back to the clip's own rate (RNNoise runs at 48 kHz but adds nothing above the source's band).
 */
export async function openDenoiser(name: string, ds: Dataset, ctx: DenoiserContext): Promise<OpenDenoiser> {
  const log = ctx.log;
  if (name === 'rnnoise') {
    const r = await Rnnoise.open();
    return { run: async (x) => r.process(x), rate: RNNOISE_RATE, back: true, release: async () => undefined };
  }
  if (name.endsWith('.onnx')) {
    if (!fs.existsSync(name)) throw new Error(`${name}: denoiser model not found`);
    const e = await OnnxWaveformEnhancer.open(name, log);
    return { run: (x) => e.process(x), rate: MODEL_RATE, release: () => e.release() };
  }
  if (name === 'dtln') {
    const d = await Dtln.open(log);
    return { run: (x) => d.process(x), rate: MODEL_RATE, release: () => d.release() };
  }
  if (name === 'gtcrn') {
    const g = await Gtcrn.open(log);
    return { run: (x) => g.process(x), rate: MODEL_RATE, release: () => g.release() };
  }
  if (name === 'gate-nonstationary' || name === 'wiener') {
    const mode = name === 'wiener' ? 'wiener' : 'gate';
    return { run: (x, _source, rate) => adaptiveGate(x, { rate, mode }), release: async () => undefined };
  }
  if (name === 'gate') {
    const profiles = new SourceNoiseProfiles(log);
    return { run: async (x, source, rate) => spectralGate(x, await profiles.get(ds, source, rate, ctx.ffmpeg)), release: async () => undefined };
  }
  return { release: async () => undefined };
}

/**
 * Noise profiles for spectral gating, one per source, from the source's own noise and noEnergy segments (up to 10 s,
 * the Audacity way without picking by hand). Undefined when a source has none: the gate then profiles each clip's
 * quietest frames.
 */
class SourceNoiseProfiles {
  private readonly cache = new Map<string, Promise<NoiseProfile | undefined>>();

  constructor(private readonly log: (m: string) => void) {}

  get(ds: Dataset, source: string, rate: number, paths: FfmpegPaths): Promise<NoiseProfile | undefined> {
    const key = `${source}@${rate}`;
    if (!this.cache.has(key)) this.cache.set(key, this.load(ds, source, rate, paths).catch((e) => void this.log(`gate: ${source}: ${errorMessage(e)}`)));
    return this.cache.get(key)!;
  }

  private async load(ds: Dataset, source: string, rate: number, paths: FfmpegPaths): Promise<NoiseProfile | undefined> {
    const src = ds.readSources().find((r) => r.id === source);
    if (!src || !fs.existsSync(ds.segmentsCsv(source))) return undefined;
    const spans = parseSegmentCsv(fs.readFileSync(ds.segmentsCsv(source), 'utf8')).filter((s) => s.label === 'noise' || s.label === 'noEnergy');
    const parts: Float32Array[] = [];
    let total = 0;
    for (const s of spans) {
      if (total >= 10) break;
      const dur = Math.min(s.stop - s.start, 10 - total);
      const x = await collect(decodeMono(src.path, { sampleRate: rate, paths, inputArgs: ['-ss', String(s.start), '-t', String(dur)] }));
      // digital silence tells nothing about the noise floor
      if (x.some((v) => v !== 0)) {
        parts.push(x);
        total += dur;
      }
    }
    if (total < 0.5) {
      this.log(`gate: ${source}: no noise or noEnergy segments with sound; each clip is profiled from its quietest frames`);
      return undefined;
    }
    this.log(`gate: ${source}: noise profile from ${total.toFixed(1)} s of its noise/noEnergy segments`);
    return noiseProfile(concatSamples(parts));
  }
}

import { decodeMono, probe, type FfmpegPaths } from '../audio/ffmpeg';
import { INA_RATE } from '../features/inaFrontEnd';
import { formatSegmentCsv } from '../formats/segmentTable';
import { SpeakerEncoder } from '../models/speakerEncoder';
import { genderByEncoder, loadGenderModel } from '../segmentation/genderByEncoder';
import { segmentStream, type Segment } from '../segmentation/inaSegmenter';
import { PatchClassifier } from '../segmentation/patchClassifier';
import { SileroVad, segmentSilero } from '../segmentation/sileroVad';
import { writeFileAtomic } from '../util/atomic';
import type { SegmentOptions } from './segment';

/** One file to segment, and where its energy track and segment table go. */
export interface SegmentSourceRequest {
  file: string;
  energyFile: string;
  csvFile: string;
}

/** What the source's row and the stage's summary need of it. */
export interface SegmentSourceReply {
  duration: number;
  sampleRate: number;
  channels: number;
  segments: Segment[];
}

/** The models of a segmentation, opened once per stage (or per worker process), then one file after another. */
export interface SourceSegmenter {
  segment(req: SegmentSourceRequest, run?: { signal?: AbortSignal; onFraction?: (f: number) => void }): Promise<SegmentSourceReply>;
  release(): Promise<void>;
}

export async function openSourceSegmenter(opts: SegmentOptions, env: { log: (m: string) => void; ffmpeg: FfmpegPaths }): Promise<SourceSegmenter> {
  const genderModel = opts.gender && opts.genderMethod === 'encoder' ? loadGenderModel() : undefined;
  const classifier = opts.engine === 'silero' ? undefined : await PatchClassifier.open(env.log);
  const encoder = genderModel ? await SpeakerEncoder.open(genderModel.encoder, env.log) : undefined;
  return {
    async release() {
      await classifier?.release();
      await encoder?.release();
    },
    async segment({ file, energyFile, csvFile }, run = {}) {
      const info = await probe(file, env.ffmpeg);
      const audio = decodeMono(file, { sampleRate: INA_RATE, signal: run.signal, paths: env.ffmpeg });
      const segOpts = {
        ...opts,
        gender: opts.gender && !genderModel,
        signal: run.signal,
        onProgress: (sec: number) => info.duration > 0 && run.onFraction?.(Math.min(1, sec / info.duration)),
      };
      const result = classifier ? await segmentStream(audio, classifier, segOpts) : await withSilero(env.log, (vad) => segmentSilero(audio, vad, segOpts));
      if (encoder && genderModel) result.segments = await genderByEncoder(file, result.segments, encoder, genderModel, { signal: run.signal, paths: env.ffmpeg });
      await writeFileAtomic(energyFile, new Uint8Array(result.energy.buffer, result.energy.byteOffset, result.energy.byteLength));
      await writeFileAtomic(csvFile, formatSegmentCsv(result.segments));
      return { duration: result.duration, sampleRate: info.sampleRate, channels: info.channels, segments: result.segments };
    },
  };
}

/** Silero is stateful: one instance per file, so parallel jobs never share its recurrent state. */
async function withSilero<T>(log: (m: string) => void, fn: (vad: SileroVad) => Promise<T>): Promise<T> {
  const vad = await SileroVad.open(log);
  try {
    return await fn(vad);
  } finally {
    await vad.release();
  }
}

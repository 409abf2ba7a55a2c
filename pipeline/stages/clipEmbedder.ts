import * as fs from 'node:fs';
import { collect, decodeMono, type FfmpegPaths } from '../audio/ffmpeg';
import { readClip } from '../audio/readClip';
import { SpeakerEncoder } from '../models/speakerEncoder';
import { ProcessPool } from '../util/processPool';
import type { StageContext } from './types';

/** `file` or `file@start-end` (seconds): a whole recording or a span of it. */
export async function embedSpec(spec: string, enc: SpeakerEncoder, paths?: FfmpegPaths): Promise<Float32Array> {
  const m = /^(.*)@([\d.]+)-([\d.]+)$/.exec(spec);
  const file = m ? m[1] : spec;
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  const x = m
    ? await collect(decodeMono(file, { sampleRate: enc.sampleRate, paths, inputArgs: ['-ss', m[2], '-t', String(Number(m[3]) - Number(m[2]))] }))
    : await readClip(file, enc.sampleRate, paths);
  if (x.length < enc.sampleRate * 0.5) throw new Error(`${spec}: under 0.5 s of audio, too short to enrol or score`);
  return enc.embed(x);
}

/** Speaker embeddings of clips (or `file@start-end` spans), for score and split. */
export interface ClipEmbedder {
  embed(spec: string): Promise<Float32Array>;
  release(): Promise<void>;
  /** worker processes embedding, 0 when in this process */
  workers: number;
}

/** Fewer clips than this are embedded in-process: a worker's start (its encoder session) costs about a few clips' work. */
const MIN_CLIPS_FOR_WORKERS = 8;

/** What a speaker worker is started with, and what it is asked. */
export interface SpeakerWorkerData {
  model: string | undefined;
  ffmpeg: FfmpegPaths;
}

/**
 * The encoder in this process, or with --jobs > 1 and enough clips in that many worker processes with one-thread
 * sessions: `session.run` is synchronous on Node's main thread, so clips embedded concurrently in one process queue
 * behind each other and the second core idles.
 */
export async function openClipEmbedder(model: string | undefined, ctx: StageContext, clips: number): Promise<ClipEmbedder> {
  const workers = ctx.jobs > 1 && clips >= MIN_CLIPS_FOR_WORKERS ? Math.min(ctx.jobs, clips) : 0;
  if (!workers) {
    const enc = await SpeakerEncoder.open(model, ctx.log);
    return { embed: (spec) => embedSpec(spec, enc, ctx.ffmpeg), release: () => enc.release(), workers };
  }
  const pool = await ProcessPool.start<string, number[]>('speakerWorker', __dirname, workers, { model, ffmpeg: ctx.ffmpeg } satisfies SpeakerWorkerData, ctx.log, ctx.signal);
  // an embedding crosses the IPC channel as JSON numbers: float32 -> double -> float32 is exact
  return { embed: async (spec) => Float32Array.from(await pool.run(spec)), release: () => pool.close(), workers };
}

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import type { FfmpegPaths } from '../audio/ffmpeg';
import { readClip } from '../audio/readClip';
import { resampleSinc } from '../audio/resample';
import { loadRealFft } from '../features/realFft';
import { RICH_NAMES, richFeature } from '../features/richFeature';
import { seedFeature } from '../features/seedFeature';
import { readManifest } from '../models/modelPaths';
import { SpeakerEncoder } from '../models/speakerEncoder';
import { sha256File } from '../util/hash';
import { forEachLimit } from '../util/pool';
import { FeatureCache } from './featureCache';

export type FeatureKind = 'seed' | 'rich';
export const FEATURE_KINDS: FeatureKind[] = ['seed', 'rich'];
/** Tone features are defined on 16 kHz mono, whatever the clip's own rate. */
export const TONE_RATE = 16000;
/** Bumped whenever a feature's definition changes, so cached vectors of the old one are never reused. */
const VERSION: Record<FeatureKind, number> = { seed: 1, rich: 1 };

const EMBEDDING_NAMES = Array.from({ length: 256 }, (_, i) => `voice_${i}`);

export function featureSpec(kind: FeatureKind): { kind: FeatureKind; version: number; sampleRate: number; dims: number; names: string[] } {
  const names = kind === 'seed' ? RICH_NAMES.slice(0, 180) : [...RICH_NAMES, ...EMBEDDING_NAMES];
  return { kind, version: VERSION[kind], sampleRate: TONE_RATE, dims: names.length, names };
}

/**
 * Computes one kind of tone feature. `rich` adds the shipped voice encoder's embedding (tone_color_se, fed the same
 * 16 kHz audio resampled to its rate): it carries how a voice is produced, which shifts with arousal and valence.
 */
export class ToneFeatureExtractor {
  private constructor(readonly kind: FeatureKind, private readonly encoder?: SpeakerEncoder) {}

  static async open(kind: FeatureKind, log?: (m: string) => void, threads?: number): Promise<ToneFeatureExtractor> {
    await loadRealFft();
    return new ToneFeatureExtractor(kind, kind === 'rich' ? await SpeakerEncoder.open(undefined, log, threads) : undefined);
  }

  async compute(x: Float32Array): Promise<Float64Array> {
    if (this.kind === 'seed') return seedFeature(x, TONE_RATE);
    const hand = richFeature(x, TONE_RATE);
    const emb = await this.encoder!.embed(resampleSinc(x, TONE_RATE, this.encoder!.sampleRate));
    const out = new Float64Array(hand.length + emb.length);
    out.set(hand);
    out.set(emb, hand.length);
    return out;
  }

  async release(): Promise<void> {
    await this.encoder?.release();
  }
}

/** A clip as 16 kHz mono, long enough to describe. */
export async function readToneAudio(file: string, paths?: FfmpegPaths): Promise<Float32Array> {
  const x = await readClip(file, TONE_RATE, paths);
  if (x.length < TONE_RATE * 0.1) throw new Error(`${file}: under 0.1 s of audio, too short for tone features`);
  return x;
}

export function defaultFeatureCache(): string {
  return process.env.SDS_FEATURE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'sds', 'tone-features');
}

/** Below this many clips to compute, starting worker processes costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 16;

/**
 * Features for many files, cached by content hash (the same audio under another name or folder is not computed
 * again; featureCache.ts), each vector stored as it is made so an interrupted run resumes. With
 * `jobs` > 1 the clips are read and described by that many worker processes (featureWorker.ts), each with its own
 * one-thread ONNX session: the features are plain JS and the encoder runs synchronously, so one thread would use
 * one core whatever `jobs` says.
 */
export async function extractFeatures(files: string[], kind: FeatureKind, opts: {
  cacheDir?: string; jobs?: number; paths?: FfmpegPaths; signal?: AbortSignal; log?: (m: string) => void;
  onFile?: (file: string, index: number) => void; onError?: (file: string, error: unknown) => void;
}): Promise<Map<string, Float64Array>> {
  const cache = FeatureCache.open(opts.cacheDir ?? defaultFeatureCache(), kind, VERSION[kind], featureSpec(kind).dims);
  const out = new Map<string, Float64Array>();
  const hashes = new Map<string, string>();
  const todo: { file: string; index: number }[] = [];
  await forEachLimit(files, 4, async (file, index) => {
    try {
      const hash = await sha256File(file);
      hashes.set(file, hash);
      const v = cache.get(hash);
      if (v) {
        out.set(file, Float64Array.from(v));
        opts.onFile?.(file, index);
      } else todo.push({ file, index });
    } catch (e) {
      opts.onError?.(file, e);
      opts.onFile?.(file, index);
    }
  });
  todo.sort((a, b) => a.index - b.index);
  const done: Done = async (file, index, v, error) => {
    if (v) {
      cache.add(hashes.get(file)!, v);
      out.set(file, Float64Array.from(v));
    } else opts.onError?.(file, error);
    opts.onFile?.(file, index);
  };
  try {
    await computeMissing(todo, kind, opts, done);
  } finally {
    cache.close();
  }
  return out;
}

type ExtractOptions = Parameters<typeof extractFeatures>[2];
type Done = (file: string, index: number, v: number[] | undefined, error?: unknown) => Promise<void>;

/** The clips not in the cache: in `jobs` worker processes, or in-process for a few. */
async function computeMissing(todo: { file: string; index: number }[], kind: FeatureKind, opts: ExtractOptions, done: Done): Promise<void> {
  const jobs = Math.max(1, opts.jobs ?? 2);
  if (jobs > 1 && todo.length >= MIN_FILES_FOR_WORKERS) {
    if (kind === 'rich') readManifest('tone_color_se'); // a missing model is named here, as its own error type
    return inWorkers(todo, kind, jobs, opts, done);
  }
  let extractor: Promise<ToneFeatureExtractor> | undefined;
  try {
    for (const { file, index } of todo) {
      opts.signal?.throwIfAborted();
      try {
        extractor ??= ToneFeatureExtractor.open(kind, opts.log);
        const v = Array.from(await (await extractor).compute(await readToneAudio(file, opts.paths)), (n) => Math.fround(n));
        await done(file, index, v);
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        await done(file, index, undefined, e);
      }
    }
  } finally {
    await (await extractor)?.release();
  }
}

/**
 * A feature worker: a child process running the bundle beside this one in dist/, or, run from the sources (tests,
 * bench), the TypeScript beside this module through tsx. A process rather than a thread so that its V8 can run with
 * single-threaded garbage collection: each clip allocates megabytes of typed arrays, which starts a major GC every
 * few clips, and V8's helper threads for those cost a quarter of two cores' time next to two busy workers.
 */
function startWorker(data: { kind: FeatureKind; ffmpeg?: FfmpegPaths }): ChildProcess {
  const ts = path.join(__dirname, 'featureWorker.ts');
  const fromSource = __filename.endsWith('.ts') && fs.existsSync(ts);
  return fork(fromSource ? ts : path.join(__dirname, 'featureWorker.js'), [], {
    execArgv: [...(fromSource ? ['--import', 'tsx'] : []), '--single-threaded-gc'],
    env: { ...process.env, [WORKER_DATA_ENV]: JSON.stringify(data) },
    // stdout is the host process's JSON-RPC channel: nothing of the worker's may reach it
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

/** Ends a worker and waits until it has gone (at once when it has, or never started). */
async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await gone;
}

async function inWorkers(todo: { file: string; index: number }[], kind: FeatureKind, jobs: number, opts: ExtractOptions, done: Done): Promise<void> {
  const workers = Array.from({ length: Math.min(jobs, todo.length) }, () => startWorker({ kind, ffmpeg: opts.paths }));
  let next = 0;
  const abort = () => workers.forEach((w) => stopWorker(w));
  opts.signal?.addEventListener('abort', abort, { once: true });
  try {
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      let current: { file: string; index: number } | undefined;
      let settled = false;
      const finish = (e?: unknown) => {
        if (settled) return;
        settled = true;
        if (e === undefined) resolve();
        else reject(e);
      };
      const feed = () => {
        if (opts.signal?.aborted) return finish(opts.signal.reason);
        current = todo[next++];
        if (!current) return finish();
        w.send(current.file);
      };
      w.on('message', (m: FeatureWorkerReply) => {
        if (m.kind === 'log') return opts.log?.(m.message);
        if (m.kind === 'ready') return feed();
        if (m.kind === 'failed') return finish(new Error(m.message));
        const it = current!;
        done(it.file, it.index, m.kind === 'vector' ? m.vector : undefined, m.kind === 'error' ? new Error(m.message) : undefined).then(feed, finish);
      });
      w.on('error', finish);
      // before its work is done (once done, stopWorker ends it and this changes nothing)
      w.on('exit', (code) => finish(opts.signal?.aborted ? opts.signal.reason : new Error(`tone feature worker stopped (exit ${code})`)));
    })));
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    await Promise.all(workers.map(stopWorker));
  }
}

/** The environment variable a feature worker finds its settings in. */
export const WORKER_DATA_ENV = 'SDS_FEATURE_WORKER';

/** What a feature worker sends back. */
export type FeatureWorkerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string } // could not start: no extractor
  | { kind: 'log'; message: string }
  | { kind: 'vector'; vector: number[] }
  | { kind: 'error'; message: string };

import * as fs from 'node:fs';
import * as path from 'node:path';
import { probe } from '../audio/ffmpeg';
import { Dataset, expandInputs } from '../dataset';
import type { Row } from '../formats/csvTable';
import { readManifest } from '../models/modelPaths';
import { DEFAULT_GENDER_THRESHOLD_HZ } from '../segmentation/gender';
import { loadGenderModel } from '../segmentation/genderByEncoder';
import { cleanStaleTemps } from '../util/atomic';
import { ProcessPool } from '../util/processPool';
import { openSourceSegmenter, type SegmentSourceReply, type SegmentSourceRequest, type SourceSegmenter } from './segmentSource';
import type { Engine } from '../segmentation/inaSegmenter';
import { hashJson } from '../util/hash';
import { forEachEntry } from './forEachEntry';
import { namingFile, type StageContext, type StageReport } from './types';

export const GENDER_METHODS = ['encoder', 'pitch'] as const;
export type GenderMethod = (typeof GENDER_METHODS)[number];
/** what a stage reads of a source: the recording itself, or the vocals stem `sds separate` wrote */
export const AUDIO_OF = ['mixture', 'vocals'] as const;

export interface SegmentOptions {
  engine: Engine;
  gender: boolean;
  /** encoder: speaker-encoder embeddings + the project's classifier (accurate); pitch: median-free pitch Viterbi (fastest). */
  genderMethod: GenderMethod;
  /** analyse the original mixture (default) or the vocals stem `sds separate` wrote; times are the same */
  on?: 'mixture' | 'vocals';
  /** the CNN on every n-th patch where the class holds and on no quiet window it need not see (default 8; 1: every patch, as it comes): for the bench and eval's side by side */
  cnnStride?: number;
}

export const DEFAULT_SEGMENT: SegmentOptions = { engine: 'smn', gender: true, genderMethod: 'encoder' };

/** The audio a stage reads for a source: the file itself, or its separated vocals stem. */
export function audioOf(src: Record<string, string>, on: (typeof AUDIO_OF)[number] | undefined): string {
  if (on !== 'vocals') return src.path;
  if (!src.vocals || !fs.existsSync(src.vocals)) throw new Error(`${src.path}: no vocals stem yet (run sds separate first)`);
  return src.vocals;
}

/** Bumped whenever the algorithm changes what it writes, so reruns redo files segmented by older code. */
const ALGORITHM_VERSION = 1;

/** What decides a segmentation besides the audio: the options, the models' sha256 and the algorithm's version. */
export function segmentKey(opts: SegmentOptions): string {
  const model = readManifest(opts.engine === 'silero' ? 'silero_vad' : 'ina_speech_music_noise');
  const genderModel = opts.gender && opts.genderMethod === 'encoder' ? loadGenderModel() : undefined;
  return hashJson({ ...opts, model: model.sha256, v: ALGORITHM_VERSION, gender: genderModel ?? DEFAULT_GENDER_THRESHOLD_HZ });
}

/** Fewer files than this are segmented in-process, where one file gets the sessions' threads (and its progress). */
const MIN_FILES_FOR_WORKERS = 4;

/**
 * The models in this process, or with --jobs > 1 and several files in that many worker processes with one-thread
 * sessions: the front end, pitch and Viterbi are JavaScript on one thread and `session.run` holds it, so files
 * segmented concurrently in one process queue behind each other. Worker files report no progress within a file.
 */
async function openSegmenter(opts: SegmentOptions, ctx: StageContext, files: number): Promise<SourceSegmenter & { workers: number }> {
  const workers = ctx.jobs > 1 && files >= MIN_FILES_FOR_WORKERS && opts.engine !== 'silero' ? Math.min(ctx.jobs, files) : 0;
  if (!workers) return { ...(await openSourceSegmenter(opts, ctx)), workers };
  const pool = await ProcessPool.start<SegmentSourceRequest, SegmentSourceReply>('segmentWorker', __dirname, workers, { opts, ffmpeg: ctx.ffmpeg }, ctx.log, ctx.signal);
  return { segment: (req) => pool.run(req), release: () => pool.close(), workers };
}

/** Labels every input with speech (male/female), music, noise, noEnergy; one CSV per source. */
export async function runSegment(inputs: string[], outDir: string, opts: SegmentOptions, ctx: StageContext): Promise<StageReport> {
  const ds = new Dataset(outDir, ctx.rows);
  cleanStaleTemps(outDir);
  const { files, missing, bad, loops } = expandInputs(inputs, outDir);
  const report: StageReport = { stage: 'segment', processed: 0, skipped: 0, failed: [...missing.map((f) => ({ file: f, error: 'no such file or folder' })), ...bad], summary: [], warnings: loops };
  if (!files.length) return report;
  const sources = await ds.register(files, (file, e) => report.failed.push({ file, error: namingFile(file, e) }));
  if (!sources.length) return report;
  const configKey = segmentKey(opts);
  const todo = sources.filter((s) => !ds.isDone('segment', s.id, `${s.sha256}:${configKey}`));
  report.skipped = sources.length - todo.length;
  for (const s of sources) if (!todo.includes(s)) ctx.progress({ kind: 'file-done', file: s.path, skipped: true });
  // sources.csv is read-modify-written once a file is done (not at the end: a killed run keeps what it learnt)
  let writing = Promise.resolve();
  const saveSource = (src: Row) => {
    writing = writing.catch(() => undefined).then(() => ds.writeSources(ds.readSources().map((r) => (r.id === src.id ? src : r))));
    return writing;
  };
  // segmented before the durations were written per file (a run killed by an older version): probe them now
  for (const s of sources.filter((x) => !todo.includes(x) && !x.duration && opts.on !== 'vocals')) {
    try {
      const info = await probe(s.path, ctx.ffmpeg);
      Object.assign(s, { duration: Number.isFinite(info.duration) ? info.duration.toFixed(3) : '', sample_rate: String(info.sampleRate), channels: String(info.channels) });
      await saveSource(s);
    } catch {
      /* the file changed since: its next segmentation says why */
    }
  }
  if (!todo.length) return report;

  const segmenter = await openSegmenter(opts, ctx, todo.length);
  const totals = new Map<string, number>();
  try {
    await forEachEntry({
      entries: todo, jobs: ctx.jobs, name: (src) => src.path, source: (src) => src.id,
      marker: { ds, stage: 'segment', of: (src) => ({ id: src.id, key: `${src.sha256}:${configKey}` }) },
      process: async (src) => {
        const req = { file: audioOf(src, opts.on), energyFile: ds.energyFile(src.id), csvFile: ds.segmentsCsv(src.id) };
        const r = await segmenter.segment(req, { signal: ctx.signal, onFraction: (fraction) => ctx.progress({ kind: 'file-progress', file: src.path, fraction }) });
        // the source's own format, not the stem's (times are the same either way)
        if (opts.on !== 'vocals') {
          Object.assign(src, { duration: r.duration.toFixed(3), sample_rate: String(r.sampleRate), channels: String(r.channels) });
          await saveSource(src);
        }
        for (const seg of r.segments) totals.set(seg.label, (totals.get(seg.label) ?? 0) + seg.stop - seg.start);
        return { detail: path.relative(outDir, ds.segmentsCsv(src.id)) };
      },
    }, report, ctx);
  } finally {
    await segmenter.release();
    await writing;
  }
  report.summary = [...[...totals].map(([label, sec]) => `${label}: ${sec.toFixed(1)} s`), ...(segmenter.workers ? [`${report.processed} files segmented in ${segmenter.workers} worker processes`] : [])];
  return report;
}

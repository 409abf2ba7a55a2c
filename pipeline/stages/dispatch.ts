import { runClean } from './clean';
import { runCleanSources } from './cleanSources';
import { runExport, type ExportFormat, type ExportOptions } from './export';
import { EXPORT_FORMATS, namesOf } from './engines';
import { cleanOptions, type CleanOptions } from './cleanOptions';
import { DEFAULT_LINT, lintDataset, lintReport, type LintOptions } from './lint';
import { DEFAULT_SEGMENT, runSegment, type SegmentOptions } from './segment';
import { checkRequest } from './registry';
import { runDiarize, type DiarizeStageOptions } from './diarize';
import { enrollSpeaker, scoreSpeaker, splitSpeakers } from './speaker';
import { runSlice } from './slice';
import { runSeparate, type SeparateOptions } from './separate';
import { runIngest, type IngestOptions } from './ingest';
import { writeSideFiles, type SideFileExt } from './sideFiles';
import { runTranscribe, type TranscribeStageOptions } from './transcribe';
import { DEFAULT_CLASSIFY, DEFAULT_TONE, runToneBenchmark, runToneClassify, runToneSelftrain, runToneTrain, type ToneBenchmarkOptions, type ToneClassifyOptions, type ToneSelftrainOptions, type ToneTrainOptions } from './tone';
import { DEFAULT_SLICE, type SliceOptions } from './slicePlan';
import { fetchModel, installModelFile } from '../models/registry';
import type { StageContext, StageReport } from './types';
import { OptionError } from '../errors';
import { lockDataset } from '../util/datasetLock';
import { SEGMENT_LABELS } from '../formats/segmentTable';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One request shape for every way of running a stage: the host's JSON-RPC, the CLI, tests. */
export type StageRequest =
  | { stage: 'segment'; inputs: string[]; out: string; options?: Partial<SegmentOptions> }
  | { stage: 'slice'; out: string; options?: Partial<SliceOptions>; sources?: string[] }
  | { stage: 'run'; inputs: string[]; out: string; options?: Partial<SegmentOptions & SliceOptions> }
  | { stage: 'clean'; out: string; preset?: string; options?: Partial<CleanOptions>; only?: string[]; /** whole sources instead of clips: true for all, or source ids */ sources?: boolean | string[] }
  | { stage: 'lint'; out: string; options?: Partial<LintOptions>; strict?: boolean }
  | { stage: 'export'; out: string; options: Partial<ExportOptions> & { format: ExportFormat } }
  | { stage: 'speaker-enroll'; out: string; name: string; inputs: string[]; auto?: boolean }
  | { stage: 'speaker-score'; out: string; ref: string; minSim?: number; auto?: boolean }
  | { stage: 'speaker-split'; out: string; speakers?: number; minSim?: number }
  | { stage: 'diarize'; inputs: string[]; out: string; options?: DiarizeStageOptions }
  | { stage: 'side-files'; out: string; exts?: SideFileExt[] }
  | { stage: 'models-fetch'; name: string }
  | { stage: 'models-install'; name: string; file: string }
  | { stage: 'separate'; out: string; inputs: string[]; options: Partial<SeparateOptions> }
  | { stage: 'ingest'; out: string; options: Partial<IngestOptions> }
  | { stage: 'transcribe'; out: string; options: TranscribeStageOptions }
  | { stage: 'tone-train'; options: Partial<ToneTrainOptions> & { data: string[]; out: string } }
  | { stage: 'tone-benchmark'; options: Partial<ToneBenchmarkOptions> & { model: string; data: string[] } }
  | { stage: 'tone-classify'; out: string; options: Partial<ToneClassifyOptions> & { model: string } }
  | { stage: 'tone-selftrain'; options: Partial<ToneSelftrainOptions> & { model: string; data: string[]; pool: string[] } };


/** A request checked and ready: the dataset it writes (locked while it runs), and the work. */
interface Prepared {
  /** the dataset folder this request writes; undefined for requests that write none (lint, models, tone training) */
  writes?: string;
  run: () => Promise<StageReport[]>;
}

/**
 * Runs one request: every option is checked first (an OptionError, nothing written), then the dataset it writes is
 * locked for the whole run, so two writers never interleave their rewrites of sources.csv or clips.csv.
 */
export async function runStage(req: StageRequest, ctx: StageContext): Promise<StageReport[]> {
  const job = prepare(req, ctx);
  if (!job.writes) return job.run();
  const lock = await lockDataset(job.writes, ctx.command ?? req.stage, { wait: ctx.wait, signal: ctx.signal, log: ctx.log,
    onWait: (holder) => ctx.progress({ kind: 'waiting', detail: `waiting for ${holder} to finish` }) });
  try {
    const reports = await job.run();
    if (lock.tookOver && reports[0]) reports[0].summary.push(`took over the dataset lock of "${lock.tookOver.command}" (pid ${lock.tookOver.pid}), which had stopped`);
    return reports;
  } finally {
    lock.release();
  }
}

function prepare(req: StageRequest, ctx: StageContext): Prepared {
  // inputs that become sources must lie outside the dataset; others (a clip to enrol as a speaker) may be in it
  const registers = ['segment', 'run', 'separate', 'diarize'].includes(req.stage) && 'inputs' in req ? req.inputs : [];
  const dataset = (out: string, run: () => Promise<StageReport[]>): Prepared => ({ writes: checkOut(out, registers), run });
  switch (req.stage) {
    case 'segment': {
      const o = segOpts(req.options);
      return dataset(req.out, async () => [await runSegment(req.inputs, req.out, o, ctx)]);
    }
    case 'slice': {
      const o = sliceOpts(req.options);
      return dataset(req.out, async () => [await runSlice(req.out, o, ctx, req.sources)]);
    }
    case 'run': {
      const seg = segOpts(req.options);
      const slice = sliceOpts(req.options);
      return dataset(req.out, async () => {
        const s = await runSegment(req.inputs, req.out, seg, ctx);
        return [s, await runSlice(req.out, slice, ctx)];
      });
    }
    case 'clean': {
      const o = cleanOptions(req.preset, req.options);
      checkRequest('clean', { ...o, loudness: Number.isFinite(o.loudness) ? o.loudness : undefined });
      if (req.sources) return dataset(req.out, async () => [await runCleanSources(req.out, o, ctx, Array.isArray(req.sources) ? req.sources : undefined)]);
      return dataset(req.out, async () => [await runClean(req.out, o, ctx, req.only)]);
    }
    case 'lint': {
      const opts = { ...DEFAULT_LINT, ...defined(req.options ?? {}) };
      return { run: async () => [lintReport(req.out, lintDataset(req.out, opts), !!req.strict)] };
    }
    case 'export': {
      const o = req.options;
      checkRequest('export', o);
      if (!o.format) throw new OptionError(`--format: give one of ${namesOf(EXPORT_FORMATS).join(', ')}`);
      const split = o.split ?? [1];
      if (split.length > 3 || split.some((f) => !(f >= 0)) || !(split.reduce((a, b) => a + b, 0) > 0)) throw new OptionError(`--split wants up to three fractions >= 0 that add up to more than 0, got ${split.join(',')}`);
      return dataset(req.out, async () => [await runExport(req.out, { format: o.format, to: o.to, split, by: o.by ?? 'speaker', where: o.where })]);
    }
    case 'speaker-enroll':
      return dataset(req.out, async () => [await enrollSpeaker(req.out, req.name, req.inputs, ctx, req.auto)]);
    case 'speaker-score':
      checkRequest('speaker score', { minSim: req.minSim });
      return dataset(req.out, async () => [await scoreSpeaker(req.out, req.ref, { minSim: req.minSim, auto: req.auto }, ctx)]);
    case 'speaker-split':
      if (req.speakers !== undefined && !(Number.isInteger(req.speakers) && req.speakers >= 1)) throw new OptionError(`--speakers must be a whole number >= 1 or auto, got ${req.speakers}`);
      return dataset(req.out, async () => [await splitSpeakers(req.out, { speakers: req.speakers, minSim: req.minSim }, ctx)]);
    case 'diarize': {
      const o = defined(req.options ?? {});
      checkRequest('diarize', { window: o.window, hop: o.hop });
      if (o.speakers !== undefined && !(Number.isInteger(o.speakers) && o.speakers >= 1)) throw new OptionError(`--speakers must be a whole number >= 1 or auto, got ${o.speakers}`);
      const run = async () => [await runDiarize(req.inputs, req.out, o, ctx)];
      // one .rttm file is a result, not a dataset
      return /\.rttm$/i.test(req.out) ? { run } : dataset(req.out, run);
    }
    case 'models-fetch':
      return { run: async () => [{ stage: 'models fetch', processed: 1, skipped: 0, failed: [], summary: [`${req.name}: ${await fetchModel(req.name, { log: ctx.log })}`] }] };
    case 'models-install':
      return { run: async () => [{ stage: 'models install', processed: 1, skipped: 0, failed: [], summary: [`${req.name}: ${await installModelFile(req.name, req.file)}`] }] };
    case 'separate': {
      const stems = req.options.stems?.length ? req.options.stems : ['vocals' as const];
      checkRequest('separate', { stems });
      return dataset(req.out, async () => [await runSeparate(req.out, req.inputs, { model: req.options.model ?? 'auto', stems }, ctx)]);
    }
    case 'ingest': {
      const o: IngestOptions = { urls: [], urlLists: [], feeds: [], files: [], ...defined(req.options) };
      if (!o.urls.length && !o.urlLists.length && !o.feeds.length && !o.files.length) throw new OptionError('ingest needs URLs, --urls <list>, --rss <feed> or files');
      checkRequest('ingest', { via: o.via, limit: o.limit });
      if (o.since !== undefined && Number.isNaN(new Date(o.since).getTime())) throw new OptionError(`--since: cannot read the date "${o.since}" (e.g. 2024-01-31)`);
      return { writes: checkOut(req.out, o.files), run: async () => [await runIngest(req.out, o, ctx)] };
    }
    case 'transcribe': {
      const o = defined(req.options) as TranscribeStageOptions;
      checkRequest('transcribe', o);
      return dataset(req.out, async () => [await runTranscribe(req.out, o, ctx)]);
    }
    case 'side-files': {
      const exts = req.exts?.length ? req.exts : ['txt' as const];
      checkRequest('side-files', { ext: exts });
      return dataset(req.out, async () => [await writeSideFiles(req.out, exts)]);
    }
    case 'tone-train': {
      const o = { ...DEFAULT_TONE, ...defined(req.options) } as ToneTrainOptions;
      checkRequest('tone train', { ...o, ...o.training });
      if (!/\.onnx$/i.test(o.out)) throw new OptionError(`tone train --out must name an .onnx file, got ${o.out}`);
      return { run: async () => [await runToneTrain(o, ctx)] };
    }
    case 'tone-benchmark':
      checkRequest('tone benchmark', req.options);
      return { run: async () => [await runToneBenchmark({ bySpeaker: false, folds: 4, ...defined(req.options) } as ToneBenchmarkOptions, ctx)] };
    case 'tone-classify': {
      const o = { ...DEFAULT_CLASSIFY, ...defined(req.options), out: req.out } as ToneClassifyOptions;
      checkRequest('tone classify', o);
      return dataset(req.out, async () => [await runToneClassify(o, ctx)]);
    }
    case 'tone-selftrain': {
      checkRequest('tone selftrain', req.options);
      const o = { threshold: 0.9, folds: 4, ...defined(req.options) } as ToneSelftrainOptions;
      o.out ??= o.model.replace(/\.onnx$/i, '') + '-selftrained.onnx';
      return { run: async () => [await runToneSelftrain(o, ctx)] };
    }
    default:
      throw new OptionError(`unknown stage ${(req as { stage: string }).stage}`);
  }
}

/**
 * The dataset folder of a writing request, refused when it is an existing file or would mix outputs with inputs
 * (the folder being one of the inputs, or an input inside it other than its own sources/).
 */
function checkOut(out: string, inputs: string[]): string {
  const abs = path.resolve(out);
  if (fs.existsSync(abs) && !fs.statSync(abs).isDirectory()) throw new OptionError(`--out ${out} is a file, not a folder: give the dataset folder (it is created when missing)`);
  for (const input of inputs) {
    const a = path.resolve(input);
    if (a === abs) throw new OptionError(`--out ${out} is also an input: the dataset would be written among the originals; give another folder (e.g. ${out.replace(/[\\/]+$/, '')}-dataset)`);
    if (a.startsWith(abs + path.sep) && !a.startsWith(path.join(abs, 'sources') + path.sep) && a !== path.join(abs, 'sources')) {
      throw new OptionError(`input ${input} is inside the dataset folder ${out} (its outputs are never inputs; only its sources/ are)`);
    }
  }
  return out;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function segOpts(o: Partial<SegmentOptions> = {}): SegmentOptions {
  checkRequest('segment', o);
  const engine = o.engine ?? DEFAULT_SEGMENT.engine;
  const genderMethod = o.genderMethod ?? DEFAULT_SEGMENT.genderMethod;
  return { engine, gender: o.gender ?? DEFAULT_SEGMENT.gender, genderMethod, ...(o.on === 'vocals' ? { on: 'vocals' as const } : {}) };
}

function sliceOpts(o: Partial<SliceOptions> = {}): SliceOptions {
  const r = { ...DEFAULT_SLICE, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as SliceOptions;
  // labels name folders under clips/: the registry allows only the segment table's own label set
  checkRequest('slice', r);
  if (r.max < r.min) throw new OptionError(`--min ${r.min} / --max ${r.max}: the shortest clip cannot be longer than the longest`);
  if (!r.labels.length) throw new OptionError(`--labels: give at least one of ${SEGMENT_LABELS.join(', ')}`);
  return r;
}

import { runClean } from './clean';
import { runCleanSources } from './cleanSources';
import { runExport, type ExportFormat, type ExportOptions } from './export';
import { cleanOptions, type CleanOptions } from './cleanOptions';
import { DEFAULT_LINT, lintDataset, lintReport, type LintOptions } from './lint';
import { runSegment, type SegmentOptions } from './segment';
import { runDiarize, type DiarizeStageOptions } from './diarize';
import { enrollSpeaker, scoreSpeaker, splitSpeakers } from './speaker';
import { runSlice } from './slice';
import { runSeparate, type SeparateOptions } from './separate';
import { runIngest, type IngestOptions } from './ingest';
import { writeSideFiles, type SideFileExt } from './sideFiles';
import { runTranscribe, type TranscribeStageOptions } from './transcribe';
import { DEFAULT_TONE, runToneBenchmark, runToneClassify, runToneSelftrain, runToneTrain, type ToneBenchmarkOptions, type ToneClassifyOptions, type ToneSelftrainOptions, type ToneTrainOptions } from './tone';
import { DEFAULT_SLICE, type SliceOptions } from './slicePlan';
import { fetchModel, installModelFile } from '../models/registry';
import { CORPORA, type Corpus } from '../tone/corpusLabels';
import { FEATURE_KINDS } from '../tone/toneFeatures';
import type { StageContext, StageReport } from './types';

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

export const DEFAULT_SEGMENT: SegmentOptions = { engine: 'smn', gender: true, genderMethod: 'encoder' };

export async function runStage(req: StageRequest, ctx: StageContext): Promise<StageReport[]> {
  switch (req.stage) {
    case 'segment':
      return [await runSegment(req.inputs, req.out, segOpts(req.options), ctx)];
    case 'slice':
      return [await runSlice(req.out, sliceOpts(req.options), ctx, req.sources)];
    case 'run': {
      const seg = await runSegment(req.inputs, req.out, segOpts(req.options), ctx);
      return [seg, await runSlice(req.out, sliceOpts(req.options), ctx)];
    }
    case 'clean':
      if (req.sources) return [await runCleanSources(req.out, cleanOptions(req.preset, req.options), ctx, Array.isArray(req.sources) ? req.sources : undefined)];
      return [await runClean(req.out, cleanOptions(req.preset, req.options), ctx, req.only)];
    case 'lint': {
      const opts = { ...DEFAULT_LINT, ...Object.fromEntries(Object.entries(req.options ?? {}).filter(([, v]) => v !== undefined)) };
      return [lintReport(req.out, lintDataset(req.out, opts), !!req.strict)];
    }
    case 'export': {
      const o = req.options;
      if (!['ljspeech', 'hf-audiofolder', 'nemo', 'kaldi'].includes(o.format)) throw new Error(`unknown export format "${o.format}" (use ljspeech, hf-audiofolder, nemo or kaldi)`);
      const split = o.split ?? [1];
      if (split.length > 3 || split.some((f) => !(f >= 0)) || !(split.reduce((a, b) => a + b, 0) > 0)) throw new Error(`--split wants up to three fractions, got ${split.join(',')}`);
      return [await runExport(req.out, { format: o.format, to: o.to, split, by: o.by ?? 'speaker', where: o.where })];
    }
    case 'speaker-enroll':
      return [await enrollSpeaker(req.out, req.name, req.inputs, ctx, req.auto)];
    case 'speaker-score':
      return [await scoreSpeaker(req.out, req.ref, { minSim: req.minSim, auto: req.auto }, ctx)];
    case 'speaker-split':
      return [await splitSpeakers(req.out, { speakers: req.speakers, minSim: req.minSim }, ctx)];
    case 'diarize': {
      const o = defined(req.options ?? {});
      if (o.window !== undefined && !(o.window >= 0.5)) throw new Error(`--window must be at least 0.5 s, got ${o.window}`);
      if (o.hop !== undefined && !(o.hop > 0)) throw new Error(`--hop must be above 0, got ${o.hop}`);
      return [await runDiarize(req.inputs, req.out, o, ctx)];
    }
    case 'models-fetch':
      return [{ stage: 'models fetch', processed: 1, skipped: 0, failed: [], summary: [`${req.name}: ${await fetchModel(req.name, { log: ctx.log })}`] }];
    case 'models-install':
      return [{ stage: 'models install', processed: 1, skipped: 0, failed: [], summary: [`${req.name}: ${await installModelFile(req.name, req.file)}`] }];
    case 'separate': {
      const stems = req.options.stems?.length ? req.options.stems : ['vocals' as const];
      const bad = stems.filter((x) => x !== 'vocals' && x !== 'accompaniment');
      if (bad.length) throw new Error(`--stems: vocals and/or accompaniment, not ${bad.join(', ')}`);
      return [await runSeparate(req.out, req.inputs, { model: req.options.model ?? 'auto', stems }, ctx)];
    }
    case 'ingest': {
      const o: IngestOptions = { urls: [], urlLists: [], feeds: [], files: [], ...defined(req.options) };
      if (!o.urls.length && !o.urlLists.length && !o.feeds.length && !o.files.length) throw new Error('ingest needs URLs, --urls <list>, --rss <feed> or files');
      if (o.via !== undefined && !['auto', 'yt-dlp', 'http'].includes(o.via)) throw new Error(`--via must be auto, yt-dlp or http, got ${o.via}`);
      return [await runIngest(req.out, o, ctx)];
    }
    case 'transcribe': {
      const o = defined(req.options) as TranscribeStageOptions;
      if (o.beam !== undefined && !(Number.isInteger(o.beam) && o.beam >= 1 && o.beam <= 16)) throw new Error(`--beam must be 1-16, got ${o.beam}`);
      return [await runTranscribe(req.out, o, ctx)];
    }
    case 'side-files': {
      const exts = req.exts?.length ? req.exts : ['txt' as const];
      const bad = exts.filter((e) => e !== 'txt' && e !== 'lab');
      if (bad.length) throw new Error(`side files are .txt or .lab, not ${bad.join(', ')}`);
      return [await writeSideFiles(req.out, exts)];
    }
    case 'tone-train': {
      const o = { ...DEFAULT_TONE, ...defined(req.options) } as ToneTrainOptions;
      if (!FEATURE_KINDS.includes(o.features)) throw new Error(`unknown tone feature "${o.features}" (use ${FEATURE_KINDS.join(' or ')})`);
      checkCorpus(o.corpus);
      if (!['speaker', 'global'].includes(o.normalise)) throw new Error(`unknown normalisation "${o.normalise}" (use speaker or global)`);
      if (!/\.onnx$/i.test(o.out)) throw new Error(`tone train --out must name an .onnx file, got ${o.out}`);
      return [await runToneTrain(o, ctx)];
    }
    case 'tone-benchmark':
      checkCorpus(req.options.corpus);
      return [await runToneBenchmark({ bySpeaker: false, folds: 4, ...defined(req.options) } as ToneBenchmarkOptions, ctx)];
    case 'tone-classify': {
      const o = { minProb: 0, place: 'link', ...defined(req.options), out: req.out } as ToneClassifyOptions;
      if (!['link', 'copy', 'none'].includes(o.place)) throw new Error(`--place must be link, copy or none, got ${o.place}`);
      return [await runToneClassify(o, ctx)];
    }
    case 'tone-selftrain': {
      checkCorpus(req.options.corpus);
      const o = { threshold: 0.9, folds: 4, ...defined(req.options) } as ToneSelftrainOptions;
      o.out ??= o.model.replace(/\.onnx$/i, '') + '-selftrained.onnx';
      return [await runToneSelftrain(o, ctx)];
    }
    default:
      throw new Error(`unknown stage ${(req as { stage: string }).stage}`);
  }
}

function checkCorpus(corpus: string | undefined): void {
  if (corpus !== undefined && !CORPORA.includes(corpus as Corpus)) throw new Error(`unknown corpus "${corpus}" (use ${CORPORA.join(', ')})`);
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function segOpts(o: Partial<SegmentOptions> = {}): SegmentOptions {
  const engine = o.engine ?? DEFAULT_SEGMENT.engine;
  if (!['smn', 'sm', 'silero'].includes(engine)) throw new Error(`unknown engine "${engine}" (use smn, sm or silero)`);
  const genderMethod = o.genderMethod ?? DEFAULT_SEGMENT.genderMethod;
  if (genderMethod !== 'encoder' && genderMethod !== 'pitch') throw new Error(`unknown gender method "${genderMethod}" (use encoder or pitch)`);
  if (o.on !== undefined && o.on !== 'mixture' && o.on !== 'vocals') throw new Error(`--on must be mixture or vocals, got ${o.on}`);
  return { engine, gender: o.gender ?? DEFAULT_SEGMENT.gender, genderMethod, ...(o.on === 'vocals' ? { on: 'vocals' as const } : {}) };
}

function sliceOpts(o: Partial<SliceOptions> = {}): SliceOptions {
  const r = { ...DEFAULT_SLICE, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as SliceOptions;
  if (!(r.min >= 0) || !(r.max > 0) || r.max < r.min) throw new Error(`invalid clip durations: min ${r.min} s, max ${r.max} s`);
  if (!(r.pad >= 0) || !(r.mergeGap >= 0)) throw new Error(`invalid pad ${r.pad} or merge gap ${r.mergeGap}`);
  return r;
}

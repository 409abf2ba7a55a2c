import type { Shard } from '../plan/shard';
import type { CleanOptions } from './cleanOptions';
import type { DiarizeStageOptions } from './diarize';
import type { ExportFormat, ExportOptions } from './export';
import type { IngestOptions } from './ingest';
import type { LintOptions } from './lint';
import type { SegmentOptions } from './segment';
import type { SeparateOptions } from './separate';
import type { SideFileExt } from './sideFiles';
import type { SliceOptions } from './slicePlan';
import type { ToneBenchmarkOptions, ToneClassifyOptions, ToneSelftrainOptions, ToneTrainOptions } from './tone';
import type { TranscribeStageOptions } from './transcribe';
import type { StageReport } from './types';

/** One request shape for every way of running a stage: the host's JSON-RPC, the CLI, tests. */
export type StageRequest =
  | { stage: 'segment'; inputs: string[]; out: string; options?: Partial<SegmentOptions> }
  | { stage: 'slice'; out: string; options?: Partial<SliceOptions>; sources?: string[] }
  | { stage: 'run'; inputs: string[]; out: string; options?: Partial<SegmentOptions & SliceOptions> }
  /** the pipeline sds.json declares (`sds run --config`); dryRun: its plan only */
  | { stage: 'pipeline'; file: string; dryRun?: boolean; /** only these source ids */ sources?: string[]; /** this share of the sources, as row files (docs/scale.md) */ shard?: Shard; /** the per-source stages as jobs on this Redis */ queue?: string; attempts?: number }
  /** `sds worker`: jobs of the queued stages on this Redis until stopped */
  | { stage: 'worker'; queue: string; concurrency?: number; stages?: string[]; stallSeconds?: number; /** model session threads */ threads?: number }
  | { stage: 'cancel'; queue: string }
  /** folds the shards' row files into the tables, then runs the rest of the pipeline (`file`: its sds.json) */
  | { stage: 'merge'; out: string; file?: string }
  | { stage: 'status'; file: string; queue?: string }
  | { stage: 'report'; out: string }
  | { stage: 'init'; dir: string; preset?: string; inputs?: string[]; dataset?: string; force?: boolean }
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
export interface Prepared {
  /** the dataset folder this request writes; undefined for requests that write none (lint, models, tone training) */
  writes?: string;
  run: () => Promise<StageReport[]>;
}

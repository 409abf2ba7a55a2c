import type { Dataset } from '../dataset';
import type { Row } from '../formats/csvTable';
import type { StageRequest } from '../stages/requests';

// What a command declares to take part in a pipeline (sds.json): what it reads of each source, what it writes, and
// what else decides its results. The planner (plan.ts) hashes these; the stage itself never sees them.

/** One source as a stage sees it: its sources.csv row and its clips.csv rows. */
export interface SourceView {
  ds: Dataset;
  src: Row;
  clips: Row[];
}

/** What a stage reads: files (content-hashed) and values (hashed as JSON: table cells, a source's sha256). */
export interface Reads {
  files?: string[];
  values?: unknown;
}

export interface PipelineStep<R extends StageRequest = StageRequest> {
  /** stages that must come before this one when both are declared: slice after segment */
  after?: string[];
  /**
   * `source`: worked on per source, each redone only when what it reads of that source changed; `dataset`: once for
   * the whole dataset (export, lint), redone when anything it reads changed; `always`: every run (ingest looks for new
   * episodes; its own records skip what it has).
   */
  scope: 'source' | 'dataset' | 'always';
  /**
   * its positional inputs: `sources`, the pipeline's sources (sds.json's inputs, or the dataset's sources/ once an
   * ingest stage brought them in); `inputs`, sds.json's inputs themselves (ingest); `own`, the stage's own `inputs`
   * (the reference recordings of speaker-enroll)
   */
  takes?: 'sources' | 'inputs' | 'own';
  /** per source (scope `source`) or of the whole dataset (scope `dataset`: `views` holds every source) */
  reads?: (views: SourceView[], req: R, ds: Dataset) => Reads;
  /** files the stage leaves for a source: one missing means it runs again */
  writes?: (view: SourceView, req: R) => (string | undefined)[];
  /** the model's sha256, the algorithm's version: when it changes, every source is redone */
  algorithm?: (req: R) => unknown;
  /**
   * Per source, but what it makes of one source depends on the others (speaker-score's automatic threshold is
   * Otsu's cut over every clip): never shared out to shards or queue workers (docs/scale.md); it runs in one process
   * after them, as a dataset-wide stage does.
   */
  together?: (req: R) => boolean;
}

/** Whether shards and queue workers can run this stage, each on its own sources. */
export const shareable = (s: { def: { pipeline: PipelineStep }; req: StageRequest }) => s.def.pipeline.scope === 'source' && !s.def.pipeline.together?.(s.req);

/** A clip's audio as later stages read it: its cleaned file when there is one. */
export const clipAudio = (vs: SourceView[]) => vs.flatMap((v) => v.clips.map((r) => `${v.ds.dir}/${r.clean_path || r.path}`));
/** A clip's raw cut, wherever speaker score moved it. */
export const clipFiles = (vs: SourceView[]) => vs.flatMap((v) => v.clips.map((r) => `${v.ds.dir}/${r.path}`));

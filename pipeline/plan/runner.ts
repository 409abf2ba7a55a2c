import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, expandInputs } from '../dataset';
import { clipsBySource, type Row } from '../formats/csvTable';
import type { StageRequest } from '../stages/requests';
import { errorMessage, type StageContext, type StageReport } from '../stages/types';
import { writeReport } from '../report/reportPage';
import { lockDataset } from '../util/datasetLock';
import { hashJson } from '../util/hash';
import { sourceInputs, type ConfiguredStage, type PipelineConfig } from './config';
import { FileHashes } from './fileHashes';
import { foldRows } from './fold';
import { foldRecords, readRowFiles, REGISTER_SEQ, updateRowFile, type RowScope } from './rowFiles';
import { planRun, planStage, REASON_TEXT, type PlanRow, type Reason, type StagePlanInput } from './plan';
import { pipelineDir, readState, writeState, type PipelineState } from './state';
import { shareable, type SourceView } from './step';

/**
 * Runs a pipeline (sds.json) stage after stage through the registry, never through its own CLI. Before each stage the
 * plan says which sources it has to redo (plan.ts); the stage then works on those only (StageContext.sources), and
 * what it read of each is recorded (state.ts). A source that fails in one stage is left out of every later one; the
 * dataset lock is held from the first stage to the last.
 */

export interface PipelineRun {
  reports: StageReport[];
  /** per stage, the plan it ran by (the whole plan up front for a dry run) */
  plan: PlanRow[][];
}

export interface RunOptions {
  dryRun?: boolean;
  /** only these source ids (the dataset-wide stages still run) */
  only?: string[];
  /**
   * A share of the work beside others (a shard, a queue's worker): the per-source stages on the sources `has` takes,
   * each source's rows and records written to row files (rowFiles.ts) instead of the tables and the state, no lock.
   * The stages from the first dataset-wide one on are left to `sds merge` or the coordinator.
   */
  share?: { has: (source: string) => boolean };
  /** only these stages (keys): a queue's job runs one, its coordinator those before and after the queued ones */
  stages?: ReadonlySet<string>;
  /** no report.html at the end (a coordinator's run of the stages before the queued ones) */
  noReport?: boolean;
}

export async function runPipeline(cfg: PipelineConfig, ctx: StageContext, o: RunOptions = {}): Promise<PipelineRun> {
  // every stage's request is checked before the first one runs
  const stageCtx: StageContext = { ...ctx };
  const prepared = cfg.stages.map((s) => s.def.run!.prepare(s.req, stageCtx));
  if (o.dryRun) return { reports: [], plan: await dryRun(cfg, new Dataset(cfg.dataset)) };
  const share = o.share;
  const lock = share ? undefined : await lockDataset(cfg.dataset, ctx.command ?? 'sds run', { wait: ctx.wait, signal: ctx.signal, log: ctx.log,
    onWait: (holder) => ctx.progress({ kind: 'waiting', detail: `waiting for ${holder} to finish` }) });
  const reports: StageReport[] = [];
  const plan: PlanRow[][] = [];
  try {
    // what shards or workers left is folded in first: the tables this run reads are then whole
    const folded = share ? { files: 0, sources: 0 } : await foldRows(cfg.dataset);
    if (folded.files) reports.push({ stage: 'merge', processed: folded.sources, skipped: 0, failed: [], summary: [`folded ${folded.files} row files of ${folded.sources} sources into the tables`] });
    // a share also knows what other shares and its own earlier jobs recorded, not yet folded
    const state = share ? sharedState(cfg.dataset) : readState(cfg.dataset);
    const hashes = new FileHashes(path.join(pipelineDir(cfg.dataset), 'hashes.json'));
    const held = new Set<string>();
    // a share registers its sources as row files too (every share gives a new source the same id)
    const register = new Dataset(cfg.dataset, share && { stage: 'register', seq: REGISTER_SEQ, has: share.has });
    let perSource = false;
    for (const [i, s] of cfg.stages.entries()) {
      ctx.signal?.throwIfAborted();
      const scope: RowScope | undefined = share && { stage: s.key.replace(/#/g, '-'), seq: i, has: share.has };
      if (o.stages && !o.stages.has(s.key)) continue;
      if (share) {
        if (!shareable(s)) {
          reports.push({ stage: s.stage, processed: 0, skipped: 0, failed: [], summary: [perSource ? 'left to sds merge (a dataset-wide stage, or one that looks across sources, and every stage after it, runs once the shares are in)' : 'left to a run without a share (it writes the tables itself)'] });
          if (perSource) break;
          continue;
        }
        perSource = true;
      }
      const ds = new Dataset(cfg.dataset, scope);
      stageCtx.rows = scope;
      const sources = await pipelineSources(cfg, register, true);
      const input = await planInput(s, ds, views(ds, sources), hashes);
      const rows = planStage(input, state.stages[s.key], { pending: new Set(), failed: held });
      plan.push(rows);
      const todo = rows.filter((r) => r.todo && (!o.only || r.source === '*' || o.only.includes(r.source)));
      const leftOut = rows.filter((r) => r.todo).length - todo.length;
      const said = reasons(rows) + (leftOut ? `; ${leftOut} of them left for another run (--sources)` : '');
      ctx.progress({ kind: 'stage', stage: s.stage, index: i, total: cfg.stages.length, todo: todo.length, detail: said });
      if (!todo.length) {
        reports.push({ stage: s.stage, processed: 0, skipped: rows.length, failed: [], summary: [said] });
        continue;
      }
      stageCtx.sources = s.def.pipeline.scope === 'source' ? new Set(todo.map((r) => r.source)) : undefined;
      let stageReports: StageReport[];
      const t0 = Date.now();
      try {
        stageReports = await prepared[i].run();
      } catch (e) {
        if (ctx.signal?.aborted) throw e;
        // the stage as a whole could not run: every source it had to do failed there
        stageReports = [{ stage: s.stage, processed: 0, skipped: 0, failed: [{ file: s.stage, error: errorMessage(e) }], summary: [] }];
      }
      const failed = failedSources(stageReports, sources);
      // a failure of the stage as a whole (slice: "no segmented sources in sources.csv") is every planned source's
      const whole = stageReports.flatMap((x) => x.failed).find((f) => [s.stage, ds.sourcesCsv, ds.clipsCsv].includes(f.file));
      if (whole) for (const r of todo) if (r.source !== '*' && !failed.has(r.source)) failed.set(r.source, whole.error);
      const record = (state.stages[s.key] = { options: input.options, algorithm: input.algorithm, sources: s.def.pipeline.scope === 'source' ? { ...state.stages[s.key]?.sources } : {} });
      const fpOf = new Map(input.sources.map((x) => [x.id, x.fp]));
      for (const r of todo) {
        const why = failed.get(r.source) ?? (r.source === '*' && stageReports.some((x) => x.failed.length) ? stageReports.flatMap((x) => x.failed)[0].error : undefined);
        record.sources[r.source] = why ? { failed: why } : { in: fpOf.get(r.source)! };
        if (why && r.source !== '*') held.add(r.source);
        // a share's record travels with the source's rows, for the fold to set into the state
        if (scope) await updateRowFile(cfg.dataset, scope, r.source, { record: { key: s.key, options: input.options, algorithm: input.algorithm, entry: record.sources[r.source] } });
      }
      for (const rep of stageReports) rep.summary.push(said);
      stageReports[0].seconds = (Date.now() - t0) / 1000;
      reports.push(...stageReports);
      if (share) continue;
      await writeState(cfg.dataset, state);
      await hashes.save();
    }
    // the report at the end, rewritten only when what it shows changed
    if (!share && !o.noReport) {
      const t0 = Date.now();
      reports.push({ ...(await writeReport(cfg.dataset)), seconds: (Date.now() - t0) / 1000 });
    }
  } finally {
    lock?.release();
  }
  if (lock?.tookOver && reports[0]) reports[0].summary.push(`took over the dataset lock of "${lock.tookOver.command}" (pid ${lock.tookOver.pid}), which had stopped`);
  return { reports, plan };
}

/** The plan of every stage as things are on disk now, nothing run and nothing written (`sds run --dry-run`). */
async function dryRun(cfg: PipelineConfig, ds: Dataset): Promise<PlanRow[][]> {
  const hashes = new FileHashes(path.join(pipelineDir(cfg.dataset), 'hashes.json'));
  const sources = await pipelineSources(cfg, ds, false);
  const inputs: StagePlanInput[] = [];
  const all = views(ds, sources);
  for (const s of cfg.stages) inputs.push(await planInput(s, ds, all, hashes));
  return planRun(inputs, sharedState(cfg.dataset).stages);
}

/** The pipeline state with the records of row files not yet folded over it (what shards and workers did). */
export function sharedState(dataset: string): PipelineState {
  const state = readState(dataset);
  foldRecords(state.stages, readRowFiles(dataset));
  return state;
}

/** `sds status`: the dry run's plan, read as each stage's state per source. */
export const pipelineStatus = dryRun;

/**
 * The sources the pipeline works on: the recordings its inputs name (or those ingest brought into sources/), with
 * their sources.csv rows. `register` gives new ones their ids (a real run); a dry run lists them as new.
 */
async function pipelineSources(cfg: PipelineConfig, ds: Dataset, register: boolean): Promise<Row[]> {
  const hasIngest = cfg.stages.some((s) => s.def.pipeline.takes === 'inputs');
  const files = expandInputs(sourceInputs(cfg.dataset, cfg.inputs, hasIngest), cfg.dataset).files;
  if (register) return ds.register(files, () => undefined); // an unreadable file is named by the stage that reads it
  const known = new Map(ds.readSources().map((r) => [r.path, r]));
  return files.map((f) => known.get(f) ?? { id: `(new) ${path.basename(f)}`, path: f, sha256: '' });
}

function views(ds: Dataset, sources: Row[]): SourceView[] {
  const clips = clipsBySource(ds.readClips());
  return sources.map((src) => ({ ds, src, clips: clips.get(src.id) ?? [] }));
}

/** What the plan needs of one stage: its keys, and each source's fingerprint of what the stage reads of it now. */
async function planInput(s: ConfiguredStage, ds: Dataset, all: SourceView[], hashes: FileHashes): Promise<StagePlanInput> {
  const step = s.def.pipeline;
  const fp = async (vs: SourceView[]) => {
    const r = step.reads?.(vs, s.req, ds) ?? {};
    const files: string[] = [];
    for (const f of r.files ?? []) files.push(await hashes.of(f));
    return hashJson({ files, values: r.values ?? null });
  };
  const written = (v: SourceView) => (step.writes?.(v, s.req) ?? []).every((f) => !!f && fs.existsSync(f));
  const sources = step.scope === 'source'
    ? await Promise.all(all.map(async (v) => ({ id: v.src.id, fp: await fp([v]), outputs: written(v) })))
    : [{ id: '*', fp: step.scope === 'dataset' ? await fp(all) : '', outputs: all.every(written) }];
  return { key: s.key, scope: step.scope, first: s.first, options: optionsKey(s.req), algorithm: algorithmKey(s), sources };
}

/** What decides a stage's results besides its options and inputs: its model's sha256, its algorithm's version. */
export const algorithmKey = (s: ConfiguredStage) => hashJson(s.def.pipeline.algorithm?.(s.req) ?? null);

/** A request's options as they decide results: not the dataset folder, nor the list of inputs (sources are per source). */
export function optionsKey(req: StageRequest): string {
  const { out: _out, inputs: _inputs, ...rest } = req as unknown as Record<string, unknown>;
  return hashJson(rest);
}

/** Which sources failed in a stage, with the error: the source its failed entry names, or the recording it names. */
function failedSources(reports: StageReport[], sources: Row[]): Map<string, string> {
  const out = new Map<string, string>();
  const byPath = new Map(sources.map((s) => [path.resolve(s.path), s.id]));
  for (const f of reports.flatMap((r) => r.failed)) {
    const id = f.source ?? byPath.get(path.resolve(f.file));
    if (id && !out.has(id)) out.set(id, f.error);
  }
  return out;
}

/** `3 to do (2 new input, 1 changed option); 47 up to date` */
export function reasons(rows: PlanRow[]): string {
  const count = new Map<Reason, number>();
  for (const r of rows) count.set(r.reason, (count.get(r.reason) ?? 0) + 1);
  const todo = rows.filter((r) => r.todo).length;
  const why = [...count].filter(([k]) => k !== 'up-to-date' && k !== 'upstream-failed').map(([k, n]) => `${n} ${REASON_TEXT[k]}`).join(', ');
  const wide = rows.length === 1 && rows[0].source === '*';
  const unit = (n: number) => (wide ? '' : ` source${n === 1 ? '' : 's'}`);
  return [todo ? `${wide ? 'to do' : `${todo}${unit(todo)} to do`} (${why})` : '', count.get('up-to-date') ? `${wide ? 'up to date' : `${count.get('up-to-date')}${unit(count.get('up-to-date')!)} up to date`}` : '',
    count.get('upstream-failed') ? `${count.get('upstream-failed')}${unit(count.get('upstream-failed')!)} skipped (failed in an earlier stage)` : ''].filter(Boolean).join('; ');
}

/** Registers the pipeline's sources in sources.csv (the queue's coordinator, before it plans and enqueues). */
export const registerSources = (cfg: PipelineConfig): Promise<Row[]> => pipelineSources(cfg, new Dataset(cfg.dataset), true);

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../dataset';
import { OptionError } from '../errors';
import { isUrl } from '../ingest/urlList';
import { readPipelineFile, checkPipeline, type PipelineConfig, type PipelineFile } from '../plan/config';
import { formatPlan, formatStatus } from '../plan/planText';
import { DEFAULT_CONFIG, DEFAULT_PIPELINE_PRESET, PIPELINE_PRESETS } from '../plan/presets';
import { rowsDir } from '../plan/rowFiles';
import { runPipeline, pipelineStatus } from '../plan/runner';
import { inShard, parseShard, shardFromEnv, type Shard } from '../plan/shard';
import { pipelineDir } from '../plan/state';
import { runQueued } from '../queue/coordinator';
import { cancelQueue, queueStatus } from '../queue/queueStatus';
import { connectionOf } from '../queue/redis';
import { runWorker } from '../queue/worker';
import { writeReport } from '../report/reportPage';
import { writeFileAtomic } from '../util/atomic';
import { bool, checkOut, defined, defineCommand, n, need, pipelineStages, runs, s, stage, strs, WORKSPACE_SETTINGS, writing } from './commandKit';
import { SEGMENT_OPTIONS, SLICE_OPTIONS, segmentAndSlice } from './datasetCommands';
import { choice, flag, int, list, pathOpt, repeat, text, type OptionValue } from './optionKinds';
import type { StageContext, StageReport } from './types';

// The commands of the pipeline as a whole: `init` writes sds.json, `run` runs it (or segment + slice of files given
// on the line), `status` says where each stage stands per source. docs/pipeline.md describes the file.

defineCommand({
  cli: 'init', summary: 'writes sds.json: the dataset folder, its inputs and a preset\'s stages with their options, to edit and then `sds run`',
  synopsis: '[<dir>] [--preset NAME] [--input <files, folders, URLs>...]', out: 'none',
  options: {
    preset: choice(Object.keys(PIPELINE_PRESETS), 'the pipeline to start from', { default: DEFAULT_PIPELINE_PRESET, descriptions: Object.values(PIPELINE_PRESETS).map((p) => p.description) }),
    input: repeat('a recording, folder, URL list or feed the pipeline reads (default: the folder itself)', { placeholder: '<path>' }),
    dataset: pathOpt('the dataset folder, relative to sds.json', { default: WORKSPACE_SETTINGS.outputFolder.default }),
    force: flag('replace an existing sds.json'),
  },
  build: (o, args) => {
    need(args.length <= 1, `init takes one folder (where sds.json goes), got ${args.join(' ')}`);
    return stage({ stage: 'init', dir: args[0] ?? '.', preset: s(o.preset), inputs: strs(o.input), dataset: s(o.dataset), force: bool(o.force) });
  },
  run: runs('init', (req) => ({ run: async () => [await writePipelineFile(req)] })),
});

/** `sds run`'s pipeline file: --config, or ./sds.json when no recordings are given; its stages' options are its own. */
function configOf(o: Record<string, OptionValue>, args: string[]): string | undefined {
  const file = s(o.config) ?? (args.length ? undefined : DEFAULT_CONFIG);
  need(!(o.config && args.length), 'run: give --config or recordings, not both');
  const given = Object.keys({ ...SEGMENT_OPTIONS, ...SLICE_OPTIONS }).filter((k) => o[k] !== undefined);
  need(!file || !given.length, `run --config: the stages' options come from ${file} (edit it), not from --${given[0]}`);
  return file;
}

defineCommand({
  cli: 'run', summary: 'the pipeline sds.json declares, each stage only where what it reads or its options changed; or segment + slice of the files given',
  synopsis: '[--config sds.json] [--dry-run] | <files or folders...> --out <dir>', out: 'optional',
  options: {
    config: pathOpt('the pipeline file (default: ./sds.json when no recordings are given)', { placeholder: 'sds.json' }),
    'dry-run': flag('print the plan (stage x source: to do, and why), like make -n; run nothing'),
    sources: list('only these source ids (the dataset-wide stages still run)', { placeholder: '<ids>' }),
    queue: text('enqueue the per-source stages as BullMQ jobs on this Redis (redis://host:6379/0) for `sds worker`s, fold their rows, then run the rest here', { placeholder: 'redis://...' }),
    attempts: int('tries of a queued job before it fails with its error', { default: 3, min: 1 }),
    shard: text('run share i of n of the sources (0/3, 1/3, 2/3) beside the other shares, up to the first dataset-wide stage; `sds merge` then folds them in. Default in a Slurm array or a Kubernetes Indexed Job: its task\'s share', { placeholder: 'i/n' }),
    ...SEGMENT_OPTIONS, ...SLICE_OPTIONS,
  },
  build: (o, args, out) => {
    const file = configOf(o, args);
    need(!((o.shard || o.queue) && !file), `--${o.shard ? 'shard' : 'queue'} splits a pipeline (--config sds.json), not a run of files on the command line`);
    need(!(o.shard && o.queue), '--shard or --queue: a share of the sources, or all of them through a queue, not both');
    if (file) return stage({ stage: 'pipeline', file, ...defined({ dryRun: bool(o['dry-run']), sources: strs(o.sources), queue: s(o.queue), attempts: n(o.attempts),
      shard: o.shard ? parseShard(s(o.shard)!) : o.queue ? undefined : shardFromEnv() }) });
    need(out, 'run <files> needs --out <dir> (or a pipeline: --config sds.json)');
    return stage({ stage: 'run', inputs: args, out, options: segmentAndSlice(o) });
  },
  run: runs('pipeline', (req, ctx) => {
    const cfg = readPipelineFile(req.file);
    if (req.shard && !req.dryRun) return { run: () => runShard(cfg, req.shard!, ctx, req.sources) };
    if (req.queue && !req.dryRun) {
      need(!req.sources, '--queue takes every source the plan finds to do; --sources is for a run in one process');
      const url = req.queue;
      connectionOf(url);
      return { run: () => runQueued(cfg, ctx, { url, attempts: req.attempts ?? 3 }) };
    }
    if (!req.dryRun) return { run: async () => (await runPipeline(cfg, ctx, { only: req.sources })).reports };
    return { run: async () => [planReport(cfg, formatPlan(cfg, (await runPipeline(cfg, ctx, { dryRun: true })).plan))] };
  }),
  // `sds run <files> --out <dir>`: the pipeline of segment and slice, with the line's options
  alsoRuns: [runs('run', (req, ctx) => {
    const known = pipelineStages();
    checkOut(req.out, req.inputs);
    const cfg: PipelineConfig = { dataset: req.out, inputs: req.inputs, stages: (['segment', 'slice'] as const).map((name, i) => ({
      stage: name, key: name, def: known.get(name)!, first: i === 0,
      req: name === 'segment' ? { stage: 'segment', inputs: req.inputs, out: req.out, options: req.options } : { stage: 'slice', out: req.out, options: req.options },
    })) };
    return { run: async () => (await runPipeline(cfg, ctx)).reports };
  })],
});

defineCommand({
  cli: 'merge', summary: 'folds what the shards (sds run --shard i/n) wrote into clips.csv and sources.csv, then runs the rest of the pipeline: its dataset-wide stages (lint, export, report) and any stage after them',
  synopsis: '<dir> [--config sds.json]', out: 'positional',
  options: { config: pathOpt('the pipeline file (default: the one the shards ran)', { placeholder: 'sds.json' }) },
  build: (o, _args, out) => stage({ stage: 'merge', out, file: s(o.config) }),
  run: runs('merge', (req, ctx) => ({ run: () => merge(req.out, req.file, ctx) })),
});

defineCommand({
  cli: 'worker', summary: 'takes the queued pipeline jobs (sds run --queue) from Redis and runs them, on any machine that sees the dataset folder, until stopped (Ctrl+C, SIGTERM: the jobs in hand finish)',
  synopsis: '--queue redis://host:6379/0 [--concurrency N] [--stages segment,clean]', out: 'none',
  options: {
    queue: text('the Redis the coordinator enqueued on', { placeholder: 'redis://...' }),
    concurrency: int('jobs at a time in this worker (one per core pays for segmentation and cleaning; start a worker per GPU)', { default: 1, min: 1 }),
    stages: list('only jobs of these stages (default: every per-source stage)', { placeholder: '<stages>' }),
    threads: int('threads of each model session (default: the core count); several workers on one machine: cores / workers each', { min: 1 }),
    'stall-seconds': int('a job\'s lock: a worker that dies mid-job has its job run elsewhere after about this long', { default: 30, min: 2 }),
  },
  build: (o) => {
    need(o.queue, 'worker needs --queue redis://host:6379/0 (the coordinator\'s)');
    return stage({ stage: 'worker', queue: s(o.queue)!, ...defined({ concurrency: n(o.concurrency), stages: strs(o.stages), stallSeconds: n(o['stall-seconds']), threads: n(o.threads) }) });
  },
  run: runs('worker', (req, ctx) => {
    connectionOf(req.queue);
    return { run: () => runWorker({ url: req.queue, concurrency: req.concurrency ?? 1, stages: req.stages, stallSeconds: req.stallSeconds ?? 30, threads: req.threads }, ctx) };
  }),
});

defineCommand({
  cli: 'cancel', summary: 'stops a queued run: jobs not started are dropped, running ones finish, the coordinator folds what finished', synopsis: '--queue redis://host:6379/0', out: 'none',
  options: { queue: text('the Redis of the run', { placeholder: 'redis://...' }) },
  build: (o) => {
    need(o.queue, 'cancel needs --queue redis://host:6379/0');
    return stage({ stage: 'cancel', queue: s(o.queue)! });
  },
  run: runs('cancel', (req) => ({ run: async () => [await cancelQueue(req.queue)] })),
});

defineCommand({
  cli: 'status', summary: 'each stage\'s state per source (done, to do and why, failed), from sds.json and the dataset; with --queue, the queue\'s jobs per stage', synopsis: '[--config sds.json] [--queue redis://...]', out: 'none',
  options: { config: pathOpt('the pipeline file', { default: DEFAULT_CONFIG, placeholder: 'sds.json' }), queue: text('also the jobs waiting, active, done and failed per stage on this Redis', { placeholder: 'redis://...' }) },
  build: (o) => stage({ stage: 'status', file: s(o.config) ?? DEFAULT_CONFIG, queue: s(o.queue) }),
  run: runs('status', (req) => {
    if (req.queue && !fs.existsSync(req.file)) return { run: async () => [await queueStatus(req.queue!)] };
    const cfg = readPipelineFile(req.file);
    if (req.queue) return { run: async () => [planReport(cfg, formatStatus(cfg, await pipelineStatus(cfg, new Dataset(cfg.dataset)))), await queueStatus(req.queue!)] };
    return { run: async () => [planReport(cfg, formatStatus(cfg, await pipelineStatus(cfg, new Dataset(cfg.dataset))))] };
  }),
});

defineCommand({
  cli: 'report', summary: 'report.html in the dataset: hours and clips per label, durations, loudness and SNR before / after cleaning, emotions, speaker similarity, transcripts, sources (sds run writes it at the end)',
  synopsis: '<dir>', out: 'positional', options: {},
  build: (_o, _args, out) => stage({ stage: 'report', out }),
  run: runs('report', (req) => writing(req.out, async () => [await writeReport(req.out)])),
});

/** `sds run --shard i/n`: this share's per-source stages, as row files; the shards' pipeline file is noted for merge. */
async function runShard(cfg: PipelineConfig, shard: Shard, ctx: StageContext, only?: string[]): Promise<StageReport[]> {
  await writeFileAtomic(shardsFile(cfg.dataset), JSON.stringify({ config: path.resolve(cfg.file ?? DEFAULT_CONFIG), count: shard.count }) + '\n');
  const { reports } = await runPipeline(cfg, { ...ctx, command: `sds run --shard ${shard.index}/${shard.count}` }, { only, share: { has: inShard(shard) } });
  reports[0]?.summary.unshift(`shard ${shard.index}/${shard.count}: its rows are in ${path.relative(process.cwd(), rowsDir(cfg.dataset)) || rowsDir(cfg.dataset)} until sds merge ${cfg.dataset}`);
  return reports;
}

const shardsFile = (dataset: string) => path.join(pipelineDir(dataset), 'shards.json');

/** `sds merge`: the pipeline run once more in one process, which folds the row files first and finds the shards' work done. */
async function merge(dir: string, file: string | undefined, ctx: StageContext): Promise<StageReport[]> {
  let config = file;
  if (!config) {
    try {
      config = (JSON.parse(fs.readFileSync(shardsFile(dir), 'utf8')) as { config: string }).config;
    } catch {
      throw new OptionError(`${dir}: no shard has run here (no ${path.relative(dir, shardsFile(dir))}): give the pipeline file with --config`);
    }
  }
  const cfg = readPipelineFile(config);
  need(path.resolve(cfg.dataset) === path.resolve(dir), `${config} builds ${cfg.dataset}, not ${dir}`);
  return (await runPipeline(cfg, { ...ctx, command: `sds merge ${dir}` })).reports;
}

const planReport = (cfg: PipelineConfig, lines: string[]): StageReport => ({ stage: path.basename(cfg.file ?? 'pipeline'), processed: 0, skipped: 0, failed: [], summary: lines, listing: true });

/** `sds init`: a preset as sds.json, checked as `sds run` will read it; an existing file is kept unless --force. */
async function writePipelineFile(req: { dir: string; preset?: string; inputs?: string[]; dataset?: string; force?: boolean }): Promise<StageReport> {
  const name = req.preset ?? DEFAULT_PIPELINE_PRESET;
  const preset = PIPELINE_PRESETS[name];
  if (!preset) throw new OptionError(`--preset: "${name}" is not one of ${Object.keys(PIPELINE_PRESETS).join(', ')}`);
  const dir = path.resolve(req.dir);
  const file = path.join(dir, DEFAULT_CONFIG);
  if (fs.existsSync(file) && !req.force) throw new OptionError(`${file} exists: edit it, or pass --force to replace it`);
  // inputs are given relative to where the command runs, and kept relative to the file
  const rel = (p: string) => (isUrl(p) ? p : path.relative(dir, path.resolve(p)).split(path.sep).join('/') || '.');
  const body: PipelineFile = { description: preset.description, dataset: req.dataset ?? String(WORKSPACE_SETTINGS.outputFolder.default), inputs: (req.inputs?.length ? req.inputs : [dir]).map(rel), stages: preset.stages };
  checkPipeline(body, dir, file);
  await writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n');
  return { stage: 'init', processed: 1, skipped: 0, failed: [], summary: [`${file}: the ${name} pipeline, ${preset.stages.length} stages (${preset.stages.map((x) => x.stage).join(' -> ')})`,
    ...(preset.needs ? [`before sds run, give it ${preset.needs}`] : []), `then: sds run --config ${path.relative(process.cwd(), file) || DEFAULT_CONFIG} [--dry-run]`] };
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../dataset';
import { OptionError } from '../errors';
import { isUrl } from '../ingest/urlList';
import { readPipelineFile, checkPipeline, type PipelineConfig, type PipelineFile } from '../plan/config';
import { formatPlan, formatStatus } from '../plan/planText';
import { DEFAULT_CONFIG, DEFAULT_PIPELINE_PRESET, PIPELINE_PRESETS } from '../plan/presets';
import { runPipeline, pipelineStatus } from '../plan/runner';
import { writeReport } from '../report/reportPage';
import { writeFileAtomic } from '../util/atomic';
import { bool, checkOut, defineCommand, need, pipelineStages, runs, s, stage, strs, WORKSPACE_SETTINGS, writing } from './commandKit';
import { SEGMENT_OPTIONS, SLICE_OPTIONS, segmentAndSlice } from './datasetCommands';
import { choice, flag, list, pathOpt, repeat, type OptionValue } from './optionKinds';
import type { StageReport } from './types';

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
    ...SEGMENT_OPTIONS, ...SLICE_OPTIONS,
  },
  build: (o, args, out) => {
    const file = configOf(o, args);
    if (file) return stage({ stage: 'pipeline', file, dryRun: bool(o['dry-run']), sources: strs(o.sources) });
    need(out, 'run <files> needs --out <dir> (or a pipeline: --config sds.json)');
    return stage({ stage: 'run', inputs: args, out, options: segmentAndSlice(o) });
  },
  run: runs('pipeline', (req, ctx) => {
    const cfg = readPipelineFile(req.file);
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
  cli: 'status', summary: 'each stage\'s state per source (done, to do and why, failed), from sds.json and the dataset', synopsis: '[--config sds.json]', out: 'none',
  options: { config: pathOpt('the pipeline file', { default: DEFAULT_CONFIG, placeholder: 'sds.json' }) },
  build: (o) => stage({ stage: 'status', file: s(o.config) ?? DEFAULT_CONFIG }),
  run: runs('status', (req) => {
    const cfg = readPipelineFile(req.file);
    return { run: async () => [planReport(cfg, formatStatus(cfg, await pipelineStatus(cfg, new Dataset(cfg.dataset))))] };
  }),
});

defineCommand({
  cli: 'report', summary: 'report.html in the dataset: hours and clips per label, durations, loudness and SNR before / after cleaning, emotions, speaker similarity, transcripts, sources (sds run writes it at the end)',
  synopsis: '<dir>', out: 'positional', options: {},
  build: (_o, _args, out) => stage({ stage: 'report', out }),
  run: runs('report', (req) => writing(req.out, async () => [await writeReport(req.out)])),
});

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

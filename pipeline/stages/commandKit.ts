import * as fs from 'node:fs';
import * as path from 'node:path';
import { OptionError } from '../errors';
import { namesOf, type Named } from './engines';
import { camel, checkValue, choice, flag, int, pathOpt, type OptionDef, type OptionValue } from './optionKinds';
import type { PipelineStep } from '../plan/step';
import type { Prepared, StageRequest } from './requests';
import type { StageContext, StageReport } from './types';

// What every command declaration is made of (stages/datasetCommands.ts, stages/analysisCommands.ts), and the one
// table they are registered in; stages/registry.ts loads the declarations and is where the rest of the code asks.

/** What a command line turns into: a stage request, or one of the commands that run no stage. */
export type CommandResult =
  | { kind: 'stage'; req: StageRequest }
  | { kind: 'convert'; input: string; output: string }
  | { kind: 'models'; args: string[]; values: Record<string, string | boolean | string[] | undefined> };

export interface CommandDef {
  /** as typed after `sds`: `slice`, `speaker enroll` */
  cli: string;
  summary: string;
  /** the arguments besides the options, for usage: `<files or folders...> --out <dir>` */
  synopsis: string;
  options: Record<string, OptionDef>;
  /** `required` (the default): a dataset folder; `positional`: the first argument is it (lint); `none`: no dataset; `dot`: optional, default `.`; `optional`: the command says when it needs one */
  out?: 'required' | 'positional' | 'none' | 'dot' | 'optional';
  /** the options VS Code offers as settings `sds.<group>.<option>` (generated into package.json) */
  settings?: { group: string; options: string[] };
  /** the request from the values read by kind, the positionals after the command, and --out */
  build: (o: Record<string, OptionValue>, args: string[], out: string, raw: Record<string, string | boolean | string[] | undefined>) => CommandResult;
  /** how a request of this command is checked and run, whoever built it (CLI, VS Code, a test) */
  run?: StageRun;
  /** requests of other shapes its command lines build (`sds run <files>` besides `sds run --config`) */
  alsoRuns?: StageRun[];
  /** how it takes part in a pipeline (sds.json); commands without one cannot be a pipeline's stage */
  pipeline?: PipelineStep;
}

export interface StageRun {
  request: StageRequest['stage'];
  /** checks the request (an OptionError, nothing written) and says what it writes and the work */
  prepare: (req: StageRequest, ctx: StageContext) => Prepared;
}

/** A command's run, typed by the request it takes. */
export function runs<N extends StageRequest['stage']>(request: N, prepare: (req: Extract<StageRequest, { stage: N }>, ctx: StageContext) => Prepared): StageRun {
  return { request, prepare: prepare as StageRun['prepare'] };
}

/** A command's part in a pipeline, typed by the request it takes. */
export const step = <N extends StageRequest['stage']>(_request: N, s: PipelineStep<Extract<StageRequest, { stage: N }>>): PipelineStep => s as unknown as PipelineStep;

/** Options every command takes (read by the CLI itself, not by a stage). */
export const COMMON_OPTIONS: Record<string, OptionDef> = {
  out: pathOpt('the dataset folder (created when missing)', { short: 'o', placeholder: '<dir>' }),
  jobs: int('files processed in parallel', { short: 'j', default: 'the core count, at most 2', min: 1, placeholder: 'N' }),
  ffmpeg: pathOpt('path to ffmpeg (ffprobe is looked up beside it); default SDS_FFMPEG or ffmpeg on PATH'),
  quiet: flag('no progress or log lines', { short: 'q' }),
  wait: flag('queue behind another command writing the same dataset instead of stopping (exit code 4)'),
  help: flag('this help, or a command\'s own (sds slice --help)', { short: 'h' }),
};

/** Settings of the extension itself (not of one stage), as package.json declares them. */
export const WORKSPACE_SETTINGS: Record<string, Record<string, unknown>> = {
  ffmpegPath: { type: 'string', default: '', description: 'Path to ffmpeg (ffprobe is looked up beside it). Empty: ffmpeg on PATH.', scope: 'machine-overridable' },
  outputFolder: { type: 'string', default: 'sds-dataset', description: 'Dataset folder, relative to the workspace folder unless absolute.' },
  jobs: { type: 'number', default: 0, minimum: 0, description: 'Files processed in parallel by the pipeline host (0: the core count, at most 2).' },
};

const commands = new Map<string, CommandDef>();

/** Adds a command; its options then parse, show in help and are checked with no other edit. */
export function defineCommand(def: CommandDef): CommandDef {
  for (const [name, o] of Object.entries(def.options)) {
    const other = [...commands.values()].map((c) => c.options[name] ?? COMMON_OPTIONS[name]).find(Boolean);
    if (other && (other.kind === 'flag') !== (o.kind === 'flag')) throw new Error(`--${name} of ${def.cli} is a ${o.kind}, elsewhere a ${other.kind}: one flag, one kind`);
  }
  commands.set(def.cli, def);
  return def;
}

export const allCommands = (): CommandDef[] => [...commands.values()];

/** A pipeline stage's name in sds.json: the command with a hyphen for its space (`speaker-score`). */
export const stageName = (def: CommandDef) => def.cli.replace(/ /g, '-');
/** The commands that can be stages of a pipeline, by their sds.json names. */
export const pipelineStages = (): Map<string, CommandDef & { pipeline: PipelineStep }> =>
  new Map(allCommands().filter((c) => c.pipeline).map((c) => [stageName(c), c as CommandDef & { pipeline: PipelineStep }]));

/**
 * The values of a request against the command's declarations, by the request's own field names (`mergeGap` is
 * --merge-gap): one check whoever built the request. Fields no option declares are left to the stage.
 */
export function checkRequest(cli: string, values: object): void {
  const def = commands.get(cli);
  if (!def) throw new Error(`no command ${cli} in the registry`);
  for (const [name, o] of Object.entries(def.options)) {
    const field = camel(name);
    if (field in values) checkValue(name, o, (values as Record<string, unknown>)[field]);
  }
}
export const commandNamed = (cli: string): CommandDef | undefined => commands.get(cli);

/** The run of the command whose requests have this `stage`. */
export function runFor(stage: string): StageRun {
  const run = [...commands.values()].flatMap((c) => [c.run, ...(c.alsoRuns ?? [])]).find((r) => r?.request === stage);
  if (!run) throw new OptionError(`unknown stage ${stage}`);
  return run;
}

export const stage = (req: StageRequest): CommandResult => ({ kind: 'stage', req });
/** A choice among named engines: their names are the values, their lines the descriptions. */
export const pick = (list: readonly Named[], help: string, o: Partial<OptionDef> = {}) => choice(namesOf(list), help, { descriptions: list.map((e) => e.description), ...o });
export const need = (ok: unknown, message: string) => {
  if (!ok) throw new OptionError(message);
};
export const s = (v: OptionValue) => v as string | undefined;
export const n = (v: OptionValue) => v as number | undefined;
export const strs = (v: OptionValue) => v as string[] | undefined;
export const bool = (v: OptionValue) => (v ? true : undefined);
/** `--speakers 3` or `auto` (counted) */
export const speakers = (v: OptionValue) => {
  if (v === undefined || v === 'auto') return undefined;
  const x = Number(v);
  need(Number.isFinite(x), `--speakers expects a number, got "${v}"`);
  return x;
};
/** A request's speaker count, whoever built it: a whole number from 1, or none (counted). */
export const checkSpeakers = (count: number | undefined) =>
  need(count === undefined || (Number.isInteger(count) && count >= 1), `--speakers must be a whole number >= 1 or auto, got ${count}`);


/** A request that writes the dataset `out`; `inputs` become its sources, so they must lie outside it. */
export const writing = (out: string, run: () => Promise<StageReport[]>, inputs: string[] = []): Prepared => ({ writes: checkOut(out, inputs), run });

/**
 * The dataset folder of a writing request, refused when it is an existing file or would mix outputs with inputs
 * (the folder being one of the inputs, or an input inside it other than its own sources/).
 */
export function checkOut(out: string, inputs: string[]): string {
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

export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}


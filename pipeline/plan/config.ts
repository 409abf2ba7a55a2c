import * as fs from 'node:fs';
import * as path from 'node:path';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { OptionError } from '../errors';
import { isUrl } from '../ingest/urlList';
import { pipelineStages, type CommandDef } from '../stages/commandKit';
import { orList, readJsonValue, type OptionValue } from '../stages/optionKinds';
import type { StageRequest } from '../stages/requests';
import type { PipelineStep } from './step';

/**
 * sds.json: a dataset folder, its inputs and the stages in order with their options, by the registry's names
 * (docs/pipeline.md). Read here once for every caller (`sds run --config`, VS Code, the tests); every problem is
 * reported with its JSON path (`/stages/3/options/min`), the value and what is allowed, and then nothing runs.
 */

export interface ConfiguredStage {
  /** its name in sds.json (`slice`, `speaker-score`) */
  stage: string;
  /** its key in the pipeline's state: the name, `#2` on for a stage declared twice */
  key: string;
  def: CommandDef & { pipeline: PipelineStep };
  req: StageRequest;
  /** the stage reads the originals themselves (no earlier stage writes what it reads) */
  first: boolean;
}

export interface PipelineConfig {
  /** the file it was read from, if any (errors and the report name it) */
  file?: string;
  dataset: string;
  /** files, folders, URL lists and feeds, absolute */
  inputs: string[];
  stages: ConfiguredStage[];
}

/** sds.json as written: what `sds init` writes and the presets hold. */
export interface PipelineFile {
  $schema?: string;
  description?: string;
  dataset: string;
  inputs?: string[];
  stages: { stage: string; options?: Record<string, unknown>; inputs?: string[] }[];
}

export interface ConfigProblem {
  /** JSON pointer: /stages/3/options/min ('' for the whole file) */
  path: string;
  message: string;
  /** 1-based line and column of the value, when the file's text is known */
  line?: number;
  column?: number;
}

/** Everything wrong with a pipeline file, each problem with its JSON path; nothing ran. */
export class ConfigError extends OptionError {
  constructor(readonly file: string, readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${file}${p.line ? `:${p.line}:${p.column}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n') + '\nnothing ran');
  }
}

const TOP_KEYS = ['$schema', 'description', 'dataset', 'inputs', 'stages'];
const STAGE_KEYS = ['stage', 'options', 'inputs'];

/** Reads and checks sds.json; a ConfigError lists every problem (syntax, unknown names, wrong types, order). */
export function readPipelineFile(file: string): PipelineConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [{ path: '', message: code === 'ENOENT' ? 'no such file: write one with sds init --preset <name>, or run recordings directly with sds run <files> --out <dir>'
      : `cannot read it (${code ?? (e as Error).message})` }]);
  }
  return parsePipeline(text, file);
}

export function parsePipeline(text: string, file: string): PipelineConfig {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const at = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1 };
  };
  if (errors.length || !tree) {
    throw new ConfigError(file, (errors.length ? errors : [{ error: 0, offset: 0, length: 0 }]).map((e) => ({
      path: '', message: `not valid JSON: ${errors.length ? printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'empty file'}`, ...at(e.offset) })));
  }
  const value = getNodeValue(tree) as unknown;
  try {
    return checkPipeline(value, path.dirname(path.resolve(file)), file);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // each problem at its value in the text, for the terminal and the Problems panel
    throw new ConfigError(file, e.problems.map((p) => {
      const node = findNodeAtLocation(tree, p.path.split('/').slice(1).map((k) => (/^\d+$/.test(k) ? Number(k) : k)));
      return node ? { ...p, ...at(node.offset) } : p;
    }));
  }
}

/**
 * A pipeline file's contents against the registry: paths in it are relative to `dir` (the file's folder). Each stage
 * becomes the request its command line would, through the command's own `build`.
 */
export function checkPipeline(value: unknown, dir: string, file = 'sds.json'): PipelineConfig {
  const problems: ConfigProblem[] = [];
  const problem = (p: string, message: string) => problems.push({ path: p, message });
  const stagesKnown = pipelineStages();
  const names = [...stagesKnown.keys()];
  if (!isObject(value)) throw new ConfigError(file, [{ path: '', message: 'must be a JSON object with "dataset", "inputs" and "stages"' }]);
  for (const k of Object.keys(value)) if (!TOP_KEYS.includes(k)) problem(`/${k}`, `unknown key; allowed: ${orList(TOP_KEYS)}`);
  const dataset = typeof value.dataset === 'string' && value.dataset.trim() ? path.resolve(dir, value.dataset) : undefined;
  if (!dataset) problem('/dataset', `${JSON.stringify(value.dataset)}: give the dataset folder, a string (relative to ${file}'s folder)`);
  const inputs: string[] = [];
  if (value.inputs !== undefined) {
    if (!Array.isArray(value.inputs)) problem('/inputs', `${JSON.stringify(value.inputs)}: give an array of files, folders or URLs`);
    else value.inputs.forEach((x, i) => (typeof x === 'string' && x ? inputs.push(isUrl(x) ? x : path.resolve(dir, x)) : problem(`/inputs/${i}`, `${JSON.stringify(x)}: not a file, folder or URL (a string)`)));
  }
  const list = Array.isArray(value.stages) ? value.stages : [];
  if (!list.length) problem('/stages', `${JSON.stringify(value.stages)}: give the stages in order, an array of {"stage": ..., "options": {...}}; stages: ${names.join(', ')}`);
  const declared = list.map((s) => (isObject(s) && typeof s.stage === 'string' ? s.stage : undefined));
  const hasIngest = declared.includes('ingest');
  const stages: ConfiguredStage[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, i) => {
    const here = `/stages/${i}`;
    if (!isObject(entry)) return problem(here, `${JSON.stringify(entry)}: each stage is an object {"stage": ..., "options": {...}}`);
    for (const k of Object.keys(entry)) if (!STAGE_KEYS.includes(k)) problem(`${here}/${k}`, `unknown key; a stage has ${orList(STAGE_KEYS)}`);
    const def = typeof entry.stage === 'string' ? stagesKnown.get(entry.stage) : undefined;
    if (!def) return problem(`${here}/stage`, `${JSON.stringify(entry.stage)} is not a pipeline stage; one of ${orList(names)}`);
    const name = entry.stage as string;
    const options: Record<string, OptionValue> = {};
    if (entry.options !== undefined && !isObject(entry.options)) problem(`${here}/options`, `${JSON.stringify(entry.options)}: options are an object`);
    for (const [k, v] of Object.entries(isObject(entry.options) ? entry.options : {})) {
      const o = def.options[k];
      if (!o) {
        problem(`${here}/options/${k}`, `${name} has no option "${k}"; its options: ${Object.keys(def.options).join(', ') || 'none'}`);
        continue;
      }
      try {
        const read = readJsonValue(k, o, v, `${here}/options/${k}`);
        // a file named in sds.json is relative to it, as the inputs are (a model may also be a registry name)
        options[k] = typeof read === 'string' && (o.kind === 'path' || (o.kind === 'model' && fs.existsSync(path.resolve(dir, read)))) ? path.resolve(dir, read) : read;
      } catch (e) {
        problems.push({ path: `${here}/options/${k}`, message: (e as Error).message.replace(`${here}/options/${k}: `, '') });
      }
    }
    for (const before of def.pipeline.after ?? []) {
      const later = declared.indexOf(before, i + 1);
      if (later > i) problem(`${here}/stage`, `${name} must come after ${before} (stage ${later}), which makes what it reads`);
    }
    if (entry.inputs !== undefined && def.pipeline.takes !== 'own') problem(`${here}/inputs`, `${name} takes no inputs of its own (sds.json's "inputs" are the sources)`);
    const own = Array.isArray(entry.inputs) ? entry.inputs.filter((x): x is string => typeof x === 'string').map((x) => path.resolve(dir, x)) : [];
    const args = def.pipeline.takes === 'inputs' ? inputs : def.pipeline.takes === 'own' ? own : def.pipeline.takes === 'sources' ? sourceInputs(dataset ?? dir, inputs, hasIngest) : [];
    if (def.pipeline.takes === 'sources' && !args.length) problem('/inputs', `${name} needs the recordings: give files or folders in "inputs" (or an ingest stage)`);
    try {
      const built = def.build(options, args, dataset ?? dir, {});
      if (built.kind !== 'stage') throw new Error(`${name} runs no stage`);
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      const first = !declared.slice(0, i).some((d) => d && stagesKnown.get(d)?.pipeline.scope === 'source');
      stages.push({ stage: name, key: n > 1 ? `${name}#${n}` : name, def, req: built.req, first });
    } catch (e) {
      if (!(e instanceof OptionError)) throw e;
      problem(here, e.message.replace(/^--/, 'option '));
    }
  });
  if (!hasIngest) inputs.forEach((x, i) => isUrl(x) && problem(`/inputs/${i}`, `${x}: a URL is fetched by an ingest stage; add {"stage": "ingest"} first`));
  if (problems.length) throw new ConfigError(file, problems);
  return { file, dataset: dataset!, inputs, stages };
}

/** The recordings the source stages read: sds.json's inputs, or the dataset's sources/ once ingest brings them in. */
export function sourceInputs(dataset: string, inputs: string[], hasIngest: boolean): string[] {
  return hasIngest ? [path.join(dataset, 'sources')] : inputs;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

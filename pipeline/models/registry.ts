import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadTo } from '../ingest/download';
import { sha256File } from '../util/hash';
import { listModels, modelFolder, modelsDir, userModelsDir, type ListedModel, type ModelFile } from './modelPaths';
import { openSession } from './ortSession';

export { listModels, type ListedModel } from './modelPaths';

/** `sds models add <file.onnx> --task speaker ...`: copies a user model into the cache with a manifest read from it. */
export async function addModel(file: string, meta: { name?: string; task: string; sampleRate?: number; licence?: string }): Promise<ListedModel> {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  const { session } = await openSession(file, { threads: 1 }); // proves onnxruntime can load it before we keep it
  const name = meta.name ?? path.basename(file, '.onnx');
  if (!/^[\w.-]+$/.test(name)) throw new Error(`model name "${name}" must be letters, digits, _ . -`);
  const dir = userModelsDir();
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(file, path.join(dir, `${name}.onnx`));
  const manifest = {
    name, task: meta.task, file: `${name}.onnx`, sha256: await sha256File(file), licence: meta.licence ?? 'unknown (added by the user)',
    source: path.resolve(file), sampleRate: meta.sampleRate ?? 16000,
    inputs: Object.fromEntries(session.inputNames.map((n) => [n, 'see the model'])), outputs: Object.fromEntries(session.outputNames.map((n) => [n, 'see the model'])),
  };
  await session.release();
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(manifest, null, 2) + '\n');
  return { ...manifest, where: 'user', present: true };
}

/**
 * `sds models fetch <name>`: downloads the weights a manifest names (url + sha256) into the cache. Resumable: a
 * `.part` file continues with an HTTP Range request after a crash or a dropped connection; the sha256 is checked
 * before the file is renamed into place, and a mismatch keeps nothing.
 */
export async function fetchModel(name: string, opts: { retries?: number; log?: (m: string) => void } = {}): Promise<string> {
  const m = listModels().find((x) => x.name === name);
  if (!m) throw new Error(`no model manifest named "${name}" (sds models list)`);
  if (!m.url) throw new Error(`${name}: its manifest has no url to fetch from`);
  if (m.files) return fetchFolder(m, m.files, m.url, opts);
  if (!/^[0-9a-f]{64}$/.test(m.sha256 ?? '')) throw new Error(`${name}: its manifest has no sha256 to check the download against`);
  const dir = m.where === 'shipped' ? modelsDir() : userModelsDir();
  const dest = path.join(dir, m.file);
  if (fs.existsSync(dest) && (await sha256File(dest)) === m.sha256) return dest;
  const part = `${dest}.part`;
  try {
    await downloadTo(m.url, part, { retries: opts.retries ?? 5, log: opts.log, acceptAny: true });
  } catch (e) {
    throw new Error(`${name}: download failed: ${(e as Error).message}`);
  }
  const got = await sha256File(part);
  if (got !== m.sha256) {
    fs.rmSync(part, { force: true });
    throw new Error(`${name}: sha256 mismatch (expected ${m.sha256}, got ${got}); nothing kept`);
  }
  fs.renameSync(part, dest);
  return dest;
}

/** Hugging Face URLs go through HF_ENDPOINT when it is set, as huggingface_hub's do (a mirror, or a local server). */
function hubUrl(url: string): string {
  const endpoint = process.env.HF_ENDPOINT?.replace(/\/+$/, '');
  return endpoint ? url.replace(/^https:\/\/huggingface\.co/, endpoint) : url;
}

/** A file is in place when its size and sha256 are the manifest's. */
async function inPlace(file: string, f: ModelFile): Promise<boolean> {
  return fs.statSync(file, { throwIfNoEntry: false })?.size === f.size && (await sha256File(file)) === f.sha256;
}

/** A folder model, file by file into `<cache>/<name>/`: each resumable and checked as a single-file model is. */
async function fetchFolder(m: ListedModel, files: ModelFile[], base: string, opts: { retries?: number; log?: (m: string) => void }): Promise<string> {
  const have = modelFolder(m);
  if (have) return have;
  const dir = path.join(userModelsDir(), m.name);
  for (const f of files) {
    const dest = path.join(dir, f.path);
    if (await inPlace(dest, f)) continue;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const part = `${dest}.part`;
    opts.log?.(`${m.name}: ${f.path} (${(f.size / 1e6).toFixed(1)} MB)`);
    try {
      await downloadTo(hubUrl(new URL(f.path, base).href), part, { retries: opts.retries ?? 5, log: opts.log, acceptAny: true });
    } catch (e) {
      throw new Error(`${m.name}: download of ${f.path} failed: ${(e as Error).message}`);
    }
    if (!(await inPlace(part, f))) {
      fs.rmSync(part, { force: true });
      throw new Error(`${m.name}: ${f.path} is not the file the manifest names (size or sha256 differ); nothing kept`);
    }
    fs.renameSync(part, dest);
  }
  return dir;
}

/**
 * `sds models install <name> <file>`: puts a copy of a manifest's weights that the user already has where the
 * manifest expects them, after checking it is the same file (sha256) when the manifest says which.
 */
export async function installModelFile(name: string, file: string): Promise<string> {
  const m = listModels().find((x) => x.name === name);
  if (!m) throw new Error(`no model manifest named "${name}" (sds models list)`);
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  if (m.files) return installFolder(m, m.files, file);
  const got = await sha256File(file);
  if (/^[0-9a-f]{64}$/.test(m.sha256 ?? '') && got !== m.sha256) throw new Error(`${file}: not the weights of ${name} (sha256 ${got.slice(0, 12)}..., expected ${m.sha256.slice(0, 12)}...); nothing installed`);
  const dest = path.join(m.where === 'shipped' ? modelsDir() : userModelsDir(), m.file);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(file, `${dest}.part`);
  fs.renameSync(`${dest}.part`, dest);
  return dest;
}

/** A folder model from a copy the user has (the same layout): every file checked before anything is copied. */
async function installFolder(m: ListedModel, files: ModelFile[], from: string): Promise<string> {
  for (const f of files) {
    if (!(await inPlace(path.join(from, f.path), f))) throw new Error(`${path.join(from, f.path)}: missing, or not the ${f.path} of ${m.name} (size or sha256 differ); nothing installed`);
  }
  const dir = path.join(userModelsDir(), m.name);
  for (const f of files) {
    const dest = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(from, f.path), `${dest}.part`);
    fs.renameSync(`${dest}.part`, dest);
  }
  return dir;
}

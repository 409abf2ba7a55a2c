import * as fs from 'node:fs';
import * as path from 'node:path';

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

export interface ModelManifest {
  name: string;
  task: string;
  file: string;
  sha256: string;
  licence: string;
  source: string;
  sampleRate: number;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
}

export function readManifest(name: string): ModelManifest & { path: string } {
  const dir = modelsDir();
  const m = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as ModelManifest;
  return { ...m, path: path.join(dir, m.file) };
}

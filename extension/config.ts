import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG } from '../pipeline/plan/presets';
import * as vscode from 'vscode';
import type { CleanOptions } from '../pipeline/stages/cleanOptions';
import type { SegmentOptions } from '../pipeline/stages/segment';
import type { SliceOptions } from '../pipeline/stages/slicePlan';
import type { TranscribeStageOptions } from '../pipeline/stages/transcribe';
import manifest from '../package.json';

/** Every setting the extension reads, typed, in one place. */
export interface Config {
  ffmpegPath: string;
  outputFolder: string;
  jobs: number;
  segment: SegmentOptions;
  slice: Partial<SliceOptions>;
  clean: { preset: string } & Partial<Pick<CleanOptions, 'denoise' | 'loudness' | 'truePeak'>>;
  tone: { minProb: number; place: 'link' | 'copy' | 'none'; features: 'rich' | 'seed' };
  transcribe: Partial<TranscribeStageOptions>;
}

/** The stage settings package.json declares (generated from the stage registry), by group: `sds.slice.min` -> slice.min. */
const GROUPS = (() => {
  const out = new Map<string, string[]>();
  for (const key of Object.keys(manifest.contributes.configuration.properties)) {
    const [, group, field] = key.split('.');
    if (field) out.set(group, [...(out.get(group) ?? []), field]);
  }
  return out;
})();

/**
 * Reads the settings with the defaults package.json declares (VS Code applies them), so no default is typed here;
 * a setting left empty (null or '') leaves the choice to the stage.
 */
export function readConfig(scope?: vscode.Uri): Config {
  const c = vscode.workspace.getConfiguration('sds', scope);
  const group = (name: string) => {
    const out: Record<string, unknown> = {};
    for (const field of GROUPS.get(name) ?? []) {
      const v = c.get(`${name}.${field}`);
      if (v !== null && v !== '' && v !== undefined) out[field] = v;
    }
    return out;
  };
  return {
    ffmpegPath: c.get<string>('ffmpegPath') ?? '',
    outputFolder: c.get<string>('outputFolder')!,
    jobs: c.get<number>('jobs') ?? 0,
    segment: group('segment') as unknown as SegmentOptions,
    slice: group('slice'),
    clean: group('clean') as Config['clean'],
    tone: group('tone') as Config['tone'],
    transcribe: group('transcribe'),
  };
}

/**
 * The dataset folder: the one the workspace's own pipeline file (sds.json at its root) names, else
 * `sds.outputFolder`, relative to the first workspace folder unless absolute.
 */
export function datasetDir(cfg: Config): string | undefined {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const pipeline = ws && pipelineDataset(ws);
  if (pipeline) return pipeline;
  if (path.isAbsolute(cfg.outputFolder)) return cfg.outputFolder;
  return ws ? path.join(ws, cfg.outputFolder) : undefined;
}

function pipelineDataset(ws: string): string | undefined {
  try {
    const { dataset } = JSON.parse(fs.readFileSync(path.join(ws, DEFAULT_CONFIG), 'utf8')) as { dataset?: unknown };
    return typeof dataset === 'string' && dataset.trim() ? path.resolve(ws, dataset) : undefined;
  } catch {
    return undefined; // none, or being edited: sds run names its problems
  }
}

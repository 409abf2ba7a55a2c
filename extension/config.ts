import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SegmentOptions } from '../pipeline/stages/segment';
import type { SliceOptions } from '../pipeline/stages/slicePlan';

/** Every setting the extension reads, typed, in one place. */
export interface Config {
  ffmpegPath: string;
  outputFolder: string;
  jobs: number;
  segment: SegmentOptions;
  slice: Partial<SliceOptions>;
  clean: { preset: string; denoise?: string; loudness?: number; truePeak?: number };
  tone: { minProb: number; place: 'link' | 'copy' | 'none'; features: 'rich' | 'seed' };
}

export function readConfig(scope?: vscode.Uri): Config {
  const c = vscode.workspace.getConfiguration('sds', scope);
  return {
    ffmpegPath: c.get<string>('ffmpegPath', '') || '',
    outputFolder: c.get<string>('outputFolder', 'sds-dataset'),
    jobs: c.get<number>('jobs', 0),
    segment: {
      engine: c.get<'smn' | 'sm' | 'silero'>('segment.engine', 'smn'),
      gender: c.get<boolean>('segment.gender', true),
      genderMethod: c.get<'encoder' | 'pitch'>('segment.genderMethod', 'encoder'),
    },
    clean: {
      preset: c.get<string>('clean.preset', 'speech'),
      denoise: c.get<string>('clean.denoise', '') || undefined,
      loudness: c.get<number | null>('clean.loudness', null) ?? undefined,
      truePeak: c.get<number | null>('clean.truePeak', null) ?? undefined,
    },
    tone: {
      minProb: c.get<number>('tone.minProb', 0.6),
      place: c.get<'link' | 'copy' | 'none'>('tone.place', 'link'),
      features: c.get<'rich' | 'seed'>('tone.features', 'rich'),
    },
    slice: {
      labels: c.get<string[]>('slice.labels', ['male', 'female', 'speech']),
      min: c.get<number>('slice.min', 1.5),
      max: c.get<number>('slice.max', 15),
      pad: c.get<number>('slice.pad', 0.1),
      mergeGap: c.get<number>('slice.mergeGap', 0.3),
    },
  };
}

/** The dataset folder: `sds.outputFolder`, relative to the first workspace folder unless absolute. */
export function datasetDir(cfg: Config): string | undefined {
  if (path.isAbsolute(cfg.outputFolder)) return cfg.outputFolder;
  const ws = vscode.workspace.workspaceFolders?.[0];
  return ws ? path.join(ws.uri.fsPath, cfg.outputFolder) : undefined;
}

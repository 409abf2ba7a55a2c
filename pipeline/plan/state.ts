import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic';
import type { StageRecord } from './plan';

/**
 * What the pipeline's last runs did, per stage and source (`.sds/pipeline/state.json`): the fingerprint of what each
 * stage read, or why it failed. Written after every stage, atomically, so a cancelled or killed run resumes from the
 * stages and sources it finished; the stages' own resume markers cover the entries inside a stage.
 */
export interface PipelineState {
  version: 1;
  stages: Record<string, StageRecord>;
}

export const pipelineDir = (dataset: string) => path.join(dataset, '.sds', 'pipeline');
const stateFile = (dataset: string) => path.join(pipelineDir(dataset), 'state.json');

export function readState(dataset: string): PipelineState {
  try {
    const s = JSON.parse(fs.readFileSync(stateFile(dataset), 'utf8')) as PipelineState;
    if (s.version === 1 && s.stages) return s;
  } catch {
    /* none yet, or unreadable: every stage plans as new */
  }
  return { version: 1, stages: {} };
}

/**
 * A stage run on its own (`sds slice`, a VS Code command) may leave other results than the pipeline's options
 * make: the pipeline forgets what it recorded of that stage, so its next run plans it afresh (the stage's own
 * markers still skip what is the same).
 */
export async function forgetStage(dataset: string, stage: string): Promise<void> {
  if (!fs.existsSync(stateFile(dataset))) return;
  const s = readState(dataset);
  const keys = Object.keys(s.stages).filter((k) => k === stage || k.startsWith(`${stage}#`));
  if (!keys.length) return;
  for (const k of keys) delete s.stages[k];
  await writeState(dataset, s);
}

export const writeState = (dataset: string, s: PipelineState) => writeFileAtomic(stateFile(dataset), JSON.stringify(s, null, 1) + '\n');

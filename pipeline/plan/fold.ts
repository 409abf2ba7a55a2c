import * as fs from 'node:fs';
import { CLIP_COLUMNS, Dataset, SOURCE_COLUMNS } from '../dataset';
import { formatTable } from '../formats/csvTable';
import { writeFileAtomic } from '../util/atomic';
import { overlayClips, overlaySources, readRowFiles, foldRecords, removeRowFiles } from './rowFiles';
import { readState, writeState } from './state';

/**
 * Folds the row files workers and shards left (plan/rowFiles.ts) into sources.csv, clips.csv and the pipeline state,
 * then removes them. The caller holds the dataset lock, and no worker is writing. A table whose text is unchanged is
 * not rewritten. Killed half way, the row files are still there and the next fold gives the same tables.
 */
export async function foldRows(dataset: string): Promise<{ files: number; sources: number }> {
  const files = readRowFiles(dataset);
  if (!files.length) return { files: 0, sources: 0 };
  const ds = new Dataset(dataset);
  await writeIfChanged(ds.sourcesCsv, formatTable(overlaySources(ds.readSources(), files), SOURCE_COLUMNS));
  const clips = overlayClips(ds.readClips(), files);
  if (clips.length || fs.existsSync(ds.clipsCsv)) await writeIfChanged(ds.clipsCsv, formatTable(clips, CLIP_COLUMNS));
  const state = readState(dataset);
  foldRecords(state.stages, files);
  await writeState(dataset, state);
  removeRowFiles(dataset, files);
  return { files: files.length, sources: new Set(files.map((f) => f.source)).size };
}

async function writeIfChanged(file: string, text: string): Promise<void> {
  let was: string | undefined;
  try {
    was = fs.readFileSync(file, 'utf8');
  } catch {
    was = undefined;
  }
  if (was !== text) await writeFileAtomic(file, text);
}

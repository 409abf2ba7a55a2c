import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../dataset';
import { writeFileAtomic } from '../util/atomic';
import type { StageReport } from './types';

export const SIDE_FILE_EXTS = ['txt', 'lab'] as const;
export type SideFileExt = (typeof SIDE_FILE_EXTS)[number];

/**
 * `sds side-files`: each clip's transcript as `<clip>.txt` and/or `<clip>.lab` beside the clip (raw and cleaned),
 * one line of text, which is what many TTS and alignment recipes (MFA, HTK) read. A side file whose transcript has
 * since been cleared is removed, so the folder never says more than clips.csv.
 */
export async function writeSideFiles(dir: string, exts: SideFileExt[]): Promise<StageReport> {
  const report: StageReport = { stage: 'side files', processed: 0, skipped: 0, failed: [], summary: [] };
  const rows = new Dataset(dir).readClips();
  let written = 0;
  let removed = 0;
  for (const r of rows) {
    const text = (r.transcript ?? '').replace(/\s*[\r\n]+\s*/g, ' ').trim();
    const clips = [r.path, r.clean_path].filter(Boolean).map((p) => path.join(dir, p));
    if (r.excluded === 'yes' || !text) report.skipped++;
    for (const clip of clips) {
      if (!fs.existsSync(clip)) {
        report.failed.push({ file: clip, error: `${clip}: listed in clips.csv but missing on disk` });
        continue;
      }
      for (const ext of exts) {
        const side = clip.replace(/\.[^./]+$/, '') + `.${ext}`;
        if (r.excluded === 'yes' || !text) {
          if (fs.existsSync(side)) {
            fs.rmSync(side);
            removed++;
          }
          continue;
        }
        await writeFileAtomic(side, text + '\n');
        written++;
      }
    }
    if (text && r.excluded !== 'yes') report.processed++;
  }
  report.summary.push(`${written} .${exts.join('/.')} files for ${report.processed} transcribed clips` +
    `${report.skipped ? `; ${report.skipped} clips without a transcript (or excluded) have none` : ''}${removed ? `; ${removed} stale side files removed` : ''}`);
  return report;
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, expandInputs } from '../dataset';
import { diarizeFile } from '../diarization/diarize';
import { formatRttm, rttmFileId } from '../formats/rttm';
import { readManifest } from '../models/modelPaths';
import { SpeakerEncoder } from '../models/speakerEncoder';
import { PatchClassifier } from '../segmentation/patchClassifier';
import { writeFileAtomic } from '../util/atomic';
import { hashJson } from '../util/hash';
import { SAME_SPEAKER_MIN_SIM } from './speaker';
import { namingFile, type StageContext, type StageReport } from './types';
import { forEachEntry } from './forEachEntry';

export interface DiarizeStageOptions {
  /** Known number of speakers; without it the count is estimated, conservatively (README, Diarization). */
  speakers?: number;
  /** Seconds per embedded window and between window starts. */
  window?: number;
  hop?: number;
}

/** Bumped when the diarization itself changes, so reruns redo older RTTMs. */
export const DIARIZE_VERSION = 1;

/**
 * `sds diarize`: who speaks when, as RTTM. `out` ending in .rttm takes one recording; otherwise `out` is a dataset
 * folder: the inputs become sources (as segment does) and each gets diarization/<id>.rttm, recorded in
 * sources.csv (`diarization`) so slicing cuts at speaker changes and labels clips with the speaker.
 */
export async function runDiarize(inputs: string[], out: string, o: DiarizeStageOptions, ctx: StageContext): Promise<StageReport> {
  const report: StageReport = { stage: 'diarize', processed: 0, skipped: 0, failed: [], summary: [] };
  const single = /\.rttm$/i.test(out);
  const { files, missing, bad, loops } = expandInputs(inputs, single ? path.dirname(path.resolve(out)) : out);
  for (const m of missing) report.failed.push({ file: m, error: `${m}: no such file or folder` });
  report.failed.push(...bad);
  (report.warnings ??= []).push(...loops);
  if (single && files.length !== 1) throw new Error(`--out ${out} names one RTTM file: give exactly one recording (or a folder as --out for several)`);
  const ds = single ? undefined : new Dataset(out, ctx.rows);
  // the inputs' own rows (registering them as segment does), or every source when none are given
  const sources = !ds ? [] : !inputs.length ? ds.readSources() : files.length ? await ds.register(files, (file, e) => report.failed.push({ file, error: namingFile(file, e) })) : [];
  const jobs = single ? [{ file: files[0], id: rttmFileId(files[0]), target: path.resolve(out), sha: '' }] : sources.map((s) => ({ file: s.path, id: s.id, target: path.resolve(out, 'diarization', `${s.id}.rttm`), sha: s.sha256 }));
  if (!jobs.length || !jobs[0].file) {
    if (!report.failed.length) throw new Error(`${out}: no recordings to diarize`);
    return report;
  }
  const key = hashJson({ ...o, model: readManifest('tone_color_se').sha256, v: DIARIZE_VERSION });
  const enc = await SpeakerEncoder.open(undefined, ctx.log);
  const classifier = await PatchClassifier.open(ctx.log);
  try {
    await forEachEntry({
      entries: jobs, name: (job) => job.file, source: (job) => (ds ? job.id : undefined),
      marker: ds && { ds, stage: 'diarize', of: (job) => ({ id: job.id, key: `${job.sha}:${key}` }) },
      stillThere: (job) => fs.existsSync(job.target),
      process: async (job) => {
        const d = await diarizeFile(job.file, enc, classifier, { ...o, sameSpeakerMinSim: SAME_SPEAKER_MIN_SIM, ffmpeg: ctx.ffmpeg, signal: ctx.signal,
          onProgress: (fraction) => ctx.progress({ kind: 'file-progress', file: job.file, fraction }) });
        await writeFileAtomic(job.target, formatRttm(d.turns, job.id));
        if (ds) {
          const rows = ds.readSources();
          const row = rows.find((r) => r.id === job.id);
          if (row) row.diarization = job.target;
          await ds.writeSources(rows);
        }
        const how = d.counted ? `counted automatically; pass --speakers N if you know there are more` : 'as asked';
        report.summary.push(`${job.file}: ${d.speakers} speaker${d.speakers === 1 ? '' : 's'} (${how}), ${d.turns.length} turns over ${d.speechSeconds.toFixed(1)} s of speech -> ${job.target}`);
      },
    }, report, ctx);
  } finally {
    await enc.release();
    await classifier.release();
  }
  return report;
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { probe } from '../audio/ffmpeg';
import { Dataset, expandInputs } from '../dataset';
import { chooseSeparator } from '../separate/choose';
import { removeQuietly, separateFile } from '../separate/separator';
import { tempPath } from '../util/atomic';
import { hashJson } from '../util/hash';
import { namingFile, type StageContext, type StageReport } from './types';
import { forEachEntry } from './forEachEntry';

export const STEMS = ['vocals', 'accompaniment'] as const;

export interface SeparateOptions {
  /** `auto` (model-free, the default: chosen per source), `repet`, `centre`, a model .onnx or a registry name (separate/choose.ts) */
  model: string;
  stems: (typeof STEMS)[number][];
}

/** Bumped when the separation itself changes, so reruns redo older stems. */
export const SEPARATE_VERSION = 3;

/**
 * `sds separate`: the vocals (and on request the accompaniment) of every source, streamed block by block into
 * separated/<id>/, recorded in sources.csv (`vocals`, `accompaniment`, and `separation`: what ran and why) so `sds segment --on vocals` can use them.
 */
export async function runSeparate(dir: string, inputs: string[], o: SeparateOptions, ctx: StageContext): Promise<StageReport> {
  const ds = new Dataset(dir, ctx.rows);
  const report: StageReport = { stage: 'separate', processed: 0, skipped: 0, failed: [], summary: [] };
  const { files, missing, bad, loops } = expandInputs(inputs, dir);
  for (const m of missing) report.failed.push({ file: m, error: `${m}: no such file or folder` });
  report.failed.push(...bad);
  (report.warnings ??= []).push(...loops);
  // the inputs' own rows (registering them as segment does), or every source when none are given
  const sources = !inputs.length ? ds.readSources() : files.length ? await ds.register(files, (file, e) => report.failed.push({ file, error: namingFile(file, e) })) : [];
  if (!sources.length) throw new Error(`${dir}: no sources to separate (give files, or ingest / segment some first)`);
  const choice = await chooseSeparator(o.model, ctx.log, ctx.ffmpeg);
  const key = hashJson({ model: choice.key, stems: o.stems, v: SEPARATE_VERSION });
  let seconds = 0;
  const t0 = Date.now();
  try {
    await forEachEntry({
      entries: sources, name: (src) => src.path, source: (src) => src.id,
      marker: { ds, stage: 'separate', of: (src) => ({ id: src.id, key: `${src.sha256}:${key}` }) },
      stillThere: (src) => fs.existsSync(src.vocals ?? ''),
      process: async (src) => {
        const outDir = path.join(dir, 'separated', src.id);
        fs.mkdirSync(outDir, { recursive: true });
        const target = { vocals: path.join(outDir, 'vocals.wav'), accompaniment: o.stems.includes('accompaniment') ? path.join(outDir, 'accompaniment.wav') : undefined };
        const tmp = { vocals: tempPath(target.vocals), accompaniment: target.accompaniment && tempPath(target.accompaniment) };
        try {
          const info = Number(src.channels) && Number(src.duration) ? undefined : await probe(src.path, ctx.ffmpeg);
          const { separator: sep, note } = await choice.forSource(src.path, Number(src.channels) || info!.channels, Number(src.duration) || info!.duration);
          seconds += await separateFile(src.path, tmp, sep, { paths: ctx.ffmpeg, signal: ctx.signal,
            onProgress: (s) => Number(src.duration) > 0 && ctx.progress({ kind: 'file-progress', file: src.path, fraction: Math.min(1, s / Number(src.duration)) }) });
          fs.renameSync(tmp.vocals, target.vocals);
          if (tmp.accompaniment && target.accompaniment) fs.renameSync(tmp.accompaniment, target.accompaniment);
          const rows = ds.readSources();
          const row = rows.find((r) => r.id === src.id)!;
          row.vocals = target.vocals;
          row.accompaniment = target.accompaniment ?? '';
          row.separation = note;
          src.vocals = target.vocals;
          await ds.writeSources(rows);
          return { detail: path.relative(dir, target.vocals) };
        } catch (e) {
          removeQuietly(tmp.vocals, tmp.accompaniment ?? '');
          throw e;
        }
      },
    }, report, ctx);
  } finally {
    await choice.release();
  }
  const secs = (Date.now() - t0) / 1000;
  report.summary.push(`${report.processed} sources separated with ${choice.label()} into separated/<id>/` +
    `${seconds ? `, ${(seconds / Math.max(1e-3, secs)).toFixed(1)}x real time` : ''}; segment them with --on vocals`);
  return report;
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { cutClip } from '../audio/cut';
import { audioOf } from './segment';
import { probe } from '../audio/ffmpeg';
import { Dataset, CLIP_COLUMNS } from '../dataset';
import { readTable, writeTable, type Row } from '../formats/csvTable';
import { parseSegmentCsv, fmt } from '../formats/segmentTable';
import { cleanStaleTemps, produceAtomic } from '../util/atomic';
import { hashJson } from '../util/hash';
import { forEachLimit } from '../util/pool';
import { readRttmTurns } from '../formats/rttm';
import { planClips, withSpeakers, type SliceOptions } from './slicePlan';
import { errorMessage, namingFile, type StageContext, type StageReport } from './types';


/**
 * Cuts the chosen labels of every segmented source into clips/<label>/<id>_<nnnn>.wav, from the original file at
 * its native rate, and rewrites clips.csv. `only` limits the run to some source ids (re-slice one file).
 */
export async function runSlice(outDir: string, opts: SliceOptions, ctx: StageContext, only?: string[]): Promise<StageReport> {
  const ds = new Dataset(outDir);
  cleanStaleTemps(outDir);
  const report: StageReport = { stage: 'slice', processed: 0, skipped: 0, failed: [], summary: [] };
  const sources = ds.readSources().filter((s) => fs.existsSync(ds.segmentsCsv(s.id)) && (!only || only.includes(s.id)));
  if (!sources.length) {
    report.failed.push({ file: ds.sourcesCsv, error: `no segmented sources in ${outDir}: run segment first` });
    return report;
  }
  const clips = new Map<string, Row[]>(); // source id -> its rows
  for (const r of readTable(ds.clipsCsv)) clips.set(r.source, [...(clips.get(r.source) ?? []), r]);
  // serialised, so concurrent sources never interleave their rewrites of clips.csv
  let writing = Promise.resolve();
  const writeClips = () => {
    const rows = [...clips.keys()].sort().flatMap((k) => clips.get(k)!);
    writing = writing.catch(() => undefined).then(() => writeTable(ds.clipsCsv, rows, CLIP_COLUMNS));
    return writing;
  };

  await forEachLimit(sources, ctx.jobs, async (src, i) => {
    ctx.signal?.throwIfAborted();
    const csvText = fs.readFileSync(ds.segmentsCsv(src.id), 'utf8');
    // a diarized source (sds diarize into this dataset) is cut at speaker changes too
    const rttmText = src.diarization && fs.existsSync(src.diarization) ? fs.readFileSync(src.diarization, 'utf8') : '';
    const key = hashJson({ opts, sha: src.sha256, segments: hashJson(csvText), ...(rttmText ? { turns: hashJson(rttmText) } : {}) });
    if (ds.isDone('slice', src.id, key) && (clips.get(src.id) ?? []).every((r) => fs.existsSync(path.join(outDir, r.path)))) {
      report.skipped++;
      ctx.progress({ kind: 'file-done', file: src.path, skipped: true });
      return;
    }
    ctx.progress({ kind: 'file-start', file: src.path, index: i, total: sources.length });
    try {
      const audio = audioOf(src, opts.on);
      const info = await probe(audio, ctx.ffmpeg);
      const segments = parseSegmentCsv(csvText, ds.segmentsCsv(src.id));
      const duration = segments.length ? segments[segments.length - 1].stop : 0;
      const turns = rttmText ? readRttmTurns(rttmText, src.diarization) : [];
      const plan = planClips(withSpeakers(segments, turns), duration, opts, readEnergy(ds.energyFile(src.id)));
      const deep = /s24|s32|f32|f64|flt|dbl/.test(info.codec);
      // clips from an earlier slicing of this source are outputs, not originals: replace them
      for (const r of clips.get(src.id) ?? []) fs.rmSync(path.join(outDir, r.path), { force: true });
      const rows: Row[] = [];
      for (const [n, c] of plan.entries()) {
        ctx.signal?.throwIfAborted();
        const file = ds.clipFile(c.label, src.id, n + 1);
        const a = Math.round(c.start * info.sampleRate);
        const b = Math.round(c.end * info.sampleRate);
        await produceAtomic(file, (tmp) => cutClip(audio, tmp, a, b, info.sampleRate, { paths: ctx.ffmpeg, deep }));
        rows.push({
          path: path.relative(outDir, file).split(path.sep).join('/'), source: src.id, start: fmt(a / info.sampleRate),
          end: fmt(b / info.sampleRate), label: c.label, duration: fmt((b - a) / info.sampleRate), sample_rate: String(info.sampleRate),
          // diarized speakers are per recording: the source id makes them unique across the dataset
          ...(turns.length ? { speaker: c.speaker ? `${src.id}_${c.speaker}` : '' } : {}),
        });
        ctx.progress({ kind: 'file-progress', file: src.path, fraction: (n + 1) / plan.length });
      }
      clips.set(src.id, rows);
      await writeClips();
      await ds.markDone('slice', src.id, key);
      report.processed++;
      ctx.progress({ kind: 'file-done', file: src.path, skipped: false, detail: `${rows.length} clips` });
    } catch (e) {
      if (ctx.signal?.aborted) throw e;
      report.failed.push({ file: src.path, error: namingFile(src.path, e) });
      ctx.progress({ kind: 'file-error', file: src.path, error: errorMessage(e) });
    }
  });
  const all = [...clips.values()].flat();
  const byLabel = new Map<string, { n: number; sec: number }>();
  for (const r of all) {
    const t = byLabel.get(r.label) ?? { n: 0, sec: 0 };
    byLabel.set(r.label, { n: t.n + 1, sec: t.sec + Number(r.duration) });
  }
  report.summary = [...byLabel].map(([l, t]) => `${l}: ${t.n} clips, ${t.sec.toFixed(1)} s`);
  return report;
}

function readEnergy(file: string): Float32Array | undefined {
  try {
    const b = fs.readFileSync(file);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength - (b.byteLength % 4)));
  } catch {
    return undefined;
  }
}

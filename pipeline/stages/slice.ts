import * as fs from 'node:fs';
import * as path from 'node:path';
import { audioOf } from './segment';
import { decodeMono, probe } from '../audio/ffmpeg';
import { cutSpans } from '../audio/streamCut';
import { pcmWav, wavAudio, wavFramesOnDisk } from '../audio/wav';
import { normalRel, ownedClip } from './clipPaths';
import { Dataset, CLIP_COLUMNS } from '../dataset';
import { clipsBySource, type Row } from '../formats/csvTable';
import { checkSegments, parseSegmentCsv } from '../formats/segmentTable';
import { cleanStaleTemps, tempPath } from '../util/atomic';
import { hashJson } from '../util/hash';
import { forEachEntry } from './forEachEntry';
import { readRttmTurns } from '../formats/rttm';
import { planClips, withSpeakers, type SliceOptions } from './slicePlan';
import { saveWordTimeline, wordTimeline } from '../asr/sourceWords';
import { transcriptPathOf } from '../asr/transcriptPath';
import type { StageContext, StageReport } from './types';


/** Bumped when slicing changes what it cuts, so reruns re-cut sources sliced by older code. */
export const SLICE_VERSION = 2;

/** clips.csv's own columns, rewritten by every slicing; every other column belongs to a later stage or a person. */
const SLICE_COLUMNS = new Set([...CLIP_COLUMNS, 'speaker']);

/**
 * Cuts the chosen labels of every segmented source into clips/<label>/<id>_<nnnn>.wav, from the original file at
 * its native rate, and rewrites clips.csv. `only` limits the run to some source ids (re-slice one file).
 *
 * A re-slice keeps what it can: a clip whose span is unchanged keeps its number and every column other stages or a
 * person wrote (transcript, exclusion, scores); its file is rewritten only when its samples differ. Rows that are not
 * clips slice wrote are kept and named; only files slice wrote under clips/ are ever replaced or removed, and when
 * clips carrying a transcript or an exclusion go, the previous table is kept beside clips.csv first.
 */
export async function runSlice(outDir: string, opts: SliceOptions, ctx: StageContext, only?: string[]): Promise<StageReport> {
  const ds = new Dataset(outDir, ctx.rows);
  cleanStaleTemps(outDir);
  const report: StageReport = { stage: 'slice', processed: 0, skipped: 0, failed: [], summary: [], warnings: [] };
  const sources = ds.readSources().filter((s) => fs.existsSync(ds.segmentsCsv(s.id)) && (!only || only.includes(s.id)));
  if (!sources.length) {
    report.failed.push({ file: ds.sourcesCsv, error: `no segmented sources in ${outDir}: run segment first` });
    return report;
  }
  const clips = clipsBySource(ds.readClips()); // source id -> its rows
  const lost = { transcripts: 0, human: 0, excluded: 0, other: 0 };
  let untranscribed = 0;
  let backup: string | undefined;
  // serialised, so concurrent sources never interleave their rewrites of clips.csv
  let writing = Promise.resolve();
  const writeClips = (dropsData: boolean) => {
    writing = writing.catch(() => undefined).then(async () => {
      if (dropsData && !backup && fs.existsSync(ds.clipsCsv)) {
        backup = `${ds.clipsCsv}.bak-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        fs.copyFileSync(ds.clipsCsv, backup);
      }
      const rows = [...clips.keys()].sort().flatMap((k) => clips.get(k)!);
      await ds.writeClips(rows);
    });
    return writing;
  };

  // what each source is sliced from: its table (and turns) as they are now, and the key they make with the options
  const entries = sources.map((src) => {
    const csvText = fs.readFileSync(ds.segmentsCsv(src.id), 'utf8');
    // a diarized source (sds diarize into this dataset) is cut at speaker changes too
    const rttmText = src.diarization && fs.existsSync(src.diarization) ? fs.readFileSync(src.diarization, 'utf8') : '';
    // --at words: the source's word time line (kept, and renewed from the clips' current machine transcripts)
    const words = opts.at === 'words' ? wordTimeline(outDir, src.id, clips.get(src.id) ?? []) : [];
    const { at: _at, ...quiet } = opts;
    const key = hashJson({ opts: opts.at === 'words' ? opts : quiet, sha: src.sha256, segments: hashJson(csvText), ...(rttmText ? { turns: hashJson(rttmText) } : {}),
      ...(words.length ? { words: hashJson(words.map((w) => [w.start, w.end, w.word])) } : {}), v: SLICE_VERSION });
    return { src, csvText, rttmText, key, words };
  });
  await forEachEntry({
    entries, jobs: ctx.jobs, name: (e) => e.src.path, source: (e) => e.src.id,
    marker: { ds, stage: 'slice', of: (e) => ({ id: e.src.id, key: e.key }) },
    stillThere: (e) => (clips.get(e.src.id) ?? []).every((r) => fs.existsSync(path.join(outDir, r.path))),
    process: async ({ src, csvText, rttmText, words }) => {
      const old = clips.get(src.id) ?? [];
      const audio = audioOf(src, opts.on);
      const info = await probe(audio, ctx.ffmpeg);
      // float sources are the ones that can hold NaN: one streamed pass fails them before anything is cut
      if (/f32|f64|flt|dbl/.test(info.codec)) for await (const _ of decodeMono(audio, { sampleRate: info.sampleRate, paths: ctx.ffmpeg, signal: ctx.signal }));
      const duration = Number(src.duration) > 0 ? Number(src.duration) : info.duration;
      const checked = checkSegments(parseSegmentCsv(csvText, ds.segmentsCsv(src.id)), duration, ds.segmentsCsv(src.id));
      report.warnings!.push(...checked.warnings.map((w) => ({ file: ds.segmentsCsv(src.id), error: w })));
      const end = Number.isFinite(duration) ? duration : checked.segments[checked.segments.length - 1]?.stop ?? 0;
      const turns = rttmText ? readRttmTurns(rttmText, src.diarization) : [];
      if (opts.at === 'words' && !words.length) report.warnings!.push({ file: src.path, error: 'no machine transcripts with word times for its clips (sds transcribe first): cut at the quietest points instead' });
      if (words.length) await saveWordTimeline(outDir, src.id, words);
      const plan = planClips(withSpeakers(checked.segments, turns), end, opts, readEnergy(ds.energyFile(src.id)), undefined, words);
      const deep = /s24|s32|f32|f64|flt|dbl/.test(info.codec);

      const owned = new Map(old.flatMap((r) => {
        const clip = ownedClip(r.path, src.id);
        return clip ? [[r, clip] as const] : [];
      }));
      const foreign = old.filter((r) => !owned.has(r));
      for (const r of foreign) report.warnings!.push({ file: r.path, error: `clips.csv row ${r.path} (source ${src.id}) is not a clip sds cut into clips/: kept as it is, never replaced or removed` });
      const bySpan = new Map([...owned.keys()].map((r) => [`${r.start}|${r.end}`, r]));
      // new spans get numbers no clip of this source had (from 1 on a first slicing)
      let next = Math.max(0, ...[...owned.values()].map((c) => c.n)) + 1;
      const kept = new Set<Row>();
      const cuts = plan.map((c) => {
        const a = Math.round(c.start * info.sampleRate);
        const b = Math.round(c.end * info.sampleRate);
        const same = bySpan.get(`${at(a, info.sampleRate)}|${at(b, info.sampleRate)}`);
        const was = same && !kept.has(same) ? same : undefined;
        const mine = was && owned.get(was);
        if (was) kept.add(was);
        const file = path.join(outDir, mine?.prefix ?? '', path.relative(outDir, ds.clipFile(c.label, src.id, mine ? mine.n : next++)));
        return { c, a, b, was, file };
      });
      const frames = cuts.map(() => 0);
      let cut = 0;
      await cutSpans(audio, cuts.map(({ a, b }) => ({ start: a, end: b })), info.sampleRate, async (i, pcm) => {
        frames[i] = await writeVerified(cuts[i].file, pcm, info.sampleRate, deep, cuts[i].b - cuts[i].a, cuts[i].b / info.sampleRate >= end - 0.5);
        ctx.progress({ kind: 'file-progress', file: src.path, fraction: ++cut / cuts.length });
      }, { paths: ctx.ffmpeg, deep, signal: ctx.signal });
      const rows: Row[] = cuts.map(({ c, a, was, file }, i) => {
        const b = a + frames[i];
        if (!was && words.length) untranscribed++;
        return {
          ...was,
          path: path.relative(outDir, file).split(path.sep).join('/'), source: src.id, start: at(a, info.sampleRate),
          end: at(b, info.sampleRate), label: c.label, duration: at(b - a, info.sampleRate), sample_rate: String(info.sampleRate),
          // diarized speakers are per recording: the source id makes them unique across the dataset
          ...(turns.length ? { speaker: c.speaker ? `${src.id}_${c.speaker}` : '' } : {}),
        };
      });
      // clips of the earlier slicing that are gone: count what they carried, and remove only files slice wrote
      const dropped = [...owned.keys()].filter((r) => !kept.has(r));
      let dropsData = false;
      for (const r of dropped) {
        if ((r.transcript ?? '').trim()) lost.transcripts++, (dropsData = true);
        if (r.text_source === 'human' && (r.transcript ?? '').trim()) lost.human++;
        if (r.excluded === 'yes') lost.excluded++, (dropsData = true);
        if (Object.keys(r).some((c) => !SLICE_COLUMNS.has(c) && c !== 'transcript' && c !== 'text_source' && c !== 'excluded' && r[c])) lost.other++;
      }
      clips.set(src.id, [...rows, ...foreign]);
      await writeClips(dropsData);
      // a kept clip whose label changed has moved: its old file goes too
      const live = new Set(rows.map((r) => normalRel(r.path)));
      for (const r of owned.keys()) {
        if (live.has(normalRel(r.path))) continue;
        fs.rmSync(path.join(outDir, normalRel(r.path)), { force: true });
        // its words are on disk only for the clip they were timed in (a later clip of that number must not get them)
        fs.rmSync(path.join(outDir, transcriptPathOf(normalRel(r.path))), { force: true });
      }
      return { detail: `${rows.length} clips` };
    },
  }, report, ctx);
  await writing;
  const all = [...clips.values()].flat();
  const byLabel = new Map<string, { n: number; sec: number }>();
  for (const r of all) {
    const t = byLabel.get(r.label) ?? { n: 0, sec: 0 };
    byLabel.set(r.label, { n: t.n + 1, sec: t.sec + Number(r.duration) });
  }
  report.summary = [...byLabel].map(([l, t]) => `${l}: ${t.n} clips, ${t.sec.toFixed(1)} s`);
  if (untranscribed) report.summary.push(`${untranscribed} clips cut anew between words: sds transcribe gives them text heard in their own audio`);
  if (lost.transcripts || lost.excluded || lost.other) {
    report.summary.push(`clips that changed took ${lost.transcripts} transcripts (${lost.human} typed by hand), ${lost.excluded} exclusion marks and the scores of ${lost.other} clips with them` +
      (backup ? `; the previous table is kept as ${path.basename(backup)}` : ''));
  }
  return report;
}

/**
 * Writes a clip's samples to `file` through a temp file and renames it into place only once the frames on disk are
 * the ones planned (a full disk can leave a short file). A clip reaching the end of the audio may come out shorter
 * (container durations are estimates): its real length is returned. A file already holding exactly these samples is
 * left untouched, so its time stamp, and what later stages derived from it, stay valid.
 */
async function writeVerified(file: string, pcm: Buffer, rate: number, deep: boolean, planned: number, atEnd: boolean): Promise<number> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempPath(file);
  try {
    const wav = pcmWav(pcm, rate, deep ? 24 : 16);
    await fs.promises.writeFile(tmp, wav).catch((e: Error) => {
      throw new Error(`${file}: could not be written (${e.message}); nothing was kept under that name`);
    });
    const frames = wavFramesOnDisk(tmp) ?? 0;
    if (frames !== planned && !(atEnd && frames > 0 && frames < planned)) {
      throw new Error(`${file}: wrote ${frames} of ${planned} samples${atEnd ? ' (the audio ends sooner)' : ' (is the disk full?)'}; nothing was kept under that name`);
    }
    if (sameAudio(file, wav)) await fs.promises.rm(tmp, { force: true });
    else await fs.promises.rename(tmp, file);
    return frames;
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * A sample position in seconds, to the microsecond: planned cuts fall on milliseconds and print as before (28.98),
 * and a clip cut short at the end of the file still says its exact length (4.6229375 s -> 4.622938).
 */
const at = (samples: number, rate: number) => String(Math.round((samples / rate) * 1e6) / 1e6);

/** The file on disk is a WAV of the same format and samples as `wav` (the headers may differ: clips cut before were ffmpeg's). */
function sameAudio(file: string, wav: Buffer): boolean {
  if (!fs.existsSync(file)) return false;
  const [x, y] = [wavAudio(fs.readFileSync(file)), wavAudio(wav)];
  return !!x && !!y && (['tag', 'channels', 'rate', 'bits'] as const).every((k) => x.fmt[k] === y.fmt[k]) && x.data.equals(y.data);
}

function readEnergy(file: string): Float32Array | undefined {
  try {
    const b = fs.readFileSync(file);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength - (b.byteLength % 4)));
  } catch {
    return undefined;
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { contextBlocks } from '../audio/contextBlocks';
import { decodeMono, probe } from '../audio/ffmpeg';
import { Limiter } from '../audio/limiter';
import { LoudnessMeter, TruePeakMeter } from '../audio/loudness';
import { WavWriter } from '../audio/wavWriter';
import { Dataset } from '../dataset';
import { cleanStaleTemps, tempPath } from '../util/atomic';
import { hashJson } from '../util/hash';
import { correctLimitedGain, fmtDb, limitedGain, TP_MARGIN } from '../audio/loudnessNormalise';
import { filtered, ZeroPhaseFilter } from '../audio/zeroPhase';
import { openDenoiser } from './denoisers';
import { filterSpecs, humNotches, type CleanOptions } from './cleanOptions';
import type { StageContext, StageReport } from './types';
import { forEachEntry } from './forEachEntry';

const BLOCK_SECONDS = 30; // denoised per call
const CONTEXT_SECONDS = 1; // lead-in each block's denoiser sees and throws away, so its state has settled
const HUM_SECONDS = 60; // hum is looked for in the first minute
const READ_SAMPLES = 1 << 18; // samples per read in the second pass
const MAX_LIMIT_PASSES = 8;

/** Bumped when whole-source cleaning changes, so reruns redo older outputs (2: zero-phase filters). */
const VERSION = 2;

interface Levels {
  lufs: number;
  truePeak: number;
}

const cell = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '');

/**
 * `sds clean --sources`: whole recordings cleaned into clean/sources/<id>.wav, streamed so hours of audio never sit
 * in memory. Pass 1 decodes through the filters (hum notches found in the first minute), denoises 30 s blocks
 * with 1 s of lead-in, and writes the result to a float scratch file while metering loudness and true peak. Pass 2
 * applies one linear gain to the target (or, when that would break the true-peak ceiling, the gain and a look-ahead
 * limiter, said in clean_note), metering the result, into a 16-bit WAV that is renamed into place when whole.
 * sources.csv gains clean_path, clean_rate, clean_note and the levels before and after.
 */
export async function runCleanSources(dir: string, opts: CleanOptions, ctx: StageContext, only?: string[]): Promise<StageReport> {
  const ds = new Dataset(dir, ctx.rows);
  const outDir = path.join(dir, 'clean', 'sources');
  cleanStaleTemps(outDir);
  const report: StageReport = { stage: 'clean sources', processed: 0, skipped: 0, failed: [], summary: [] };
  const sources = ds.readSources().filter((s) => !only?.length || only.includes(s.id));
  if (!sources.length) throw new Error(`${dir}: no sources${only?.length ? ` named ${only.join(', ')}` : ''} (ingest or segment some first)`);
  const denoiser = await openDenoiser(opts.denoise, ds, ctx);
  const key = hashJson({ opts, v: VERSION });
  let limited = 0;
  try {
    await forEachEntry({
      entries: sources, name: (src) => src.path,
      marker: { ds, stage: 'clean-source', of: (src) => ({ id: src.id, key: `${src.sha256}:${key}` }) },
      stillThere: (src) => fs.existsSync(path.join(outDir, `${src.id}.wav`)),
      process: async (src) => {
        const target = path.join(outDir, `${src.id}.wav`);
        const scratch = tempPath(path.join(outDir, `${src.id}.f32`));
        const tmp = tempPath(target);
        try {
          const info = await probe(src.path, ctx.ffmpeg);
          const rate = denoiser.rate ?? info.sampleRate;
          const seconds = info.duration > 0 ? info.duration : NaN;
          const progress = (part: number, s: number) => Number.isFinite(seconds) && ctx.progress({ kind: 'file-progress', file: src.path, fraction: Math.min(1, (part + s / seconds) / 3) });

          // pass 0: the original's levels, and hum in its first minute
          const raw = await measure(decodeMono(src.path, { sampleRate: info.sampleRate, paths: ctx.ffmpeg, signal: ctx.signal }), info.sampleRate, HUM_SECONDS, (s) => progress(0, s));
          const hum = humNotches(opts, raw.head, info.sampleRate);

          // pass 1: filters (zero-phase, streamed) and the denoiser, block by block, into the scratch file
          fs.mkdirSync(outDir, { recursive: true });
          const fd = fs.openSync(scratch, 'w');
          const processed = { loud: new LoudnessMeter(rate), peak: new TruePeakMeter(rate) };
          let written = 0;
          try {
            const chunks = filtered(decodeMono(src.path, { sampleRate: rate, paths: ctx.ffmpeg, signal: ctx.signal }), await ZeroPhaseFilter.design(filterSpecs(opts, hum), rate));
            for await (const y of denoisedBlocks(chunks, rate, denoiser.run ? (x) => denoiser.run!(x, src.id, rate) : undefined)) {
              processed.loud.push(y);
              processed.peak.push(y);
              fs.writeSync(fd, new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
              written += y.length;
              progress(1, written / rate);
            }
          } finally {
            fs.closeSync(fd);
          }

          // pass 2: the gain (and, only if needed, the limiter) into the 16-bit output
          const before: Levels = { lufs: processed.loud.integrated(), truePeak: processed.peak.value() };
          const plan = gainPlan(before, opts);
          const write = (gainDb: number, ceilingDb?: number) => writeWithGain(scratch, tmp, rate, gainDb, ceilingDb, (s) => progress(2, s));
          let after: Levels;
          let note: string;
          if ('note' in plan) {
            after = await write(plan.gainDb);
            note = plan.note;
          } else {
            // limiting takes loudness away (most where short peaks decide the level): the same search as for clips
            // (clean.ts), each step a rerun of the cheap second pass
            const aim = opts.truePeak - TP_MARGIN;
            const g = limitedGain(plan.gainDb, aim);
            after = await write(g.gainDb, g.ceilingDb);
            for (let pass = 1; pass < MAX_LIMIT_PASSES && correctLimitedGain(g, after, opts.loudness, aim); pass++) after = await write(g.gainDb, g.ceilingDb);
            limited++;
            note = `limited: linear gain would peak at ${(before.truePeak + plan.gainDb).toFixed(1)} dBTP; gain ${fmtDb(g.gainDb)} with the limiter came out at ${after.lufs.toFixed(1)} LUFS, ${after.truePeak.toFixed(1)} dBTP`;
          }
          fs.renameSync(tmp, target);
          const rows = ds.readSources();
          const row = rows.find((r) => r.id === src.id)!;
          Object.assign(row, {
            clean_path: path.relative(dir, target).split(path.sep).join('/'), clean_rate: String(rate), clean_hum: hum.join(' '), clean_note: note,
            raw_lufs: cell(raw.lufs), raw_true_peak: cell(raw.truePeak), lufs: cell(after.lufs), true_peak: cell(after.truePeak),
          });
          await ds.writeSources(rows);
          return { detail: note };
        } catch (e) {
          fs.rmSync(tmp, { force: true });
          throw e;
        } finally {
          fs.rmSync(scratch, { force: true });
        }
      },
    }, report, ctx);
  } finally {
    await denoiser.release();
  }
  report.summary = [`${report.processed} sources cleaned into clean/sources/ (${opts.denoise === 'off' ? 'no denoiser' : opts.denoise}, ${Number.isFinite(opts.loudness) ? `${opts.loudness} LUFS, ${opts.truePeak} dBTP` : 'level untouched'})`,
    ...(limited ? [`${limited} sources needed the limiter to stay under ${opts.truePeak} dBTP (see clean_note in sources.csv)`] : [])];
  return report;
}

/** Streams a decode through the meters; keeps its first `headSeconds` (for hum detection). */
async function measure(chunks: AsyncIterable<Float32Array>, rate: number, headSeconds: number, onProgress: (s: number) => void): Promise<Levels & { head: Float32Array }> {
  const loud = new LoudnessMeter(rate);
  const peak = new TruePeakMeter(rate);
  const head = new Float32Array(Math.round(headSeconds * rate));
  let n = 0;
  for await (const x of chunks) {
    if (n < head.length) head.set(x.subarray(0, head.length - n), n);
    n += x.length;
    loud.push(x);
    peak.push(x);
    onProgress(n / rate);
  }
  return { lufs: loud.integrated(), truePeak: peak.value(), head: head.subarray(0, Math.min(n, head.length)) };
}

/**
 * The decoded audio in 30 s blocks through `denoise`, each given 1 s of what came before as lead-in (then cut), so
 * a stateful enhancer starts every block settled; without a denoiser the chunks pass as they are.
 */
async function* denoisedBlocks(chunks: AsyncIterable<Float32Array>, rate: number, denoise?: (x: Float32Array) => Promise<Float32Array>): AsyncGenerator<Float32Array> {
  if (!denoise) {
    yield* chunks;
    return;
  }
  for await (const { x, lead, keep } of contextBlocks(chunks, { channels: 1, block: BLOCK_SECONDS * rate, before: CONTEXT_SECONDS * rate, after: 0 })) {
    yield (await denoise(x)).slice(lead, lead + keep);
  }
}

/**
 * The same decision as for clips (clean.ts normaliseLoudness), made once for the whole recording: a linear gain
 * (with its note), or the gain to the target when it would break the true-peak limit and needs the limiter.
 */
function gainPlan(levels: Levels, opts: CleanOptions): { gainDb: number; note: string } | { gainDb: number } {
  if (!Number.isFinite(opts.loudness)) return { gainDb: 0, note: 'level left alone' };
  if (!Number.isFinite(levels.lufs)) return { gainDb: 0, note: 'silent: level left alone' };
  const gainDb = opts.loudness - levels.lufs;
  if (levels.truePeak + gainDb <= opts.truePeak - TP_MARGIN) return { gainDb, note: `linear ${fmtDb(gainDb)}` };
  return { gainDb };
}

/** Pass 2: scratch floats -> gain (and the limiter at `ceilingDb`, if given) -> 16-bit WAV, metered on the way. */
async function writeWithGain(scratch: string, out: string, rate: number, gainDb: number, ceilingDb: number | undefined, onProgress: (s: number) => void): Promise<Levels> {
  const g = 10 ** (gainDb / 20);
  const limiter = ceilingDb === undefined ? undefined : new Limiter(rate, 10 ** (ceilingDb / 20));
  const loud = new LoudnessMeter(rate);
  const peak = new TruePeakMeter(rate);
  const writer = new WavWriter(out, rate);
  const fd = fs.openSync(scratch, 'r');
  const bytes = Buffer.alloc(READ_SAMPLES * 4);
  let done = 0;
  const emit = (y: Float32Array) => {
    loud.push(y);
    peak.push(y);
    writer.write(y);
  };
  try {
    for (;;) {
      const n = fs.readSync(fd, bytes, 0, bytes.length, null);
      if (n <= 0) break;
      const x = new Float32Array(n >> 2);
      new Uint8Array(x.buffer).set(bytes.subarray(0, x.length * 4));
      for (let i = 0; i < x.length; i++) x[i] *= g;
      emit(limiter ? limiter.push(x) : x);
      done += x.length;
      onProgress(done / rate);
    }
    if (limiter) emit(limiter.flush());
  } finally {
    fs.closeSync(fd);
    writer.close();
  }
  return { lufs: loud.integrated(), truePeak: peak.value() };
}

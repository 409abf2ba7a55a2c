import * as fs from 'node:fs';
import * as path from 'node:path';
import { collect, decodeMono, resample, type FfmpegPaths } from '../audio/ffmpeg';
import { detectHum } from '../audio/hum';
import { limit } from '../audio/limiter';
import { applyGain, integratedLoudness, truePeak } from '../audio/loudness';
import { measureClip, metricCells } from '../audio/metrics';
import { readClip } from '../audio/readClip';
import { encodeWav } from '../audio/wav';
import { Dataset } from '../dataset';
import { adaptiveGate } from '../enhance/adaptiveGate';
import { Dtln } from '../enhance/dtln';
import { Gtcrn } from '../enhance/gtcrn';
import { OnnxWaveformEnhancer } from '../enhance/onnxWaveform';
import { Rnnoise, RNNOISE_RATE } from '../enhance/rnnoise';
import { noiseProfile, spectralGate, type NoiseProfile } from '../enhance/spectralGate';
import { parseSegmentCsv, SEGMENT_LABELS } from '../formats/segmentTable';
import type { Row } from '../formats/csvTable';
import { cleanPathFor, normalRel, ownedClip } from './clipPaths';
import { cleanStaleTemps, writeFileAtomic } from '../util/atomic';
import { hashJson } from '../util/hash';
import { forEachEntry } from './forEachEntry';
import { filterGraph, type CleanOptions } from './cleanOptions';
import { errorMessage, inScope, type StageContext, type StageReport } from './types';

/** Denoises one clip; `source` and `rate` let the gate use its source's noise profile. */
type Denoiser = (x: Float32Array, source: string, rate: number) => Promise<Float32Array>;

/** Learned enhancers run at 16 kHz; the clip is resampled around them and keeps that rate. */
const MODEL_RATE = 16000;

/**
 * `rate`: the rate the denoiser runs at (the clip is filtered and resampled to it by ffmpeg); `back`: whether the
 * result goes back to the clip's own rate (RNNoise runs at 48 kHz but adds nothing above the source's band).
 */
export async function openDenoiser(name: string, ds: Dataset, ctx: StageContext): Promise<{ run?: Denoiser; rate?: number; back?: boolean; release: () => Promise<void> }> {
  const log = ctx.log;
  if (name === 'rnnoise') {
    const r = await Rnnoise.open();
    return { run: async (x) => r.process(x), rate: RNNOISE_RATE, back: true, release: async () => undefined };
  }
  if (name.endsWith('.onnx')) {
    if (!fs.existsSync(name)) throw new Error(`${name}: denoiser model not found`);
    const e = await OnnxWaveformEnhancer.open(name, log);
    return { run: (x) => e.process(x), rate: MODEL_RATE, release: () => e.release() };
  }
  if (name === 'dtln') {
    const d = await Dtln.open(log);
    return { run: (x) => d.process(x), rate: MODEL_RATE, release: () => d.release() };
  }
  if (name === 'gtcrn') {
    const g = await Gtcrn.open(log);
    return { run: (x) => g.process(x), rate: MODEL_RATE, release: () => g.release() };
  }
  if (name === 'gate-nonstationary' || name === 'wiener') {
    const mode = name === 'wiener' ? 'wiener' : 'gate';
    return { run: (x, _source, rate) => adaptiveGate(x, { rate, mode }), release: async () => undefined };
  }
  if (name === 'gate') {
    const profiles = new SourceNoiseProfiles(log);
    return { run: async (x, source, rate) => spectralGate(x, await profiles.get(ds, source, rate, ctx.ffmpeg)), release: async () => undefined };
  }
  return { release: async () => undefined };
}

/**
 * Noise profiles for spectral gating, one per source, from the source's own noise and noEnergy segments (up to 10 s,
 * the Audacity way without picking by hand). Undefined when a source has none: the gate then profiles each clip's
 * quietest frames.
 */
class SourceNoiseProfiles {
  private readonly cache = new Map<string, Promise<NoiseProfile | undefined>>();

  constructor(private readonly log: (m: string) => void) {}

  get(ds: Dataset, source: string, rate: number, paths: FfmpegPaths): Promise<NoiseProfile | undefined> {
    const key = `${source}@${rate}`;
    if (!this.cache.has(key)) this.cache.set(key, this.load(ds, source, rate, paths).catch((e) => void this.log(`gate: ${source}: ${errorMessage(e)}`)));
    return this.cache.get(key)!;
  }

  private async load(ds: Dataset, source: string, rate: number, paths: FfmpegPaths): Promise<NoiseProfile | undefined> {
    const src = ds.readSources().find((r) => r.id === source);
    if (!src || !fs.existsSync(ds.segmentsCsv(source))) return undefined;
    const spans = parseSegmentCsv(fs.readFileSync(ds.segmentsCsv(source), 'utf8')).filter((s) => s.label === 'noise' || s.label === 'noEnergy');
    const parts: Float32Array[] = [];
    let total = 0;
    for (const s of spans) {
      if (total >= 10) break;
      const dur = Math.min(s.stop - s.start, 10 - total);
      const x = await collect(decodeMono(src.path, { sampleRate: rate, paths, inputArgs: ['-ss', String(s.start), '-t', String(dur)] }));
      // digital silence tells nothing about the noise floor
      if (x.some((v) => v !== 0)) {
        parts.push(x);
        total += dur;
      }
    }
    if (total < 0.5) {
      this.log(`gate: ${source}: no noise or noEnergy segments with sound; each clip is profiled from its quietest frames`);
      return undefined;
    }
    this.log(`gate: ${source}: noise profile from ${total.toFixed(1)} s of its noise/noEnergy segments`);
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return noiseProfile(all);
  }
}

export interface LoudnessResult {
  y: Float32Array;
  note: string;
  /** loudness and true peak of `y` when known without measuring again (linear gain shifts both by the gain) */
  known?: { lufs: number; truePeak: number };
}

/**
 * Two-pass EBU R128: measure, then one linear gain to the target. When that gain would push the true peak over the
 * ceiling, the gain is kept (loudness on target) and a look-ahead limiter holds the peaks, and the note says so;
 * never a silent switch to dynamic compression.
 */
export function normaliseLoudness(x: Float32Array, fs: number, target: number, ceilingDb: number): LoudnessResult {
  const I = integratedLoudness(x, fs);
  if (!Number.isFinite(I)) return { y: x, note: 'silent: level left alone' };
  const gainDb = target - I;
  const tp = truePeak(x, fs);
  const scaled = (g: number) => applyGain(x, g);
  if (tp + gainDb <= ceilingDb - TP_MARGIN) return { y: scaled(gainDb), note: `linear ${fmtDb(gainDb)}`, known: { lufs: target, truePeak: tp + gainDb } };
  // limiter, then correct the loudness it took away and the inter-sample peaks it cannot see (it works on
  // samples, the meter on 4x-oversampled peaks); a few passes converge
  // (under heavy limiting loudness grows slower than the gain, so the error shrinks by a factor each pass)
  const aim = ceilingDb - TP_MARGIN;
  let y = x;
  const g = limitedGain(gainDb, aim);
  for (let pass = 0; pass < 12; pass++) {
    y = limit(scaled(g.gainDb), fs, 10 ** (g.ceilingDb / 20));
    if (!correctLimitedGain(g, { lufs: integratedLoudness(y, fs), truePeak: truePeak(y, fs) }, target, aim)) break;
  }
  const over = truePeak(y, fs) - aim;
  if (over > 0) y = applyGain(y, -over);
  return { y, note: `limited: linear gain ${fmtDb(g.gainDb)} would peak at ${(tp + g.gainDb).toFixed(1)} dBTP` };
}

/** Where the search for a limited gain stands: the gain (dB) and the sample limiter's ceiling (dBFS). */
export interface LimitedGain {
  gainDb: number;
  ceilingDb: number;
}

/** The search starts at the gain to the target, the limiter 0.2 dB under the aim for the inter-sample peaks it cannot see. */
export const limitedGain = (gainDb: number, aim: number): LimitedGain => ({ gainDb, ceilingDb: aim - 0.2 });

/**
 * One step of that search, from what the last pass came out at: the limiter took loudness away (add it back to the
 * gain) and missed inter-sample peaks (lower its ceiling by them). False once on target and under the aim.
 */
export function correctLimitedGain(g: LimitedGain, out: { lufs: number; truePeak: number }, target: number, aim: number): boolean {
  const errI = target - out.lufs;
  const over = out.truePeak - aim;
  if (Math.abs(errI) < 0.05 && over <= 0) return false;
  g.gainDb += errI;
  if (over > 0) g.ceilingDb -= over + 0.02;
  return true;
}

/** Headroom kept under the ceiling: meters differ by a few hundredths of a dB in their oversampling. */
export const TP_MARGIN = 0.2;

/** Bumped when cleaning changes what it writes, so reruns clean again clips cleaned by older code. */
export const CLEAN_VERSION = 1;

export const fmtDb = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} dB`;

/**
 * Cleaned files (`clean/<label>/<source>_<nnnn>.wav`, as clean writes them for slice's clips) whose clip is no
 * longer in clips.csv: a re-slice moved the clip to another label or dropped it. Only sources in the run's scope.
 */
function removeOrphans(ds: Dataset, rows: Row[], ctx: StageContext): number {
  const live = new Set(rows.map((r) => r.clean_path && normalRel(r.clean_path)).filter(Boolean));
  const ids = new Set(ds.readSources().map((s) => s.id).filter((id) => inScope(ctx, id)));
  let removed = 0;
  for (const label of SEGMENT_LABELS) {
    const dir = path.join(ds.dir, 'clean', label);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      const m = /^(.+)_\d{4,}\.wav$/.exec(f);
      const rel = `clean/${label}/${f}`;
      if (!m || !ids.has(m[1]) || !ownedClip(`clips/${label}/${f}`, m[1]) || live.has(rel)) continue;
      fs.rmSync(path.join(dir, f), { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Cleans every clip in clips.csv into <dir>/clean/<label>/<name>.wav and adds the before/after metrics and the
 * cleaned path to clips.csv. Raw clips and originals are never written.
 */
export async function runClean(outDir: string, opts: CleanOptions, ctx: StageContext, only?: string[]): Promise<StageReport> {
  const ds = new Dataset(outDir, ctx.rows);
  cleanStaleTemps(path.join(outDir, 'clean'));
  const report: StageReport = { stage: 'clean', processed: 0, skipped: 0, failed: [], summary: [] };
  const rows = ds.readClips();
  if (!rows.length) {
    report.failed.push({ file: ds.clipsCsv, error: `no clips in ${ds.clipsCsv}: run slice first` });
    return report;
  }
  const denoiser = await openDenoiser(opts.denoise, ds, ctx);
  const key = hashJson({ opts, v: CLEAN_VERSION });
  let limited = 0;
  let changed = 0;
  try {
    const where = (row: Row) => {
      const outRel = cleanPathFor(row.path);
      return { input: path.resolve(outDir, row.path), outRel, output: path.join(outDir, outRel), id: row.path.replace(/[\\/]/g, '__') };
    };
    // a marker is keyed by the clip's size and time stamp: a clip cut again is cleaned again
    const inputKey = (input: string) => {
      const st = fs.statSync(input, { throwIfNoEntry: false });
      return st?.isFile() ? `${key}:${st.size}:${Math.round(st.mtimeMs)}` : undefined;
    };
    await forEachEntry({
      entries: only ? rows.filter((r) => only.includes(r.path)) : rows, jobs: ctx.jobs, name: (row) => where(row).input, source: (row) => row.source,
      marker: { ds, stage: 'clean', of: (row) => {
        const k = only ? undefined : inputKey(where(row).input);
        return k ? { id: where(row).id, key: k } : undefined;
      } },
      // done before: a run killed before it wrote clips.csv left the row's cells in the marker
      stillThere: (row, record) => fs.existsSync(where(row).output) && !!(row.clean_path || record),
      restore: (row, record) => {
        if (row.clean_path || !record) return;
        Object.assign(row, JSON.parse(record));
        changed++;
      },
      process: async (row) => {
        const { input, outRel, output } = where(row);
        // written only under clean/, never over the clip or anything outside the dataset
        if (!output.startsWith(path.join(path.resolve(outDir), 'clean') + path.sep) || output === input) throw new Error(`refusing to write ${output}: cleaned clips go under clean/ only`);
        if (!fs.statSync(input).isFile()) throw new Error('not a file');
        const rate = Number(row.sample_rate) || 16000;
        const raw = await readClip(input, rate, ctx.ffmpeg);
        if (!raw.length) throw new Error('contains no samples');
        const hum = opts.dehum === 'off' ? [] : opts.dehum === 'auto' ? detectHum(raw, rate)?.harmonics ?? [] : [50, 100, 150, 200].map((h) => (h * Number(opts.dehum)) / 50);
        let outRate = denoiser.rate ?? rate;
        // ffmpeg filters (and resamples for 16 kHz enhancers) straight from the clip file
        const graph = filterGraph(opts, hum);
        let y = !graph && outRate === rate ? raw : await collect(decodeMono(input, { sampleRate: outRate, paths: ctx.ffmpeg, signal: ctx.signal, filter: graph || undefined }));
        if (denoiser.run) y = await denoiser.run(y, row.source, outRate);
        if (denoiser.back && outRate !== rate) {
          y = await resample(y, outRate, rate, ctx.ffmpeg);
          outRate = rate;
        }
        let note = Number.isFinite(opts.loudness) ? '' : 'level left alone';
        let known: LoudnessResult['known'];
        if (Number.isFinite(opts.loudness)) ({ y, note, known } = normaliseLoudness(y, outRate, opts.loudness, opts.truePeak));
        if (note.startsWith('limited')) limited++;
        await writeFileAtomic(output, encodeWav(y, outRate));
        const cells = {
          ...metricCells(measureClip(raw, rate), 'raw_'), ...metricCells(measureClip(y, outRate, known), ''),
          clean_path: outRel,
          clean_rate: String(outRate),
          clean_hum: hum.join(' '),
          clean_note: note,
          clean_target: Number.isFinite(opts.loudness) ? String(opts.loudness) : '',
        };
        Object.assign(row, cells);
        changed++;
        return { detail: note, record: JSON.stringify(cells) };
      },
    }, report, ctx);
  } finally {
    await denoiser.release();
    // a run that changed no row leaves the table as it was
    if (changed) await ds.writeClips(rows);
  }
  const gone = removeOrphans(ds, rows, ctx);
  report.summary = [`${report.processed} clips cleaned into clean/ (${opts.denoise === 'off' ? 'no denoiser' : opts.denoise}, ${Number.isFinite(opts.loudness) ? `${opts.loudness} LUFS, ${opts.truePeak} dBTP` : 'level untouched'})`,
    ...(limited ? [`${limited} clips needed the limiter to stay under ${opts.truePeak} dBTP (see clean_note)`] : []),
    ...(gone ? [`${gone} cleaned files of clips a re-slice moved or dropped were removed`] : [])];
  return report;
}

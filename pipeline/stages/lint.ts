import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { measureClip } from '../audio/metrics';
import { decodeWav } from '../audio/wav';
import { Dataset } from '../dataset';
import { DEFAULT_SLICE } from './slicePlan';
import { SAME_SPEAKER_MIN_SIM } from './speaker';
import type { StageReport } from './types';

export type Severity = 'error' | 'warning' | 'info';

export interface LintDiagnostic {
  /** 1-based line in clips.csv (the header is line 1); 1 for dataset-wide findings */
  line: number;
  path: string;
  severity: Severity;
  code: 'missing' | 'clipped' | 'too-short' | 'too-long' | 'low-snr' | 'loudness' | 'silent' | 'long-silence' | 'mixed-rates' | 'duplicate' | 'unreadable' | 'low-similarity';
  message: string;
}

export interface LintOptions {
  min: number;
  max: number;
  minSnr: number;
  /** expected loudness (LUFS) of cleaned clips; NaN: do not check */
  loudness: number;
  maxSilence: number;
  maxClipping: number;
}

export const DEFAULT_LINT: LintOptions = { min: DEFAULT_SLICE.min, max: DEFAULT_SLICE.max, minSnr: 15, loudness: -23, maxSilence: 0.5, maxClipping: 0.001 };

/** What a dataset's clips.csv says about quality problems, row by row; metrics absent from the table are measured. */
export function lintDataset(dir: string, opts: LintOptions = DEFAULT_LINT): LintDiagnostic[] {
  const ds = new Dataset(dir);
  // a mistyped folder would otherwise lint as a clean, empty dataset
  if (!fs.existsSync(ds.clipsCsv)) return [{ line: 1, path: 'clips.csv', severity: 'error', code: 'missing', message: `no clip table in ${dir}: run slice first` }];
  const rows = ds.readClips();
  const out: LintDiagnostic[] = [];
  const hashes = new Map<string, number>();
  const rates = new Map<string, number>();
  rows.forEach((r, i) => {
    const line = i + 2;
    const add = (severity: Severity, code: LintDiagnostic['code'], message: string) => out.push({ line, path: r.path, severity, code, message });
    if (r.excluded === 'yes') return;
    const file = path.join(dir, r.clean_path || r.path);
    if (!fs.existsSync(file)) return add('error', 'missing', `${r.clean_path || r.path} is listed but missing on disk`);
    rates.set(r.clean_rate || r.sample_rate, (rates.get(r.clean_rate || r.sample_rate) ?? 0) + 1);
    const bytes = fs.readFileSync(file);
    const h = createHash('sha256').update(bytes.subarray(44)).digest('hex');
    if (hashes.has(h)) add('warning', 'duplicate', `same audio as line ${hashes.get(h)}`);
    else hashes.set(h, line);
    let m = { lufs: num(r.lufs), snr: num(r.snr), clipping: num(r.clipping), silence: num(r.silence), duration: num(r.duration) };
    if ([m.lufs, m.snr, m.clipping, m.silence].some(Number.isNaN) && r.lufs !== '-inf') {
      const wav = decodeWav(bytes);
      if (!wav) return add('error', 'unreadable', `${r.path} is not a PCM WAV file`);
      const mm = measureClip(wav.samples, wav.rate);
      m = { lufs: mm.lufs, snr: mm.snr, clipping: mm.clipping, silence: mm.silence, duration: mm.duration };
    }
    if (m.lufs === -Infinity || r.lufs === '-inf') return add('warning', 'silent', 'the clip is silent');
    if (m.duration < opts.min) add('warning', 'too-short', `${m.duration.toFixed(2)} s is under ${opts.min} s`);
    if (m.duration > opts.max) add('warning', 'too-long', `${m.duration.toFixed(2)} s is over ${opts.max} s`);
    if (m.clipping > opts.maxClipping) add('warning', 'clipped', `${(100 * m.clipping).toFixed(2)}% of samples at full scale`);
    if (m.snr < opts.minSnr) add('warning', 'low-snr', `estimated SNR ${m.snr.toFixed(1)} dB is under ${opts.minSnr} dB`);
    // the target the clip was cleaned to, when clean recorded one
    const target = r.clean_target ? Number(r.clean_target) : opts.loudness;
    if (r.clean_path && Number.isFinite(target) && Math.abs(m.lufs - target) > 1) add('warning', 'loudness', `${m.lufs.toFixed(1)} LUFS, target ${target}`);
    if (m.silence > opts.maxSilence) add('info', 'long-silence', `${(100 * m.silence).toFixed(0)}% of the clip is silence`);
  });
  // speaker similarity (sds speaker score): kept clips that do not sound like the enrolled speaker
  for (const col of [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => c.startsWith('similarity_'))) {
    rows.forEach((r, i) => {
      const v = Number(r[col]);
      if (r.excluded === 'yes' || r[col] === '' || r[col] === undefined || !(v < SAME_SPEAKER_MIN_SIM)) return;
      out.push({ line: i + 2, path: r.path, severity: 'warning', code: 'low-similarity', message: `${col} ${v.toFixed(3)} is under ${SAME_SPEAKER_MIN_SIM}: probably another voice` });
    });
  }
  if (rates.size > 1) {
    out.push({ line: 1, path: ds.clipsCsv, severity: 'warning', code: 'mixed-rates', message: `mixed sample rates: ${[...rates].map(([r, n]) => `${n} clips at ${r} Hz`).join(', ')}` });
  }
  return out;
}

const num = (s: string | undefined) => (s === undefined || s === '' ? NaN : Number(s));

export function lintReport(dir: string, diagnostics: LintDiagnostic[], strict: boolean): StageReport {
  const count = (s: Severity) => diagnostics.filter((d) => d.severity === s).length;
  const failing = diagnostics.filter((d) => d.severity === 'error' || (strict && d.severity === 'warning'));
  return {
    stage: 'lint', processed: 1, skipped: 0,
    failed: failing.map((d) => ({ file: path.join(dir, d.path), error: `clips.csv:${d.line}: ${d.severity} [${d.code}] ${d.path}: ${d.message}` })),
    summary: [`${count('error')} errors, ${count('warning')} warnings, ${count('info')} notes`, ...diagnostics.map((d) => `clips.csv:${d.line}: ${d.severity} [${d.code}] ${d.path}: ${d.message}`)],
    diagnostics,
  };
}

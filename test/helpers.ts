import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collect, decodeMono } from '../pipeline/audio/ffmpeg';

export const ROOT = path.resolve(__dirname, '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const fixture = (...p: string[]) => path.join(FIXTURES, ...p);

export function tmpDir(prefix = 'sds-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs ffmpeg with `args` (inputs and filters), quietly, failing the test on error. */
export function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);
}

/** Real synthetic speech from espeak-ng, written as a 16 kHz mono WAV. */
export function espeak(text: string, out: string, voice = 'en'): string {
  const raw = out + '.raw.wav';
  execFileSync('espeak-ng', ['-v', voice, '-w', raw, text]);
  ffmpeg('-i', raw, '-ar', '16000', '-ac', '1', out);
  fs.rmSync(raw);
  return out;
}

/** Two "emotions" espeak-ng can act: low, slow and soft against high, fast and loud. */
export const ACTED_STYLES: Record<string, string[]> = { calm: ['-s', '120', '-p', '25', '-a', '60'], excited: ['-s', '230', '-p', '85', '-a', '190'] };
export const ACTED_SENTENCES = ['The boat is in the harbour today.', 'Please bring the papers to my office.', 'We walked along the river after dinner.',
  'Nobody told me the train was late.', 'Open the window, the room is warm.'];

/** espeak-ng speech in one of ACTED_STYLES, as a 16 kHz mono WAV. */
export function espeakActed(text: string, style: string, voice: string, out: string): string {
  const raw = out + '.raw.wav';
  execFileSync('espeak-ng', ['-v', voice, ...ACTED_STYLES[style], '-w', raw, text]);
  ffmpeg('-i', raw, '-ar', '16000', '-ac', '1', out);
  fs.rmSync(raw);
  return out;
}

export function decodeAll(file: string, sampleRate = 16000): Promise<Float32Array> {
  return collect(decodeMono(file, { sampleRate }));
}

/** Sample rate, channels, bits and frame count straight from a PCM WAV header. */
export function wavInfo(file: string): { rate: number; channels: number; bits: number; frames: number } {
  const b = fs.readFileSync(file);
  let off = 12;
  let fmt = { rate: 0, channels: 0, bits: 0 };
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') fmt = { channels: b.readUInt16LE(off + 10), rate: b.readUInt32LE(off + 12), bits: b.readUInt16LE(off + 22) };
    if (id === 'data') return { ...fmt, frames: Math.min(size, b.length - off - 8) / (fmt.channels * fmt.bits / 8) };
    off += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

/** Fraction of 10 ms frames on which two label sequences agree, after mapping labels through `map`. */
export function agreement(a: string[], b: string[], map: (l: string) => string = (l) => l): number {
  const n = Math.min(a.length, b.length);
  let ok = 0;
  for (let i = 0; i < n; i++) if (map(a[i]) === map(b[i])) ok++;
  return ok / n;
}

export const fourClass = (l: string) => (l === 'male' || l === 'female' ? 'speech' : l);
export const speechOrNot = (l: string) => (['male', 'female', 'speech'].includes(l) ? 'speech' : 'non');

/** ffmpeg's own EBU R128 meter (it prints to stderr): the independent reference. */
export function ffmpegMeter(file: string, rate: number): { I: number; TP: number } {
  return parseMeter(spawnSync('ffmpeg', ['-nostdin', '-hide_banner', '-i', file, '-af', `aresample=${rate},aformat=channel_layouts=mono,ebur128=peak=true`, '-f', 'null', '-'], { encoding: 'utf8' }).stderr);
}
function parseMeter(text: string) {
  const I = Number(/I:\s+(-?[\d.]+) LUFS/.exec(text.split('Summary:').pop()!)![1]);
  const TP = Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(text.split('Summary:').pop()!)![1]);
  return { I, TP };
}


export const CLI = path.join(ROOT, 'dist', 'cli.js');
/** The built `sds` CLI, run to completion. */
export const sds = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
/** The same, with no progress lines (-q). */
export const sdsQuiet = (...args: string[]) => sds(...args, '-q');

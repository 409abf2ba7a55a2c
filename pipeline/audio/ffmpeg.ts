import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** Thrown when ffmpeg/ffprobe cannot be run at all (as opposed to failing on one file). */
export class FfmpegMissingError extends Error {
  constructor(bin: string) {
    super(
      `ffmpeg not found (tried "${bin}"). Install it (Debian/Ubuntu: sudo apt-get install -y ffmpeg; ` +
        `macOS: brew install ffmpeg; Windows: winget install ffmpeg) or set sds.ffmpegPath / --ffmpeg.`,
    );
    this.name = 'FfmpegMissingError';
  }
}

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
}

/** ffprobe is looked up next to a user-supplied ffmpeg so one setting configures both. */
export function ffmpegPaths(ffmpeg = process.env.SDS_FFMPEG || 'ffmpeg'): FfmpegPaths {
  const ffprobe = ffmpeg.replace(/ffmpeg(\.exe)?$/i, (_m, ext) => `ffprobe${ext ?? ''}`);
  return { ffmpeg, ffprobe: ffprobe === ffmpeg ? 'ffprobe' : ffprobe };
}

export function assertFfmpeg(paths: FfmpegPaths): void {
  for (const bin of [paths.ffmpeg, paths.ffprobe]) {
    const r = spawnSync(bin, ['-version'], { stdio: 'ignore' });
    if (r.error || r.status !== 0) throw new FfmpegMissingError(bin);
  }
}

export interface MediaInfo {
  duration: number;
  sampleRate: number;
  channels: number;
  codec: string;
}

/** Reads the first audio stream's properties; rejects with a message naming the file. */
export async function probe(file: string, paths = ffmpegPaths()): Promise<MediaInfo> {
  const size = (await fs.promises.stat(file)).size;
  if (size === 0) throw new Error(`${file}: empty file (0 bytes)`);
  const args = ['-v', 'error', '-select_streams', 'a:0', '-show_entries',
    'stream=codec_name,sample_rate,channels,duration:format=duration', '-of', 'json', file];
  const { stdout, stderr, code } = await runProcess(paths.ffprobe, args);
  if (code !== 0) {
    const why = firstLine(stderr).split(`${file}: `).join('') || `ffprobe exit ${code}`;
    throw new Error(`${file}: not readable as audio (${why})`);
  }
  const json = JSON.parse(stdout) as { streams?: Record<string, string>[]; format?: { duration?: string } };
  const s = json.streams?.[0];
  if (!s) throw new Error(`${file}: contains no audio stream`);
  const duration = Number(s.duration ?? json.format?.duration);
  return {
    duration: Number.isFinite(duration) ? duration : NaN,
    sampleRate: Number(s.sample_rate),
    channels: Number(s.channels),
    codec: s.codec_name,
  };
}

export interface DecodeOptions {
  sampleRate: number;
  signal?: AbortSignal;
  paths?: FfmpegPaths;
  /** options placed before -i (e.g. the format of raw input) */
  inputArgs?: string[];
  /** an ffmpeg audio filter chain applied before the conversion to mono at `sampleRate` */
  filter?: string;
  /** channels out, interleaved (default 1: ffmpeg's own downmix, (L + R) / sqrt 2 for stereo) */
  channels?: number;
}

/**
 * Streams a file as mono float32 at the requested rate (or `channels` interleaved). Memory stays flat: chunks arrive as ffmpeg produces them
 * and the consumer's pace back-pressures ffmpeg through the pipe.
 */
export async function* decodeMono(file: string, opts: DecodeOptions): AsyncGenerator<Float32Array> {
  const args = [...(opts.filter ? ['-af', opts.filter] : []), '-ac', String(opts.channels ?? 1), '-ar', String(opts.sampleRate), '-f', 'f32le', '-acodec', 'pcm_f32le'];
  let carry = Buffer.alloc(0);
  for await (const chunk of ffmpegStream(file, args, opts)) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const usable = buf.length - (buf.length % (4 * (opts.channels ?? 1))); // whole sample frames only
    carry = Buffer.from(buf.subarray(usable));
    if (usable === 0) continue;
    // Copy into an aligned buffer: Node's pooled Buffers may start at an odd byte offset.
    const out = new Float32Array(usable / 4);
    new Uint8Array(out.buffer).set(buf.subarray(0, usable));
    // a float file with NaN or infinite samples reads as silence to every energy measure: stop, never guess
    if (!allFinite(out)) throw new NonFiniteSamplesError(file);
    yield out;
  }
}

/**
 * The raw bytes ffmpeg writes to its stdout for the first audio stream of `file`, `outputArgs` saying in what form,
 * as they come (the consumer's pace back-pressures ffmpeg through the pipe). An exit that is not clean is an error
 * naming the file; an abort kills ffmpeg.
 */
export async function* ffmpegStream(file: string, outputArgs: string[], opts: { paths?: FfmpegPaths; signal?: AbortSignal; inputArgs?: string[] } = {}): AsyncGenerator<Buffer> {
  const paths = opts.paths ?? ffmpegPaths();
  const args = ['-nostdin', '-v', 'error', ...(opts.inputArgs ?? []), '-i', file, '-vn', '-map', '0:a:0', ...outputArgs, 'pipe:1'];
  const proc = spawn(paths.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { if (stderr.length < 4000) stderr += d.toString(); });
  const exited = new Promise<number>((resolve, reject) => {
    proc.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new FfmpegMissingError(paths.ffmpeg) : e));
    proc.on('close', (code) => resolve(code ?? -1));
  });
  const onAbort = () => proc.kill('SIGKILL');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      opts.signal?.throwIfAborted();
      yield chunk;
    }
    const code = await exited;
    opts.signal?.throwIfAborted();
    if (code !== 0) throw new Error(`${file}: ffmpeg could not decode it (${firstLine(stderr).split(`${file}: `).join('') || `exit ${code}`})`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}

export class NonFiniteSamplesError extends Error {
  constructor(file: string) {
    super(`${file}: contains NaN or infinite samples (a float file written with errors): repair it, e.g. ffmpeg -i in.wav -af "aeval='if(isnan(val(0))+isinf(val(0)),0,val(0))'" out.wav`);
  }
}

/** True when no sample is NaN or infinite (x * 0 is NaN for both, so one sum tells). */
export function allFinite(x: Float32Array): boolean {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * 0;
  return s === 0;
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
}

/** Runs a program to completion, collecting its output (ffprobe, one-shot ffmpeg jobs). */
export function runProcess(bin: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new FfmpegMissingError(bin) : e));
    p.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}


/** Resamples float samples with ffmpeg's resampler (stdin -> stdout, nothing on disk). */
export function resample(x: Float32Array, from: number, to: number, paths = ffmpegPaths()): Promise<Float32Array> {
  if (from === to) return Promise.resolve(x);
  return new Promise((resolve, reject) => {
    const p = spawn(paths.ffmpeg, ['-nostdin', '-v', 'error', '-f', 'f32le', '-ar', String(from), '-ac', '1', '-i', 'pipe:0', '-ar', String(to), '-f', 'f32le', 'pipe:1']);
    const chunks: Buffer[] = [];
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => chunks.push(d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    p.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new FfmpegMissingError(paths.ffmpeg) : e));
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg could not resample (${firstLine(stderr)})`));
      const b = Buffer.concat(chunks);
      const out = new Float32Array(Math.floor(b.length / 4));
      new Uint8Array(out.buffer).set(b.subarray(0, out.length * 4));
      resolve(out);
    });
    p.stdin.on('error', () => undefined); // ffmpeg exiting early is reported through 'close'
    p.stdin.end(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  });
}

/** Joins a decoded stream into one array: for clips and short files only (long audio is streamed). */
export async function collect(chunks: AsyncIterable<Float32Array>): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for await (const c of chunks) parts.push(c);
  // always an array of its own: a chunk may be a view on a larger (pooled) buffer
  return parts.length === 1 ? parts[0].slice() : concatSamples(parts);
}

/** The parts one after another in one array (a single part is returned as it is). */
export function concatSamples(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

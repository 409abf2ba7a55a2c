import { ffmpegPaths, runProcess, type FfmpegPaths } from './ffmpeg';

/**
 * Writes samples [startSample, endSample) of `file` at its native rate as 16-bit (or 24-bit for deeper sources)
 * mono PCM WAV. Input seeking gets near the start cheaply; atrim then fixes the exact sample count.
 */
export async function cutClip(
  file: string,
  out: string,
  startSample: number,
  endSample: number,
  rate: number,
  opts: { paths?: FfmpegPaths; deep?: boolean } = {},
): Promise<void> {
  const paths = opts.paths ?? ffmpegPaths();
  const args = ['-nostdin', '-v', 'error', '-y', '-ss', (startSample / rate).toFixed(6), '-i', file, '-vn', '-map', '0:a:0',
    '-af', `atrim=end_sample=${endSample - startSample}`, '-ac', '1', '-ar', String(rate),
    '-c:a', opts.deep ? 'pcm_s24le' : 'pcm_s16le', '-f', 'wav', out];
  const r = await runProcess(paths.ffmpeg, args);
  if (r.code !== 0) throw new Error(`${file}: could not cut ${startSample}-${endSample} (${r.stderr.trim().split('\n')[0]})`);
}

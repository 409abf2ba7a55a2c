// The bench's long programmes (built from ../shared/audio or the bundled fixtures) and the ffmpeg decode floor.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const OUT = path.join(ROOT, 'bench-out');
export const SHARED = path.resolve(ROOT, '..', 'shared', 'audio');

/** A base recording of everything at hand (music, noise, speech, dialogue), looped to the wanted length. */
export function buildLong(minutes: number): string {
  const file = path.join(OUT, `long-${minutes}min.wav`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(OUT, { recursive: true });
  const base = path.join(OUT, 'base.wav');
  if (!fs.existsSync(base)) {
    const parts = fs.existsSync(SHARED)
      ? [path.join(SHARED, 'ina', 'musanmix.wav'), path.join(SHARED, 'diarization', 'sample.wav'),
         ...fs.readdirSync(path.join(SHARED, 'librispeech', 'train-clean-100')).filter((f) => f.endsWith('.flac')).map((f) => path.join(SHARED, 'librispeech', 'train-clean-100', f))]
      : [path.join(ROOT, 'test', 'fixtures', 'ina', 'musanmix.wav')];
    // the concat demuxer needs one codec: bring every part to 16 kHz mono PCM first
    const partsDir = path.join(OUT, 'parts');
    fs.mkdirSync(partsDir, { recursive: true });
    const wavs = parts.map((p, i) => {
      const w = path.join(partsDir, `${String(i).padStart(3, '0')}.wav`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', p, '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', w]);
      return w;
    });
    const list = path.join(OUT, 'base.txt');
    fs.writeFileSync(list, wavs.map((p) => `file '${p}'`).join('\n'));
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-ar', '16000', '-ac', '1', base]);
  }
  // the concat demuxer over the base repeated, cut to length: exact, and no decoder warnings at the seams
  const baseSec = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', base], { encoding: 'utf8' }));
  const loops = path.join(OUT, `loop-${minutes}.txt`);
  fs.writeFileSync(loops, Array(Math.ceil((minutes * 60) / baseSec)).fill(`file '${base}'`).join('\n'));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', loops, '-t', String(minutes * 60), '-c:a', 'pcm_s16le', file]);
  return file;
}

export function decodeFloor(file: string): number {
  const t0 = process.hrtime.bigint();
  execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', '16000', '-f', 'f32le', '-y', '/dev/null']);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * CPU seconds (user + system) of every child this process has waited for, with theirs (Linux: cutime + cstime of
 * /proc/self/stat, in clock ticks of 1/100 s): the CLI, its worker processes and its ffmpegs.
 */
export function childCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

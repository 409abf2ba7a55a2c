/**
 * Speech-to-text speed (`npm run bench`; alone: `tsx bench/bench-asr.ts`): x real time of whisper-tiny and
 * whisper-base over ~10 minutes of LibriSpeech clips (../shared's train-clean-100, else the bundled fixtures), as
 * `sds transcribe` decodes them, each model in a fresh process so its peak RSS is its own; and tokens per second with
 * the KV cache against re-running the whole prefix every step, on the same clips.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readClip } from '../pipeline/audio/readClip';
import { WhisperModel } from '../pipeline/asr/whisper';
import { resolveAsrModel } from '../pipeline/stages/transcribe';
import { ROOT } from './benchAudio';

const SECONDS = Number(process.env.BENCH_ASR_SECONDS ?? 600);

function clips(): string[] {
  const shared = path.join(ROOT, '..', 'shared', 'audio', 'librispeech');
  const dirs = [path.join(shared, 'train-clean-100'), path.join(shared, 'test-other', '1998'), path.join(shared, 'test-other', '2033'), path.join(ROOT, 'test', 'fixtures', 'librispeech')];
  return dirs.filter((d) => fs.existsSync(d)).flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.flac')).sort().map((f) => path.join(d, f)));
}

async function child(name: string, cache: boolean, limit: number): Promise<void> {
  const model = await WhisperModel.open(resolveAsrModel(name), { cache });
  let audio = 0;
  let tokens = 0;
  let decodeSecs = 0;
  const t0 = process.hrtime.bigint();
  for (const f of clips()) {
    if (audio >= limit) break;
    const a = await readClip(f, 16000);
    audio += a.length / 16000;
    const d0 = process.hrtime.bigint();
    const t = await model.transcribe(a, { language: 'en', words: true });
    decodeSecs += Number(process.hrtime.bigint() - d0) / 1e9;
    tokens += t.tokens;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  await model.release();
  console.log(JSON.stringify({ audio, wall, tokens, decodeSecs, rssMb: process.resourceUsage().maxRSS / 1024 }));
}

function run(name: string, cache: boolean, limit: number) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', name, String(cache), String(limit)], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { audio: number; wall: number; tokens: number; decodeSecs: number; rssMb: number };
}

export function benchAsr(): void {
  console.log(`\n| transcribe (greedy, word timings, language en) | clips | audio | wall | x real time | tokens/s of transcription | peak RSS |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const name of (process.env.BENCH_ASR_MODELS ?? 'whisper-tiny,whisper-base').split(',')) {
    const r = run(name, true, SECONDS);
    console.log(`| ${name} | ${clips().length} files, up to ${SECONDS} s | ${r.audio.toFixed(0)} s | ${r.wall.toFixed(1)} s | ${(r.audio / r.wall).toFixed(1)}x | ${(r.tokens / r.decodeSecs).toFixed(0)} | ${r.rssMb.toFixed(0)} MB |`);
  }
  // the stage as users run it: sds transcribe, in-process (--jobs 1) and in two worker processes (--jobs 2)
  const ds = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sds-bench-asr-'));
  fs.mkdirSync(path.join(ds, 'clips'));
  let audio = 0;
  const rows = ['path,source'];
  for (const f of clips()) {
    if (audio >= SECONDS) break;
    audio += Number(spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', f], { encoding: 'utf8' }).stdout);
    fs.symlinkSync(f, path.join(ds, 'clips', path.basename(f)));
    rows.push(`clips/${path.basename(f)},bench`);
  }
  console.log(`\n| sds transcribe (${rows.length - 1} clips, ${audio.toFixed(0)} s) | wall | x real time |`);
  console.log('|---|---|---|');
  for (const name of (process.env.BENCH_ASR_MODELS ?? 'whisper-tiny,whisper-base').split(','))
  for (const jobs of ['1', '2']) {
    fs.writeFileSync(path.join(ds, 'clips.csv'), rows.join('\n') + '\n');
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'transcribe', '--out', ds, '--model', name, '--language', 'en', '--jobs', jobs, '-q'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`| ${name} --jobs ${jobs}${jobs === '1' ? ' (one process, two onnxruntime threads)' : ' (two worker processes, one thread each)'} | ${wall.toFixed(1)} s | ${(audio / wall).toFixed(1)}x |`);
  }
  fs.rmSync(ds, { recursive: true, force: true });
  // the KV cache against re-reading the prefix: the same decode, the first minute of clips
  if (process.env.BENCH_ASR_SKIP_CACHE) return;
  console.log(`\n| whisper-tiny decoder, first 60 s of clips | x real time | tokens/s (whole transcription) |`);
  console.log('|---|---|---|');
  for (const cache of [true, false]) {
    const r = run('whisper-tiny', cache, 60);
    console.log(`| ${cache ? 'KV cache (merged decoder, one position a step)' : 're-running the whole prefix every step'} | ${(r.audio / r.wall).toFixed(1)}x | ${(r.tokens / r.decodeSecs).toFixed(0)} |`);
  }
}

if (process.argv[2] === '--child') child(process.argv[3], process.argv[4] === 'true', Number(process.argv[5])).catch((e) => {
  console.error(e);
  process.exit(1);
});
else if (require.main === module) benchAsr();

import { ffmpegPaths } from '../pipeline/audio/ffmpeg';
import { runSegment } from '../pipeline/stages/segment';

/** Tone feature extraction as `sds tone train` runs it: from the bundle, its workers from dist/featureWorker.js. */
export { extractFeatures } from '../pipeline/tone/toneFeatures';

/** Bundled as dist/bench-entry.js so the bench measures the same built code the CLI runs. */
export async function runStage(file: string, out: string, args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const method = args.includes('--pitch') ? 'pitch' : 'encoder';
  const engine = args.includes('--silero') ? 'silero' : 'smn';
  const cnnStride = args.includes('--every-patch') ? 1 : undefined;
  const r = await runSegment([file], out, { engine, gender: !args.includes('--no-gender'), genderMethod: method, cnnStride }, {
    jobs: 1, ffmpeg: ffmpegPaths(), log: () => {}, progress: () => {},
  });
  if (r.failed.length) throw new Error(r.failed[0].error);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

import type { FfmpegPaths } from '../audio/ffmpeg';
import { readToneAudio, ToneFeatureExtractor, WORKER_DATA_ENV, type FeatureKind, type FeatureWorkerReply } from './toneFeatures';

/**
 * A feature worker process of `extractFeatures` (forked with its settings in the environment): one extractor (with a
 * one-thread ONNX session for `rich`), then a file path in, its feature vector (or the error naming it) out, one at
 * a time. It ends with its parent: when the IPC channel closes.
 */
const { kind, ffmpeg } = JSON.parse(process.env[WORKER_DATA_ENV] ?? '{}') as { kind: FeatureKind; ffmpeg?: FfmpegPaths };
const send = (m: FeatureWorkerReply, sent: () => void = () => undefined) => process.send!(m, sent);
const extractor = ToneFeatureExtractor.open(kind, (message) => send({ kind: 'log', message }), 1);
extractor.then(() => send({ kind: 'ready' }), (e) => {
  // the parent reads this before it sees the process go
  send({ kind: 'failed', message: (e as Error).message }, () => process.disconnect());
});
process.on('disconnect', () => process.exit(0));
process.on('message', async (file: string) => {
  try {
    const x = await readToneAudio(file, ffmpeg);
    send({ kind: 'vector', vector: Array.from(await (await extractor).compute(x), (n) => Math.fround(n)) });
  } catch (e) {
    send({ kind: 'error', message: (e as Error).message });
  }
});

import { parentPort, workerData } from 'node:worker_threads';
import type { FfmpegPaths } from '../audio/ffmpeg';
import { readToneAudio, ToneFeatureExtractor, type FeatureKind, type FeatureWorkerReply } from './toneFeatures';

/**
 * A worker thread of `extractFeatures`: one extractor (with a one-thread ONNX session for `rich`), then a file path
 * in, its feature vector (or the error naming it) out, one at a time.
 */
const { kind, ffmpeg } = workerData as { kind: FeatureKind; ffmpeg?: FfmpegPaths };
const send = (m: FeatureWorkerReply) => parentPort!.postMessage(m);
const extractor = ToneFeatureExtractor.open(kind, (message) => send({ kind: 'log', message }), 1);
extractor.then(() => send({ kind: 'ready' }), (e) => {
  throw e;
});
parentPort!.on('message', async (file: string) => {
  try {
    const x = await readToneAudio(file, ffmpeg);
    send({ kind: 'vector', vector: Array.from(await (await extractor).compute(x), (n) => Math.fround(n)) });
  } catch (e) {
    send({ kind: 'error', message: (e as Error).message });
  }
});

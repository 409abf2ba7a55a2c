import { SpeakerEncoder } from '../models/speakerEncoder';
import { serveRequests } from '../util/processPool';
import { embedSpec, type SpeakerWorkerData } from './clipEmbedder';

/** A speaker worker process (ProcessPool): the encoder with a one-thread session, then a clip in, its embedding out. */
serveRequests<SpeakerWorkerData, string, number[]>(async ({ model, ffmpeg }, log) => {
  const enc = await SpeakerEncoder.open(model, log);
  return async (spec) => Array.from(await embedSpec(spec, enc, ffmpeg));
});

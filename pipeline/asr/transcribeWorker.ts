import type { FfmpegPaths } from '../audio/ffmpeg';
import { serveRequests } from '../util/processPool';
import { WhisperModel, type TranscribeOptions, type Transcript } from './whisper';

/** A transcribe worker process (ProcessPool): one Whisper model with one-thread sessions, then a clip in, its transcript out. */
serveRequests<{ modelDir: string; ffmpeg?: FfmpegPaths }, { file: string; opts: TranscribeOptions }, { transcript: Transcript; seconds: number }>(async ({ modelDir, ffmpeg }, log) => {
  const model = await WhisperModel.open(modelDir, { log });
  return ({ file, opts }) => model.transcribeFile(file, opts, ffmpeg);
});

import type { FfmpegPaths } from '../audio/ffmpeg';
import { readClip } from '../audio/readClip';
import { WHISPER_RATE } from '../features/whisperMel';
import { serveRequests } from '../util/processPool';
import { WhisperModel, type TranscribeOptions, type Transcript } from './whisper';

/** A transcribe worker process (ProcessPool): one Whisper model with one-thread sessions, then a clip in, its transcript out. */
serveRequests<{ modelDir: string; ffmpeg?: FfmpegPaths }, { file: string; opts: TranscribeOptions }, { transcript: Transcript; seconds: number }>(async ({ modelDir, ffmpeg }, log) => {
  const model = await WhisperModel.open(modelDir, { log });
  return async ({ file, opts }) => {
    const audio = await readClip(file, WHISPER_RATE, ffmpeg);
    return { transcript: await model.transcribe(audio, opts), seconds: audio.length / WHISPER_RATE };
  };
});

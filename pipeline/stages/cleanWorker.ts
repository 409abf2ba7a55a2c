import type { FfmpegPaths } from '../audio/ffmpeg';
import { Dataset } from '../dataset';
import { serveRequests } from '../util/processPool';
import { openClipCleaner, type CleanClipReply, type CleanClipRequest } from './cleanClip';
import type { CleanOptions } from './cleanOptions';

/** A clean worker process (ProcessPool): the clip chain with one-thread model sessions, then a clip in, its cells out. */
serveRequests<{ dir: string; opts: CleanOptions; ffmpeg: FfmpegPaths }, CleanClipRequest, CleanClipReply>(async ({ dir, opts, ffmpeg }, log) => {
  const cleaner = await openClipCleaner(new Dataset(dir), opts, { log, ffmpeg });
  return (req) => cleaner.clean(req);
});

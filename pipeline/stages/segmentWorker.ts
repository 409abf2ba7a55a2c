import type { FfmpegPaths } from '../audio/ffmpeg';
import { serveRequests } from '../util/processPool';
import type { SegmentOptions } from './segment';
import { openSourceSegmenter, type SegmentSourceReply, type SegmentSourceRequest } from './segmentSource';

/** A segment worker process (ProcessPool): the CNN and gender encoder with one-thread sessions, then a file in, its table out. */
serveRequests<{ opts: SegmentOptions; ffmpeg: FfmpegPaths }, SegmentSourceRequest, SegmentSourceReply>(async ({ opts, ffmpeg }, log) => {
  const segmenter = await openSourceSegmenter(opts, { log, ffmpeg });
  return (req) => segmenter.segment(req);
});

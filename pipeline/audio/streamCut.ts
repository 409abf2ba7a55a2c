import { ffmpegStream, type FfmpegPaths } from './ffmpeg';

/** Samples [start, end) of a source, at its native rate. */
export interface SampleSpan {
  start: number;
  end: number;
}

/**
 * Cuts every span of a file from one streamed decode: ffmpeg converts to mono 16-bit (24-bit for deeper sources)
 * PCM at the file's own rate, as a per-clip `ffmpeg -ss -i ... atrim` does, and each span is handed to `take` as
 * soon as the stream has passed its end. One process instead of one per clip (half of each clip's time was
 * ffmpeg's start), and no seeking, so a compressed source is decoded as a player plays it. Memory holds only the
 * stream from the earliest span not yet taken (spans may overlap: padded neighbours share their edges). A span past
 * the end of the audio gets what there is (possibly nothing).
 */
export async function cutSpans(
  file: string,
  spans: SampleSpan[],
  rate: number,
  take: (index: number, pcm: Buffer) => Promise<void>,
  opts: { paths?: FfmpegPaths; deep?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  if (!spans.length) return;
  const width = opts.deep ? 3 : 2;
  const codec = opts.deep ? 's24le' : 's16le';
  // spans by start; `pending` are those not taken yet, `held` the stream from the first pending span's start on
  const order = spans.map((_, i) => i).sort((a, b) => spans[a].start - spans[b].start || spans[a].end - spans[b].end);
  let nextToOpen = 0;
  const pending: number[] = [];
  const held: Buffer[] = [];
  let heldFrom = 0; // byte offset of held[0] in the stream (of the next chunk while none is held)
  let streamed = 0; // bytes the stream has delivered
  const bytes = (i: number) => [spans[i].start * width, Math.max(spans[i].start, spans[i].end) * width] as const;
  const slice = (from: number, to: number): Buffer => {
    const parts: Buffer[] = [];
    let at = heldFrom;
    for (const b of held) {
      const lo = Math.max(from, at);
      const hi = Math.min(to, at + b.length);
      if (hi > lo) parts.push(b.subarray(lo - at, hi - at));
      at += b.length;
    }
    return Buffer.concat(parts);
  };
  const release = async (final: boolean) => {
    while (nextToOpen < order.length && bytes(order[nextToOpen])[0] < streamed) pending.push(order[nextToOpen++]);
    if (final) while (nextToOpen < order.length) pending.push(order[nextToOpen++]);
    for (let k = 0; k < pending.length;) {
      const [from, to] = bytes(pending[k]);
      if (to <= streamed || final) {
        await take(pending[k], slice(from, Math.min(to, streamed)));
        pending.splice(k, 1);
      } else k++;
    }
    // what no pending or later span needs goes
    const keepFrom = Math.min(...pending.map((i) => bytes(i)[0]), nextToOpen < order.length ? bytes(order[nextToOpen])[0] : streamed);
    while (held.length && heldFrom + held[0].length <= keepFrom) heldFrom += held.shift()!.length;
  };
  for await (const chunk of ffmpegStream(file, ['-ac', '1', '-ar', String(rate), '-c:a', `pcm_${codec}`, '-f', codec], opts)) {
    held.push(chunk);
    streamed += chunk.length;
    await release(false);
  }
  streamed -= streamed % width;
  await release(true);
}

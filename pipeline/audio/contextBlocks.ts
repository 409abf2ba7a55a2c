/** One block of a stream with its context: `x` holds frames [start - lead, start + keep + trail). */
export interface ContextBlock {
  /** interleaved frames: the lead-in, the block itself, then what follows it */
  x: Float32Array;
  /** frames of context before the block (fewer at the start of the stream) */
  lead: number;
  /** frames of the block itself: `block`, or what is left at the end */
  keep: number;
}

/**
 * Interleaved audio (chunks of whole frames, any number of them) regrouped into blocks of `block` frames, each carrying up to `before` frames
 * of what came before and `after` of what follows, so a processor that needs context (a separator, a stateful
 * denoiser) sees it and the caller keeps only x[lead .. lead + keep). The blocks tile the stream exactly; memory
 * holds one block and its context, whatever the stream's length.
 */
export async function* contextBlocks(chunks: AsyncIterable<Float32Array>, o: { channels: number; block: number; before: number; after: number }): AsyncGenerator<ContextBlock> {
  const C = o.channels;
  let buf = new Float32Array(0); // interleaved frames from bufStart on
  let bufStart = 0;
  let next = 0; // first frame not yet handed out
  const frames = () => buf.length / C;
  function* take(final: boolean): Generator<ContextBlock> {
    while (final ? next < bufStart + frames() : bufStart + frames() >= next + o.block + o.after) {
      const from = Math.max(0, next - o.before);
      const to = Math.min(bufStart + frames(), next + o.block + o.after);
      const keep = Math.min(o.block, to - next);
      yield { x: buf.slice((from - bufStart) * C, (to - bufStart) * C), lead: next - from, keep };
      next += keep;
      const drop = Math.max(0, next - o.before - bufStart); // what no later block's lead-in reaches
      buf = buf.slice(drop * C);
      bufStart += drop;
    }
  }
  for await (const c of chunks) {
    const grown = new Float32Array(buf.length + c.length);
    grown.set(buf);
    grown.set(c, buf.length);
    buf = grown;
    yield* take(false);
  }
  yield* take(true);
}

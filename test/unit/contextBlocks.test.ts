import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextBlocks } from '../../pipeline/audio/contextBlocks';

async function* chunked(x: Float32Array, sizes: number[]): AsyncGenerator<Float32Array> {
  for (let o = 0, k = 0; o < x.length; o += sizes[k++ % sizes.length]) yield x.slice(o, o + sizes[k % sizes.length]);
}

test('context blocks tile the stream exactly, each with the frames before and after it (stereo, ragged chunks)', async () => {
  const C = 2;
  const frames = 1037;
  const x = Float32Array.from({ length: frames * C }, (_, i) => i); // every sample its own index
  const got: number[] = [];
  let blocks = 0;
  for await (const b of contextBlocks(chunked(x, [30, 8, 250, 2]), { channels: C, block: 100, before: 20, after: 15 })) {
    const start = got.length / C; // first frame of this block
    assert.equal(b.lead, Math.min(20, start));
    assert.ok(b.keep === 100 || start + b.keep === frames, `block at ${start} keeps ${b.keep}`);
    const trail = b.x.length / C - b.lead - b.keep;
    assert.equal(trail, Math.min(15, frames - start - b.keep));
    // the context is the stream's own samples around the block
    assert.deepEqual(Array.from(b.x), Array.from(x.subarray((start - b.lead) * C, (start + b.keep + trail) * C)));
    got.push(...b.x.subarray(b.lead * C, (b.lead + b.keep) * C));
    blocks++;
  }
  assert.deepEqual(got, Array.from(x));
  assert.equal(blocks, Math.ceil(frames / 100));
});

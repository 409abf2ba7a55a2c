import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cutSpans, type SampleSpan } from '../../pipeline/audio/streamCut';
import { espeak, ffmpeg, tmpDir } from '../helpers';

/** What slicing did before, one ffmpeg per clip: input seek to the start, atrim to the exact sample count. */
function cutOne(file: string, s: SampleSpan, rate: number, codec: 's16le' | 's24le'): Buffer {
  return execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-ss', (s.start / rate).toFixed(6), '-i', file, '-vn', '-map', '0:a:0',
    '-af', `atrim=end_sample=${s.end - s.start}`, '-ac', '1', '-ar', String(rate), '-c:a', `pcm_${codec}`, '-f', codec, 'pipe:1'], { maxBuffer: 1 << 28 });
}

async function cutAll(file: string, spans: SampleSpan[], rate: number, deep = false): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const order: number[] = [];
  await cutSpans(file, spans, rate, async (i, pcm) => {
    out[i] = pcm;
    order.push(i);
  }, { deep });
  assert.equal(order.length, spans.length, 'every span taken once');
  return out;
}

test('one streamed decode cuts the same samples as a per-clip ffmpeg seek and trim: overlapping, unsorted, at the end, past it', async () => {
  const dir = tmpDir();
  // speech over a tone, stereo at 44.1 kHz: what a podcast source is
  const voice = espeak('The quick brown fox jumps over the lazy dog while the band plays on.', path.join(dir, 'v.wav'));
  const wav = path.join(dir, 'show.wav');
  ffmpeg('-i', voice, '-f', 'lavfi', '-i', 'sine=frequency=220:duration=6', '-filter_complex', '[0:a]aresample=44100,apad=whole_dur=6,aformat=sample_fmts=fltp:channel_layouts=mono[v];[1:a]aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=mono,volume=0.2[m];[v][m]amerge=inputs=2[a]',
    '-map', '[a]', '-ac', '2', '-c:a', 'pcm_s16le', wav);
  const flac24 = path.join(dir, 'show.flac');
  ffmpeg('-i', wav, '-c:a', 'flac', '-sample_fmt', 's32', '-bits_per_raw_sample', '24', flac24);
  const rate = 44100;
  const total = 6 * rate;
  const spans: SampleSpan[] = [
    { start: 3 * rate, end: 4 * rate + 17 },
    { start: 0, end: rate },
    { start: rate - 4410, end: 2 * rate }, // shares 0.1 s with the one before, as padded neighbours do
    { start: 12345, end: 12345 + 999 },
    { start: total - rate, end: total + rate }, // runs past the end: gets what there is
    { start: total + 10, end: total + 500 }, // wholly past it: nothing
  ];
  for (const [file, deep] of [[wav, false], [flac24, true]] as const) {
    const got = await cutAll(file, spans, rate, deep);
    for (const [i, s] of spans.entries()) {
      const want = s.start >= total ? Buffer.alloc(0) : cutOne(file, s, rate, deep ? 's24le' : 's16le');
      assert.equal(got[i].length, want.length, `${path.basename(file)} span ${i}: length`);
      assert.ok(got[i].equals(want), `${path.basename(file)} span ${i}: the same samples`);
    }
    assert.equal(got[4].length, rate * (deep ? 3 : 2), 'the span past the end is cut at the end');
  }
});

test('a file ffmpeg cannot decode is named in the error', async () => {
  const dir = tmpDir();
  const bad = path.join(dir, 'broken.mp3');
  fs.writeFileSync(bad, Buffer.from('not audio at all'));
  await assert.rejects(cutSpans(bad, [{ start: 0, end: 100 }], 16000, async () => undefined), (e: Error) => e.message.startsWith(`${bad}: ffmpeg could not decode it`));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planClips, DEFAULT_SLICE } from '../../pipeline/stages/slicePlan';

const opts = { ...DEFAULT_SLICE, pad: 0 };

test('same-label segments across a short gap merge; other labels and short clips are dropped', () => {
  const segs = [
    { label: 'male', start: 0, stop: 2 },
    { label: 'noEnergy', start: 2, stop: 2.2 },
    { label: 'male', start: 2.2, stop: 4 },
    { label: 'music', start: 4, stop: 10 },
    { label: 'female', start: 10, stop: 11 },
    { label: 'noEnergy', start: 11, stop: 12 },
  ];
  assert.deepEqual(planClips(segs, 12, opts), [{ label: 'male', start: 0, end: 4 }]);
  assert.deepEqual(planClips(segs, 12, { ...opts, min: 0.5, labels: ['female'] }), [{ label: 'female', start: 10, end: 11 }]);
});

test('an over-long segment is split at its quietest point, every piece within [min, max]', () => {
  const energy = new Float32Array(2000).fill(5); // 40 s at 20 ms
  energy[Math.round(9.5 / 0.02)] = -3; // a pause at 9.5 s
  energy[Math.round(21 / 0.02)] = -4; // and one at 21 s
  const clips = planClips([{ label: 'female', start: 0, stop: 30 }], 30, { ...opts, max: 15 }, energy);
  assert.deepEqual(clips.map((c) => [c.start, c.end]), [[0, 9.5], [9.5, 21], [21, 30]]);
  for (const c of clips) assert.ok(c.end - c.start <= 15 && c.end - c.start >= 1.5);
});

test('padding extends clips but never past the file', () => {
  const clips = planClips([{ label: 'male', start: 0.05, stop: 3 }], 3.05, { ...opts, pad: 0.1 });
  assert.deepEqual(clips, [{ label: 'male', start: 0, end: 3.05 }]);
});

test('cut at words: a long run splits in the widest pause between words, not at a quiet stop inside one', () => {
  // words every 0.5 s (touching), with a 0.3 s pause after the word ending at 8 s
  const words = Array.from({ length: 40 }, (_, k) => ({ start: k * 0.5 + (k >= 16 ? 0.3 : 0), end: (k + 1) * 0.5 + (k >= 16 ? 0.3 : 0) }));
  const energy = new Float32Array(1500).fill(5);
  energy[Math.round(10.3 / 0.02)] = -9; // the quietest point is a stop closure inside the word 10.05-10.55 s
  const plain = planClips([{ label: 'male', start: 0, stop: 20.3 }], 21, { ...opts, max: 12.5 }, energy);
  assert.equal(plain[0].end, 10.3, 'energy alone cuts inside a word');
  const clips = planClips([{ label: 'male', start: 0, stop: 20.3 }], 21, { ...opts, max: 12.5 }, energy, 0.02, words);
  assert.deepEqual(clips.map((c) => [c.start, c.end]), [[0, 8.15], [8.15, 20.3]]);
});

test('cut at words: an edge inside a word moves out of it; the word joins the clip that holds most of it, if it fits', () => {
  const words = [{ start: 0.2, end: 0.9 }, { start: 1.0, end: 1.6 }, { start: 3.9, end: 4.6 }, { start: 4.7, end: 5.2 }];
  const o = { ...opts, pad: 0.1, min: 0.5, max: 10 };
  // the segment starts at 1.2 (inside "1.0-1.6", mostly the clip's): the clip takes the whole word, from half way to the word before
  // and ends at 4.1 + pad = 4.2 (inside "3.9-4.6", whose middle 4.25 is past the segment): that word is left out whole
  const [c] = planClips([{ label: 'male', start: 1.2, stop: 4.1 }], 6, o, undefined, 0.02, words);
  assert.deepEqual([c.start, c.end], [0.95, 3.8]);
  // no room under max: the word the start cuts into is left out instead
  const [d] = planClips([{ label: 'male', start: 1.2, stop: 4.1 }], 6, { ...o, max: 3.1 }, undefined, 0.02, words);
  assert.deepEqual([d.start, d.end], [1.7, 3.8]);
  // edges in the pauses are left where they are
  const [e] = planClips([{ label: 'male', start: 1.8, stop: 3.5 }], 6, o, undefined, 0.02, words);
  assert.deepEqual([e.start, e.end], [1.7, 3.6]);
});

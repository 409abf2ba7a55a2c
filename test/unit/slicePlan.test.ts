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

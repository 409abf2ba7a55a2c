import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assign, diarizationError } from '../../pipeline/diarization/der';
import { planWindows } from '../../pipeline/diarization/diarize';
import { turnsFromWindows, type EmbeddedWindow } from '../../pipeline/diarization/turns';
import { withSpeakers, planClips, DEFAULT_SLICE } from '../../pipeline/stages/slicePlan';
import { seededRandom } from '../../pipeline/ml/random';

const seg = (label: string, start: number, stop: number) => ({ label, start, stop });

test('assign finds the cheapest matching, rectangular too', () => {
  const cost = [[4, 1, 3], [2, 0, 5], [3, 2, 2]];
  // brute force over the 6 permutations
  const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  const best = Math.min(...perms.map((p) => p.reduce((s, c, r) => s + cost[r][c], 0)));
  const got = assign(cost);
  assert.equal(got.reduce((s, c, r) => s + cost[r][c], 0), best);
  assert.deepEqual(assign([[5, 1, 9]]), [1]);
  const tall = assign([[1], [0], [3]]);
  assert.deepEqual(tall, [-1, 0, -1]);
});

test('DER: a perfect or relabelled hypothesis scores 0; one speaker for two is confusion; md-eval collar and overlap rules', () => {
  const ref = [seg('A', 0, 10), seg('B', 10, 20)];
  assert.equal(diarizationError(ref, ref, 0).der, 0);
  const renamed = diarizationError(ref, [seg('x', 0, 10), seg('y', 10, 20)], 0);
  assert.equal(renamed.der, 0);
  assert.equal(renamed.mapping.get('x'), 'A');
  const lumped = diarizationError(ref, [seg('x', 0, 20)], 0);
  assert.ok(Math.abs(lumped.confusion - 10) < 1e-9 && Math.abs(lumped.der - 0.5) < 1e-9);
  // a boundary 0.2 s late costs 0.2 s of confusion without a collar and nothing inside a 0.25 s collar
  const late = [seg('x', 0, 10.2), seg('y', 10.2, 20)];
  assert.ok(Math.abs(diarizationError(ref, late, 0).confusion - 0.2) < 1e-9);
  const collared = diarizationError(ref, late, 0.25);
  assert.equal(collared.confusion, 0);
  assert.ok(Math.abs(collared.scored - 19) < 1e-9, String(collared.scored)); // 0.25 at 0 and at 20, 0.5 around 10
  // two people at once: one hypothesis speaker misses the other; silence labelled speech is a false alarm
  const overlap = diarizationError([seg('A', 0, 10), seg('B', 5, 10)], [seg('x', 0, 10), seg('x', 12, 13)], 0);
  assert.ok(Math.abs(overlap.missed - 5) < 1e-9 && Math.abs(overlap.falseAlarm - 1) < 1e-9 && Math.abs(overlap.scored - 15) < 1e-9);
  assert.ok(Math.abs(overlap.der - 6 / 15) < 1e-9);
  // noEnergy rows of a segment table are not speech
  assert.equal(diarizationError(ref, [...ref, seg('noEnergy', 20, 30)], 0).falseAlarm, 0);
});

test('planWindows covers each speech stretch, flush with its end; short ones are one window, tiny ones none', () => {
  const w = planWindows([seg('speech', 0, 4), seg('speech', 5, 6), seg('speech', 7, 7.1)], 2.5, 0.5);
  assert.deepEqual(w, [[0, 2.5], [0.5, 3], [1, 3.5], [1.5, 4], [5, 6]]);
  const w2 = planWindows([seg('speech', 0, 3.2)], 2.5, 0.5);
  assert.deepEqual(w2[w2.length - 1].map((x) => +x.toFixed(6)), [0.7, 3.2]);
});

/** Embeddings of two voices: a shared component (what raw cosines are dominated by) plus a small voice direction. */
function voices(turns: [string, number, number][], seed = 1): EmbeddedWindow[] {
  const rand = seededRandom(seed);
  const dim = 32;
  const common = Float32Array.from({ length: dim }, () => rand() - 0.5);
  const dir: Record<string, Float32Array> = { A: Float32Array.from({ length: dim }, () => rand() - 0.5), B: Float32Array.from({ length: dim }, () => rand() - 0.5) };
  const out: EmbeddedWindow[] = [];
  const end = Math.max(...turns.map(([, , b]) => b));
  for (const [start, stop] of planWindows([seg('speech', 0, end)], 2.5, 0.5)) {
    // the window's voice is the one speaking most of it
    const share = (who: string) => turns.filter(([w]) => w === who).reduce((s, [, a, b]) => s + Math.max(0, Math.min(b, stop) - Math.max(a, start)), 0);
    const e = common.map((c, i) => 4 * c + share('A') / (stop - start) * dir.A[i] + share('B') / (stop - start) * dir.B[i] + 0.05 * (rand() - 0.5));
    const n = Math.hypot(...e);
    out.push({ start, stop, emb: e.map((v) => v / n) });
  }
  return out;
}

test('turns: two alternating voices are told apart even when raw cosines are all above 0.9; boundaries land within a window hop', () => {
  const truth: [string, number, number][] = [['A', 0, 6], ['B', 6, 12], ['A', 12, 20], ['B', 20, 26]];
  const windows = voices(truth);
  const raw = windows.map((w) => w.emb);
  let minCos = 1;
  for (const a of raw) for (const b of raw) minCos = Math.min(minCos, a.reduce((s, v, i) => s + v * b[i], 0));
  assert.ok(minCos > 0.9, `the voices are close in raw cosine (${minCos.toFixed(3)})`);
  const { turns, speakers } = turnsFromWindows(windows, [seg('speech', 0, 26)], { speakers: 2, sameSpeakerMinSim: 0.8 });
  assert.equal(speakers, 2);
  assert.deepEqual(turns.map((t) => t.label), ['spk1', 'spk2', 'spk1', 'spk2']);
  for (const [i, [, a]] of truth.entries()) assert.ok(Math.abs(turns[i].start - a) <= 0.5, `turn ${i} starts at ${turns[i].start}, truth ${a}`);
  const der = diarizationError(truth.map(([w, a, b]) => seg(w, a, b)), turns, 0.25);
  assert.ok(der.der < 0.05, String(der.der));
  // automatic counting hears one voice here (raw cosines all above the same-speaker threshold): conservative by design
  assert.equal(turnsFromWindows(windows, [seg('speech', 0, 26)], { sameSpeakerMinSim: 0.8 }).speakers, 1);
});

test('withSpeakers cuts segments at turn changes and slicing keeps each clip to one voice', () => {
  const segments = [seg('noEnergy', 0, 1), seg('female', 1, 9), seg('noEnergy', 9, 10)];
  const turns = [seg('spk1', 1, 4.2), seg('spk2', 4.2, 9)];
  const parts = withSpeakers(segments, turns);
  assert.deepEqual(parts.filter((p) => p.label === 'female').map((p) => [p.start, p.stop, p.speaker]), [[1, 4.2, 'spk1'], [4.2, 9, 'spk2']]);
  const clips = planClips(parts, 10, { ...DEFAULT_SLICE, pad: 0 });
  assert.deepEqual(clips.map((c) => [c.start, c.end, c.speaker]), [[1, 4.2, 'spk1'], [4.2, 9, 'spk2']]);
  // without turns nothing changes
  assert.deepEqual(withSpeakers(segments, []), segments);
});

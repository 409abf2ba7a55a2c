import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runs, switchCost, viterbi } from '../../pipeline/segmentation/viterbi';

const decode = (probs: number[][], trans: number[]) => viterbi(probs.length, probs[0].length, (t, k) => Math.log(probs[t][k]), trans);

test('a short blip against a costly switch is smoothed away', () => {
  const p = [...Array(20).fill([0.9, 0.1]), ...Array(2).fill([0.2, 0.8]), ...Array(20).fill([0.9, 0.1])];
  assert.deepEqual([...decode(p, switchCost(2, 2))], Array(42).fill(0));
});

test('a long change of state is followed, at the right frame', () => {
  const p = [...Array(30).fill([0.9, 0.1, 0.0001]), ...Array(30).fill([0.1, 0.0001, 0.9])];
  assert.deepEqual(runs(decode(p, switchCost(2, 3))), [[0, 0, 30], [2, 30, 60]]);
});

test('switchCost matches 10^-exp off the diagonal and the given stay costs', () => {
  const t = switchCost(150, 2, [-5, 0]);
  assert.equal(t[0], -5);
  assert.equal(t[3], 0);
  assert.ok(Math.abs(t[1] + 150 * Math.LN10) < 1e-9);
});

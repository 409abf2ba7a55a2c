import assert from 'node:assert/strict';
import { test } from 'node:test';
import { medianInPlace } from '../../pipeline/util/median';

test('medianInPlace equals the sorted middle (mean of the two for an even count), on ties and prefixes too', () => {
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const n of [1, 2, 3, 4, 10, 11, 101, 1000]) {
    for (const ties of [false, true]) {
      const v = Float64Array.from({ length: n + 5 }, () => (ties ? Math.floor(rnd() * 4) : rnd()));
      const sorted = [...v.subarray(0, n)].sort((a, b) => a - b);
      const want = n % 2 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      assert.equal(medianInPlace(v, n), want, `n=${n} ties=${ties}`);
    }
  }
  assert.ok(Number.isNaN(medianInPlace(new Float32Array(0))));
});

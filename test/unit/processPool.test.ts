import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { ProcessPool } from '../../pipeline/util/processPool';

test('a pool gives each worker up to perWorker requests at once, spread over the workers', { timeout: 60_000 }, async () => {
  const pool = await ProcessPool.start<number, { pid: number; held: number; req: number }>('heldWorker', path.join(__dirname, '..', 'workers'), 2, { hold: 3 }, undefined, undefined, 3);
  try {
    // six at once: three held by each worker, answered once it holds them all
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.run(i)));
    assert.deepEqual(answers.map((a) => a.req), [0, 1, 2, 3, 4, 5]);
    const byPid = new Map<number, number>();
    for (const a of answers) byPid.set(a.pid, (byPid.get(a.pid) ?? 0) + 1);
    assert.deepEqual([...byPid.values()], [3, 3], 'both workers, three each');
  } finally {
    await pool.close();
  }
});

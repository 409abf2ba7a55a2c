import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

test('the committed kernels.wasm is what kernels.wat assembles to (run scripts/build-wasm.mjs after editing it)', async () => {
  const { assembleKernels } = await import('../../scripts/build-wasm.mjs');
  const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'pipeline', 'wasm', 'kernels.wasm'));
  assert.ok(Buffer.compare(await assembleKernels(), committed) === 0);
});

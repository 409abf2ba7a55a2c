import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers';

test('the extension host bundle loads no model runtime: audio work stays in the host process', () => {
  const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'extension.js'), 'utf8');
  assert.ok(!bundle.includes('require("onnxruntime-node")'), 'dist/extension.js requires onnxruntime-node');
  assert.ok(!/pipeline\/segmentation\/|pipeline\/stages\/slice\.ts/.test(bundle), 'dist/extension.js bundles pipeline stages');
});

// Writes what is made from the stage registry (pipeline/stages/registry.ts): docs/cli.md, package.json's settings
// (contributes.configuration), schemas/sds.schema.json and snippets/sds.code-snippets. `npm run generate`; test/unit/registry.test.ts
// fails when one of them is stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generated } from './generated';

const root = path.resolve(__dirname, '..');
for (const [file, text] of Object.entries(generated(fs.readFileSync(path.join(root, 'package.json'), 'utf8')))) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
  console.log(`${file} written`);
}

// Writes what is made from the stage registry (pipeline/stages/registry.ts): docs/cli.md. `npm run generate`;
// test/unit/registry.test.ts fails when a generated file is stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliDoc } from '../cli/help';

const root = path.resolve(__dirname, '..');
fs.writeFileSync(path.join(root, 'docs', 'cli.md'), cliDoc() + '\n');
console.log('docs/cli.md written');

// Assembles pipeline/wasm/kernels.wat into the kernels.wasm committed beside it (run after editing the .wat; the
// unit tests fail while the two disagree). wabt is the WebAssembly project's own assembler.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dir = new URL('../pipeline/wasm/', import.meta.url);

export async function assembleKernels() {
  const wabt = await require('wabt')();
  const mod = wabt.parseWat('kernels.wat', fs.readFileSync(new URL('kernels.wat', dir), 'utf8'), { simd: true });
  try {
    mod.validate();
    return Buffer.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const bytes = await assembleKernels();
  fs.writeFileSync(new URL('kernels.wasm', dir), bytes);
  console.log(`pipeline/wasm/kernels.wasm: ${bytes.length} bytes`);
}

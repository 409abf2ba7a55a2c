// One esbuild script, one bundle per process (DESIGN.md §3.9); onnxruntime-node stays external (native addon).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const watch = process.argv.includes('--watch');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, external: ['vscode', 'onnxruntime-node', '@echogarden/rnnoise-wasm', '@echogarden/pffft-wasm'], logLevel: 'warning',
  // jsonc-parser's UMD build requires its parts at run time, out of the bundle's reach: take its ES modules
  mainFields: ['module', 'main'] };
const entries = [
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['host/main.ts'], outfile: 'dist/host.js' },
  { entryPoints: ['cli/sds.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['bench/benchEntry.ts'], outfile: 'dist/bench-entry.js' },
  // tone feature extraction's worker threads load this beside whichever bundle started them
  { entryPoints: ['pipeline/tone/featureWorker.ts'], outfile: 'dist/featureWorker.js' },
  // transcribe's worker processes (ProcessPool), likewise
  { entryPoints: ['pipeline/asr/transcribeWorker.ts'], outfile: 'dist/transcribeWorker.js' },
  { entryPoints: ['pipeline/stages/cleanWorker.ts'], outfile: 'dist/cleanWorker.js' },
  { entryPoints: ['pipeline/stages/segmentWorker.ts'], outfile: 'dist/segmentWorker.js' },
  { entryPoints: ['pipeline/stages/speakerWorker.ts'], outfile: 'dist/speakerWorker.js' },
];
// the timeline webview runs in the browser sandbox of a webview: one iframe-safe bundle plus its stylesheet
entries.push({ entryPoints: ['webviews/timeline/main.ts'], outfile: 'dist/timeline.js', platform: 'browser', mainFields: ['browser', 'module', 'main'], format: 'iife', target: 'chrome120', external: [] });
entries.push({ entryPoints: ['webviews/clips/main.ts'], outfile: 'dist/clips.js', platform: 'browser', mainFields: ['browser', 'module', 'main'], format: 'iife', target: 'chrome120', external: [] });
// the dataset report: inlined into report.html by the CLI and the host, loaded by VS Code's webview
entries.push({ entryPoints: ['webviews/report/main.ts'], outfile: 'dist/report.js', platform: 'browser', mainFields: ['browser', 'module', 'main'], format: 'iife', target: 'chrome120', external: [], minify: true, sourcemap: false });
for (const e of entries) {
  if (!fs.existsSync(e.entryPoints[0])) continue;
  const opts = { ...common, ...e };
  if (watch) await (await esbuild.context(opts)).watch();
  else await esbuild.build(opts);
}
if (!watch) fs.chmodSync('dist/cli.js', 0o755);
// the SIMD kernels (pipeline/wasm) load their module from beside the bundle that runs them
fs.copyFileSync('pipeline/wasm/kernels.wasm', 'dist/kernels.wasm');
fs.copyFileSync('webviews/timeline/timeline.css', 'dist/timeline.css');
fs.copyFileSync('webviews/clips/clips.css', 'dist/clips.css');
fs.copyFileSync('webviews/report/report.css', 'dist/report.css');

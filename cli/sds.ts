import * as os from 'node:os';
import { assertFfmpeg, ffmpegPaths, FfmpegMissingError } from '../pipeline/audio/ffmpeg';
import { runStage } from '../pipeline/stages/dispatch';
import { parseCommand, UsageError } from './parseCommand';
import { convertTable } from '../pipeline/formats/convert';
import { userModelsDir } from '../pipeline/models/modelPaths';
import { addModel, fetchModel, installModelFile, listModels } from '../pipeline/models/registry';
import { namingFile, type StageReport } from '../pipeline/stages/types';
import { CliProgress } from './progress';
import { commandHelp, usage } from './help';
import { commandNamed } from '../pipeline/stages/registry';
import { reasonOf } from '../pipeline/errors';


async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv);
  if (parsed.kind === 'help') {
    const def = parsed.command ? commandNamed(parsed.command) : undefined;
    (parsed.code ? console.error : console.log)(def ? commandHelp(def) : usage());
    return parsed.code;
  }
  if (parsed.kind === 'convert') {
    const n = await convertTable(parsed.input, parsed.output);
    console.log(`${parsed.output}: ${n} segments`);
    return 0;
  }
  if (parsed.kind === 'models') return modelsCommand(parsed.args, parsed.values);
  const { req, quiet } = parsed;
  const jobs = parsed.jobs ?? Math.min(2, os.availableParallelism());
  const paths = ffmpegPaths(parsed.ffmpeg ?? process.env.SDS_FFMPEG);
  assertFfmpeg(paths);
  const abort = new AbortController();
  // Ctrl+C, or a cluster stopping the pod or job (SIGTERM): the stage stops cleanly; a second Ctrl+C kills
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => abort.abort(new Error('interrupted')));
  const progress = new CliProgress(process.stderr);
  let reports: StageReport[];
  try {
    reports = await runStage(req, {
      jobs,
      ffmpeg: paths,
      command: `sds ${argv.join(' ')}`.slice(0, 200),
      wait: parsed.wait,
      signal: abort.signal,
      log: (m) => !quiet && progress.log(`[sds] ${m}`),
      progress: (e) => !quiet && progress.handle(e),
    });
  } finally {
    progress.finish();
  }
  return printReports(reports);
}

async function modelsCommand(args: string[], v: Record<string, string | boolean | string[] | undefined>): Promise<number> {
  const num = (name: string, s?: string) => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got "${s}"`);
    return n;
  };
  const [verb, arg] = args;
  if (verb === 'list' || !verb) {
    for (const m of listModels()) console.log(`${m.name}\t${m.task}\t${m.where}${m.present ? '' : ' (not downloaded: sds models fetch ' + m.name + ')'}\t${m.sampleRate} Hz\t${m.licence}`);
    return 0;
  }
  if (verb === 'add') {
    if (!arg || typeof v.task !== 'string') throw new UsageError('models add needs <file.onnx> and --task');
    const m = await addModel(arg, { name: v.name as string | undefined, task: v.task, sampleRate: num('sample-rate', v['sample-rate'] as string | undefined), licence: v.licence as string | undefined });
    console.log(`added ${m.name} (${m.task}, sha256 ${m.sha256.slice(0, 12)}...) to ${userModelsDir()}`);
    return 0;
  }
  if (verb === 'fetch') {
    if (!arg) throw new UsageError('models fetch needs a model name');
    console.log(await fetchModel(arg, { log: (m) => !v.quiet && console.error(`[sds] ${m}`) }));
    return 0;
  }
  if (verb === 'install') {
    if (!arg || !args[2]) throw new UsageError('models install needs <name> and <file.onnx>');
    console.log(await installModelFile(arg, args[2]));
    return 0;
  }
  throw new UsageError(`unknown models command "${verb}" (use list, add, fetch or install)`);
}


function printReports(reports: StageReport[]): number {
  let failed = 0;
  for (const r of reports) {
    if (r.listing) {
      for (const line of r.summary) console.log(line);
      continue;
    }
    console.log(`${r.stage}: ${r.processed} processed, ${r.skipped} up to date, ${r.failed.length} failed${r.seconds !== undefined ? ` in ${r.seconds.toFixed(2)} s` : ''}`);
    for (const line of r.summary) console.log(`  ${line}`);
    failed += r.failed.length;
  }
  const warnings = reports.flatMap((r) => r.warnings ?? []);
  if (warnings.length) {
    console.log(`\n${warnings.length} warning(s):`);
    for (const w of warnings) console.log(`  ${namingFile(w.file, w.error)}`);
  }
  const errors = reports.flatMap((r) => r.failed.map((f) => ({ ...f, stage: r.stage })));
  if (errors.length) {
    console.log(`\n${errors.length} error(s):`);
    // the stage too: in a pipeline, which one a file failed in
    for (const e of errors) console.log(`  ${reports.length > 1 ? `${e.stage}: ` : ''}${namingFile(e.file, e.error)}`);
  }
  return failed ? 1 : 0;
}


// benches read the process's own peak memory (it includes onnxruntime's native allocations)
if (process.env.SDS_REPORT_RSS) process.on('exit', () => process.stderr.write(`peak_rss_mb=${(process.resourceUsage().maxRSS / 1024).toFixed(0)}\n`));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`sds: ${(e as Error).message}\n(sds --help lists the commands, sds <command> --help their options)`);
      process.exit(2);
    }
    // a value out of range, found by the stage's own checks: one line, nothing written
    if (reasonOf(e) === 'usage') {
      console.error(`sds: ${(e as Error).message}\n(sds --help lists the commands, sds <command> --help their options)`);
      process.exit(2);
    }
    if (reasonOf(e) === 'locked') {
      console.error(`sds: ${(e as Error).message}`);
      process.exit(4);
    }
    // a message names the file and the problem; the stack is for developers (SDS_DEBUG=1)
    console.error(`sds: ${process.env.SDS_DEBUG ? (e as Error).stack ?? e : (e as Error).message ?? e}`);
    process.exit(e instanceof FfmpegMissingError ? 3 : 1);
  },
);

import * as os from 'node:os';
import { assertFfmpeg, ffmpegPaths, FfmpegMissingError } from '../pipeline/audio/ffmpeg';
import { runStage } from '../pipeline/stages/dispatch';
import { parseCommand, UsageError } from './parseCommand';
import { convertTable } from '../pipeline/formats/convert';
import { userModelsDir } from '../pipeline/models/modelPaths';
import { addModel, fetchModel, installModelFile, listModels } from '../pipeline/models/registry';
import { namingFile, type StageReport } from '../pipeline/stages/types';
import { CliProgress } from './progress';
import { reasonOf } from '../pipeline/errors';

const USAGE = `Speech Dataset Studio (sds)

Usage:
  sds ingest --out <dir> [<urls or files...>] [--urls list.txt] [--rss <feed url or file>] [--limit N] [--since 2024-01-01]
             [--max-size 2G] [--link] [--via auto|yt-dlp|http]   downloads (resumable) and local files into <dir>/sources/,
             listed in sources.csv; yt-dlp fetches pages of sites that need a browser (auto) or every URL (--via yt-dlp)
  sds separate --out <dir> [<files>] [--model auto|repet|centre|<model.onnx>|<registry name>] [--stems vocals,accompaniment]
             vocals (and accompaniment) of every source into <dir>/separated/<id>/; then segment/run/slice --on vocals
  sds segment <files or folders...> --out <dir> [--engine smn|sm|silero] [--no-gender] [--gender-method encoder|pitch] [--on vocals] [--jobs N]
  sds slice --out <dir> [--on vocals] [--labels male,female] [--min 1.5] [--max 15] [--pad 0.1] [--merge-gap 0.3] [--jobs N]
  sds run <files or folders...> --out <dir> [segment and slice options]
  sds clean --out <dir> [--preset seed|speech|podcast] [--lowpass 5000 --lowpass-db-oct 36] [--highpass 80]
            [--dehum auto|50|60|off] [--denoise off|gate|gate-nonstationary|wiener|rnnoise|dtln|gtcrn|<model.onnx>] [--loudness -23 --true-peak -1 | --no-loudness]
            [--sources [ids]]   whole recordings (streamed) into clean/sources/ instead of the clips
  sds lint <dir> [--strict] [--min 1.5 --max 15 --min-snr 15 --loudness -23]   dataset diagnostics
  sds export --out <dir> --format ljspeech|hf-audiofolder|nemo|kaldi [--to <folder>] [--split 0.9,0.05,0.05 --by speaker]
             [--where "label=female and snr>20"]
  sds speaker enroll --out <dir> --name <who> <clean files or file@start-end ...>
  sds speaker enroll --out <dir> --name <who> --auto <long recording>   picks its cleanest stretches of one voice
  sds speaker score --out <dir> --ref <who> [--min-sim 0.7 | --auto-threshold]
  sds speaker split --out <dir> [--speakers N | --min-sim 0.8]
  sds diarize <files> --out <file.rttm | dir> [--speakers N|auto] [--window 2.5 --hop 0.5]
            who speaks when, as RTTM; into a dataset folder, slicing then cuts at speaker changes
  sds transcribe --out <dir> --model <Whisper ONNX folder or name> [--language en] [--beam 5] [--timestamps] [--overwrite]
  sds side-files --out <dir> [--ext txt,lab]   each clip's transcript beside it as <clip>.txt / <clip>.lab
  sds tone train --data <folders...> --out models/tone-<name>.onnx [--corpus ravdess|emodb|tess|savee|folders]
            [--emotions neutral,angry,sad] [--features rich|seed] [--normalise speaker|global] [--epochs 60]
            [--hidden 256] [--alpha 0.01] [--dropout 0.3] [--seed 1] [--patience N (early stopping on held-out speakers)] [--checkpoint-every N]
  sds tone benchmark --model <onnx or folder of checkpoints> --data <folders...> [--by-speaker --folds 4] [--report file.md]
  sds tone classify --model <onnx> --out <dir> [--min-prob 0.6] [--place link|copy|none]
  sds tone selftrain --model <onnx> --data <labelled folders...> --pool <unlabelled folders...> [--threshold 0.9] [--to <onnx>]
  sds models list | add <file.onnx> --task speaker [--name n --sample-rate 16000 --licence ...] | fetch <name> | install <name> <file.onnx>
  sds convert <in> <out>   between inaSpeechSegmenter .csv, Audacity .txt, Praat .TextGrid and .rttm (by extension)

Common: --ffmpeg <path to ffmpeg> (or SDS_FFMPEG), --quiet, --jobs N, --wait (queue behind another command writing the
same dataset instead of stopping). Exit codes: 1 when any file failed, 2 on a usage error, 3 without ffmpeg, 4 when
another command is writing the dataset.`;

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv);
  if (parsed.kind === 'help') {
    console.log(USAGE);
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
  process.once('SIGINT', () => abort.abort(new Error('interrupted')));
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
    console.log(`${r.stage}: ${r.processed} processed, ${r.skipped} up to date, ${r.failed.length} failed`);
    for (const line of r.summary) console.log(`  ${line}`);
    failed += r.failed.length;
  }
  const warnings = reports.flatMap((r) => r.warnings ?? []);
  if (warnings.length) {
    console.log(`\n${warnings.length} warning(s):`);
    for (const w of warnings) console.log(`  ${namingFile(w.file, w.error)}`);
  }
  const errors = reports.flatMap((r) => r.failed);
  if (errors.length) {
    console.log(`\n${errors.length} error(s):`);
    for (const e of errors) console.log(`  ${namingFile(e.file, e.error)}`);
  }
  return failed ? 1 : 0;
}


// benches read the process's own peak memory (it includes onnxruntime's native allocations)
if (process.env.SDS_REPORT_RSS) process.on('exit', () => process.stderr.write(`peak_rss_mb=${(process.resourceUsage().maxRSS / 1024).toFixed(0)}\n`));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`sds: ${(e as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    // a value out of range, found by the stage's own checks: one line, nothing written
    if (reasonOf(e) === 'usage') {
      console.error(`sds: ${(e as Error).message}\n(sds --help lists every option)`);
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

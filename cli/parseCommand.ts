import { parseArgs } from 'node:util';
import type { StageRequest } from '../pipeline/stages/dispatch';
import { parseSize } from '../pipeline/stages/ingest';

/** What a command line asks for, before anything runs: pure, so tests compare the requests command lines build. */
export type ParsedCommand =
  | { kind: 'help'; code: 0 | 2 }
  | { kind: 'convert'; input: string; output: string }
  | { kind: 'models'; args: string[]; values: Record<string, string | boolean | string[] | undefined> }
  | { kind: 'stage'; req: StageRequest; jobs?: number; wait?: boolean; ffmpeg?: string; quiet?: boolean };

export class UsageError extends Error {}

/** Options every command takes. */
const COMMON = ['out', 'jobs', 'ffmpeg', 'quiet', 'help', 'wait'];
const SEGMENT = ['engine', 'no-gender', 'gender-method', 'on'];
const SLICE = ['labels', 'min', 'max', 'pad', 'merge-gap', 'on'];

/**
 * Which options each command reads. parseArgs knows one table for all commands, so an option of another command
 * (`sds slice --engine silero`) would parse and then be ignored: this is what turns that into a usage error.
 */
const COMMAND_OPTIONS: Record<string, string[]> = {
  ingest: ['urls', 'rss', 'limit', 'since', 'max-size', 'link', 'via'],
  separate: ['model', 'stems'],
  segment: SEGMENT,
  slice: [...SLICE, 'sources'],
  run: [...SEGMENT, ...SLICE],
  clean: ['preset', 'lowpass', 'lowpass-db-oct', 'highpass', 'dehum', 'denoise', 'loudness', 'true-peak', 'no-loudness', 'sources'],
  lint: ['strict', 'min', 'max', 'min-snr', 'loudness'],
  export: ['format', 'to', 'split', 'by', 'where'],
  speaker: ['name', 'auto', 'ref', 'min-sim', 'auto-threshold', 'speakers'],
  diarize: ['speakers', 'window', 'hop'],
  transcribe: ['model', 'language', 'beam', 'timestamps', 'overwrite'],
  'side-files': ['ext'],
  tone: ['data', 'corpus', 'emotions', 'features', 'normalise', 'epochs', 'hidden', 'alpha', 'seed', 'checkpoint-every',
    'patience', 'dropout', 'model', 'by-speaker', 'folds', 'report', 'min-prob', 'place', 'pool', 'threshold', 'to'],
  models: ['task', 'name', 'sample-rate', 'licence'],
  convert: [],
};

/** A usage error for an option the command does not read, saying which commands do. */
function checkOptions(command: string, given: string[]): void {
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) return; // an unknown command is named further on
  for (const o of given) {
    if (COMMON.includes(o) || allowed.includes(o)) continue;
    const elsewhere = Object.keys(COMMAND_OPTIONS).filter((c) => COMMAND_OPTIONS[c].includes(o));
    throw new UsageError(`--${o} is not an option of ${command}${elsewhere.length ? ` (${elsewhere.join(', ')} ${elsewhere.length > 1 ? 'take' : 'takes'} it)` : ''}`);
  }
}

/** Reads a command line into what it asks for; a UsageError for anything that cannot be read. */
export function parseCommand(argv: string[]): ParsedCommand {
  // `--loudness -16`: parseArgs reads a leading '-' as an option, so glue negative numbers to their option
  const args = argv.flatMap((a, i) => (/^-\d/.test(a) && argv[i - 1]?.startsWith('--') ? [] : /^--[a-z-]+$/.test(a) && /^-\d/.test(argv[i + 1] ?? '') ? [`${a}=${argv[i + 1]}`] : [a]));
  // `sds clean --sources` alone means every source (slice's --sources always names ids)
  if (args[0] === 'clean') args.forEach((a, i) => a === '--sources' && (args[i + 1] === undefined || args[i + 1].startsWith('-')) && (args[i] = '--sources=all'));
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      engine: { type: 'string' },
      'no-gender': { type: 'boolean' },
      'gender-method': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      labels: { type: 'string' },
      min: { type: 'string' },
      max: { type: 'string' },
      pad: { type: 'string' },
      'merge-gap': { type: 'string' },
      sources: { type: 'string' },
      preset: { type: 'string' },
      lowpass: { type: 'string' },
      'lowpass-db-oct': { type: 'string' },
      highpass: { type: 'string' },
      dehum: { type: 'string' },
      denoise: { type: 'string' },
      loudness: { type: 'string' },
      'true-peak': { type: 'string' },
      'no-loudness': { type: 'boolean' },
      strict: { type: 'boolean' },
      name: { type: 'string' },
      ref: { type: 'string' },
      'min-sim': { type: 'string' },
      'auto-threshold': { type: 'boolean' },
      speakers: { type: 'string' },
      window: { type: 'string' },
      hop: { type: 'string' },
      task: { type: 'string' },
      'sample-rate': { type: 'string' },
      licence: { type: 'string' },
      format: { type: 'string' },
      to: { type: 'string' },
      split: { type: 'string' },
      by: { type: 'string' },
      where: { type: 'string' },
      'min-snr': { type: 'string' },
      data: { type: 'string', multiple: true },
      ext: { type: 'string' },
      auto: { type: 'boolean' },
      on: { type: 'string' },
      stems: { type: 'string' },
      urls: { type: 'string', multiple: true },
      rss: { type: 'string', multiple: true },
      limit: { type: 'string' },
      since: { type: 'string' },
      'max-size': { type: 'string' },
      link: { type: 'boolean' },
      via: { type: 'string' },
      language: { type: 'string' },
      beam: { type: 'string' },
      timestamps: { type: 'boolean' },
      overwrite: { type: 'boolean' },
      pool: { type: 'string', multiple: true },
      model: { type: 'string' },
      corpus: { type: 'string' },
      emotions: { type: 'string' },
      features: { type: 'string' },
      normalise: { type: 'string' },
      epochs: { type: 'string' },
      hidden: { type: 'string' },
      alpha: { type: 'string' },
      seed: { type: 'string' },
      'checkpoint-every': { type: 'string' },
      patience: { type: 'string' },
      dropout: { type: 'string' },
      'by-speaker': { type: 'boolean' },
      folds: { type: 'string' },
      report: { type: 'string' },
      'min-prob': { type: 'string' },
      place: { type: 'string' },
      threshold: { type: 'string' },
      ffmpeg: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      wait: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...inputs] = positionals;
  if (v.help || !command) return { kind: 'help', code: v.help ? 0 : 2 };
  checkOptions(command, Object.keys(v));
  if (command === 'convert') {
    if (inputs.length !== 2) throw new UsageError('convert needs <in> and <out>');
    return { kind: 'convert', input: inputs[0], output: inputs[1] };
  }
  if (command === 'lint' && !v.out && inputs[0]) v.out = inputs[0];
  const num = (name: string, s?: string) => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got "${s}"`);
    return n;
  };
  if (command === 'models') return { kind: 'models', args: inputs, values: v };
  if (command === 'tone' && ['benchmark', 'selftrain'].includes(inputs[0])) v.out ??= '.'; // they read and write no dataset
  if (!v.out) throw new UsageError('--out <dir> is required');
  const options = {
    engine: v.engine as 'smn' | 'sm' | 'silero' | undefined,
    gender: v['no-gender'] ? false : undefined,
    genderMethod: v['gender-method'] as 'encoder' | 'pitch' | undefined,
    labels: v.labels?.split(',').map((s) => s.trim()).filter(Boolean),
    min: num('min', v.min),
    max: num('max', v.max),
    pad: num('pad', v.pad),
    mergeGap: num('merge-gap', v['merge-gap']),
    on: v.on as 'mixture' | 'vocals' | undefined,
  };
  let req: StageRequest;
  if (command === 'segment' || command === 'run') {
    if (!inputs.length) throw new UsageError(`${command} needs at least one file or folder`);
    req = { stage: command, inputs, out: v.out, options };
  } else if (command === 'clean') {
    req = {
      stage: 'clean', out: v.out, preset: v.preset, sources: v.sources === undefined ? undefined : v.sources === 'all' ? true : v.sources.split(','),
      options: {
        lowpass: num('lowpass', v.lowpass), lowpassDbOct: num('lowpass-db-oct', v['lowpass-db-oct']), highpass: num('highpass', v.highpass),
        dehum: v.dehum as 'auto' | '50' | '60' | 'off' | undefined, denoise: v.denoise,
        loudness: v['no-loudness'] ? NaN : num('loudness', v.loudness), truePeak: num('true-peak', v['true-peak']),
      },
    };
  } else if (command === 'speaker') {
    const [verb, ...files] = inputs;
    if (verb === 'enroll') {
      if (!v.name || !files.length) throw new UsageError('speaker enroll needs --name <who> and at least one file');
      req = { stage: 'speaker-enroll', out: v.out, name: v.name, inputs: files, auto: v.auto };
    } else if (verb === 'score') {
      if (!v.ref) throw new UsageError('speaker score needs --ref <who>');
      req = { stage: 'speaker-score', out: v.out, ref: v.ref, minSim: num('min-sim', v['min-sim']), auto: v['auto-threshold'] };
    } else if (verb === 'split') {
      const n = v.speakers && v.speakers !== 'auto' ? num('speakers', v.speakers) : undefined;
      req = { stage: 'speaker-split', out: v.out, speakers: n, minSim: num('min-sim', v['min-sim']) };
    } else throw new UsageError(`unknown speaker command "${verb}" (use enroll, score or split)`);
  } else if (command === 'diarize') {
    if (!inputs.length) throw new UsageError('diarize needs a recording (or several, with a folder as --out)');
    const n = v.speakers && v.speakers !== 'auto' ? num('speakers', v.speakers) : undefined;
    req = { stage: 'diarize', inputs, out: v.out, options: { speakers: n, window: num('window', v.window), hop: num('hop', v.hop) } };
  } else if (command === 'export') {
    if (!v.format) throw new UsageError('export needs --format ljspeech|hf-audiofolder|nemo|kaldi');
    const split = v.split?.split(',').map((x) => num('split', x)!);
    req = { stage: 'export', out: v.out, options: { format: v.format as 'ljspeech', to: v.to, split, by: v.by, where: v.where } };
  } else if (command === 'lint') {
    req = { stage: 'lint', out: v.out, strict: v.strict, options: { min: options.min, max: options.max, minSnr: num('min-snr', v['min-snr']), loudness: num('loudness', v.loudness) } };
  } else if (command === 'separate') {
    req = { stage: 'separate', out: v.out, inputs, options: { model: v.model, stems: v.stems?.split(',').map((x) => x.trim()) as ('vocals' | 'accompaniment')[] | undefined } };
  } else if (command === 'ingest') {
    req = { stage: 'ingest', out: v.out, options: {
      urls: inputs.filter((i) => /^https?:\/\//i.test(i)), files: inputs.filter((i) => !/^https?:\/\//i.test(i)), urlLists: v.urls ?? [], feeds: v.rss ?? [],
      limit: num('limit', v.limit), since: v.since, maxBytes: v['max-size'] ? parseSize(v['max-size']) : undefined, link: v.link,
      via: v.via as 'auto' | undefined,
    } };
  } else if (command === 'transcribe') {
    if (!v.model) throw new UsageError('transcribe needs --model <folder with encoder_model.onnx, decoder_model.onnx, tokenizer.json>');
    req = { stage: 'transcribe', out: v.out, options: { model: v.model, language: v.language, beam: num('beam', v.beam), timestamps: v.timestamps, overwrite: v.overwrite } };
  } else if (command === 'side-files') {
    req = { stage: 'side-files', out: v.out, exts: v.ext?.split(',').map((e) => e.trim().replace(/^\./, '')) as ('txt' | 'lab')[] | undefined };
  } else if (command === 'tone') {
    const [verb, ...rest] = inputs;
    // data folders may follow --data or come as positionals: `--data a b` reads b as a positional
    const data = [...(v.data ?? []), ...rest];
    if (verb === 'train') {
      if (!data.length) throw new UsageError('tone train needs --data <folders...>');
      req = { stage: 'tone-train', options: {
        data, out: v.out, corpus: v.corpus as 'ravdess' | undefined, emotions: v.emotions?.split(',').map((s) => s.trim()).filter(Boolean),
        features: v.features as 'rich' | undefined, normalise: v.normalise as 'speaker' | undefined, checkpointEvery: num('checkpoint-every', v['checkpoint-every']),
        training: { epochs: num('epochs', v.epochs), hidden: v.hidden?.split(',').map((h) => num('hidden', h)!), alpha: num('alpha', v.alpha), seed: num('seed', v.seed),
          dropout: num('dropout', v.dropout), patience: num('patience', v.patience) },
      } };
    } else if (verb === 'benchmark') {
      if (!v.model || !data.length) throw new UsageError('tone benchmark needs --model and --data');
      req = { stage: 'tone-benchmark', options: { model: v.model, data, corpus: v.corpus as 'ravdess' | undefined, bySpeaker: v['by-speaker'], folds: num('folds', v.folds), report: v.report } };
    } else if (verb === 'classify') {
      if (!v.model) throw new UsageError('tone classify needs --model');
      req = { stage: 'tone-classify', out: v.out, options: { model: v.model, minProb: num('min-prob', v['min-prob']), place: v.place as 'link' | undefined } };
    } else if (verb === 'selftrain') {
      if (!v.model || !data.length || !v.pool?.length) throw new UsageError('tone selftrain needs --model, --data and --pool');
      req = { stage: 'tone-selftrain', options: { model: v.model, data, pool: v.pool, threshold: num('threshold', v.threshold), folds: num('folds', v.folds), out: v.to, corpus: v.corpus as 'ravdess' | undefined } };
    } else throw new UsageError(`unknown tone command "${verb}" (use train, benchmark, classify or selftrain)`);
  } else if (command === 'slice') {
    req = { stage: 'slice', out: v.out, options, sources: v.sources?.split(',') };
  } else throw new UsageError(`unknown command "${command}"`);

  const jobs = v.jobs === undefined ? undefined : Number(v.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a whole number >= 1, got "${v.jobs}"`);
  return { kind: 'stage', req, jobs, wait: v.wait, ffmpeg: v.ffmpeg, quiet: v.quiet };
}

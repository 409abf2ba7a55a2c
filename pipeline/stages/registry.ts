import { OptionError } from '../errors';
import { SEGMENT_LABELS } from '../formats/segmentTable';
import { CORPORA } from '../tone/corpusLabels';
import { FEATURE_KINDS } from '../tone/toneFeatures';
import { DEFAULT_PRESET, DEHUM, PRESETS } from './cleanOptions';
import { DENOISERS, EXPORT_FORMATS, namesOf, SEGMENT_ENGINES, SEPARATORS, type Named } from './engines';
import { AUDIO_OF, DEFAULT_SEGMENT, GENDER_METHODS } from './segment';
import { STEMS } from './separate';
import { SIDE_FILE_EXTS } from './sideFiles';
import type { StageRequest } from './dispatch';
import { parseSize, VIA } from './ingest';
import { DEFAULT_LINT } from './lint';
import { checkValue, choice, flag, int, list, num, numbers, repeat, text, type OptionDef, type OptionValue } from './optionKinds';
import { DEFAULT_SLICE } from './slicePlan';
import { SAME_SPEAKER_MIN_SIM } from './speaker';
import { DEFAULT_CLASSIFY, DEFAULT_TONE, NORMALISATIONS, PLACES } from './tone';
import { DEFAULT_TRANSCRIBE } from './transcribe';

/** What a command line turns into: a stage request, or one of the commands that run no stage. */
export type CommandResult =
  | { kind: 'stage'; req: StageRequest }
  | { kind: 'convert'; input: string; output: string }
  | { kind: 'models'; args: string[]; values: Record<string, string | boolean | string[] | undefined> };

export interface CommandDef {
  /** as typed after `sds`: `slice`, `speaker enroll` */
  cli: string;
  summary: string;
  /** the arguments besides the options, for usage: `<files or folders...> --out <dir>` */
  synopsis: string;
  options: Record<string, OptionDef>;
  /** `required` (the default): a dataset folder; `positional`: the first argument is it (lint); `none`: no dataset; `dot`: optional, default `.` */
  out?: 'required' | 'positional' | 'none' | 'dot';
  /** the options VS Code offers as settings `sds.<group>.<option>` (generated into package.json) */
  settings?: { group: string; options: string[] };
  /** the request from the values read by kind, the positionals after the command, and --out */
  build: (o: Record<string, OptionValue>, args: string[], out: string, raw: Record<string, string | boolean | string[] | undefined>) => CommandResult;
}

/** Options every command takes (read by the CLI itself, not by a stage). */
export const COMMON_OPTIONS: Record<string, OptionDef> = {
  out: text('the dataset folder (created when missing)', { short: 'o', placeholder: '<dir>' }),
  jobs: int('files processed in parallel', { short: 'j', default: 'the core count, at most 2', min: 1, placeholder: 'N' }),
  ffmpeg: text('path to ffmpeg (ffprobe is looked up beside it); default SDS_FFMPEG or ffmpeg on PATH', { placeholder: '<path>' }),
  quiet: flag('no progress or log lines', { short: 'q' }),
  wait: flag('queue behind another command writing the same dataset instead of stopping (exit code 4)'),
  help: flag('this help, or a command\'s own (sds slice --help)', { short: 'h' }),
};

/** Settings of the extension itself (not of one stage), as package.json declares them. */
export const WORKSPACE_SETTINGS: Record<string, Record<string, unknown>> = {
  ffmpegPath: { type: 'string', default: '', description: 'Path to ffmpeg (ffprobe is looked up beside it). Empty: ffmpeg on PATH.', scope: 'machine-overridable' },
  outputFolder: { type: 'string', default: 'sds-dataset', description: 'Dataset folder, relative to the workspace folder unless absolute.' },
  jobs: { type: 'number', default: 0, minimum: 0, description: 'Files processed in parallel by the pipeline host (0: the core count, at most 2).' },
};

const commands = new Map<string, CommandDef>();

/** Adds a command; its options then parse, show in help and are checked with no other edit. */
export function defineCommand(def: CommandDef): CommandDef {
  for (const [name, o] of Object.entries(def.options)) {
    const other = [...commands.values()].map((c) => c.options[name] ?? COMMON_OPTIONS[name]).find(Boolean);
    if (other && (other.kind === 'flag') !== (o.kind === 'flag')) throw new Error(`--${name} of ${def.cli} is a ${o.kind}, elsewhere a ${other.kind}: one flag, one kind`);
  }
  commands.set(def.cli, def);
  return def;
}

export const allCommands = (): CommandDef[] => [...commands.values()];

/**
 * The values of a request against the command's declarations, by the request's own field names (`mergeGap` is
 * --merge-gap): one check whoever built the request. Fields no option declares are left to the stage.
 */
export function checkRequest(cli: string, values: object): void {
  const def = commands.get(cli);
  if (!def) throw new Error(`no command ${cli} in the registry`);
  for (const [name, o] of Object.entries(def.options)) {
    const field = name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (field in values) checkValue(name, o, (values as Record<string, unknown>)[field]);
  }
}
export const commandNamed = (cli: string): CommandDef | undefined => commands.get(cli);

const stage = (req: StageRequest): CommandResult => ({ kind: 'stage', req });
/** A choice among named engines: their names are the values, their lines the descriptions. */
const pick = (list: readonly Named[], help: string, o: Partial<OptionDef> = {}) => choice(namesOf(list), help, { descriptions: list.map((e) => e.description), ...o });
const need = (ok: unknown, message: string) => {
  if (!ok) throw new OptionError(message);
};
const s = (v: OptionValue) => v as string | undefined;
const n = (v: OptionValue) => v as number | undefined;
const strs = (v: OptionValue) => v as string[] | undefined;
const bool = (v: OptionValue) => (v ? true : undefined);
/** `--speakers 3` or `auto` (counted) */
const speakers = (v: OptionValue) => {
  if (v === undefined || v === 'auto') return undefined;
  const x = Number(v);
  need(Number.isFinite(x), `--speakers expects a number, got "${v}"`);
  return x;
};

// segment and slice, also read together by `run`
const SEGMENT_OPTIONS: Record<string, OptionDef> = {
  engine: pick(SEGMENT_ENGINES, 'segmentation engine', { default: DEFAULT_SEGMENT.engine }),
  'no-gender': flag('speech stays "speech" instead of male / female', { setting: 'split speech into male / female (otherwise: speech)' }),
  'gender-method': choice(GENDER_METHODS, 'how speech is split into male / female', { default: DEFAULT_SEGMENT.genderMethod,
    descriptions: ['speaker-encoder embeddings + the project\'s trained classifier (more accurate)', 'pitch only (fastest)'] }),
  on: choice(AUDIO_OF, 'analyse the original, or the vocals stem sds separate wrote', { default: 'mixture' }),
};
const SLICE_OPTIONS: Record<string, OptionDef> = {
  labels: list('labels cut into clips', { default: DEFAULT_SLICE.labels, values: SEGMENT_LABELS }),
  min: num('shortest clip, seconds', { default: DEFAULT_SLICE.min, min: 0 }),
  max: num('longest clip, seconds; longer runs are split at their quietest point', { default: DEFAULT_SLICE.max, min: 0.1 }),
  pad: num('seconds of context added on each side of a clip', { default: DEFAULT_SLICE.pad, min: 0 }),
  'merge-gap': num('same-label segments closer than this (seconds) are merged into one clip', { default: DEFAULT_SLICE.mergeGap, min: 0 }),
  on: SEGMENT_OPTIONS.on,
};
const segmentAndSlice = (o: Record<string, OptionValue>) => ({
  engine: s(o.engine) as 'smn' | undefined, gender: o['no-gender'] ? false : undefined, genderMethod: s(o['gender-method']) as 'pitch' | undefined,
  labels: strs(o.labels), min: n(o.min), max: n(o.max), pad: n(o.pad), mergeGap: n(o['merge-gap']), on: s(o.on) as 'vocals' | undefined,
});

defineCommand({
  cli: 'ingest', summary: 'downloads (resumable) and local files into <dir>/sources/, listed in sources.csv; yt-dlp fetches pages of sites that need a browser',
  synopsis: '--out <dir> [<urls or files...>]',
  options: {
    urls: repeat('a file listing URLs (one a line, or comma separated)', { placeholder: 'list.txt' }),
    rss: repeat('a podcast feed (RSS or Atom), URL or file', { placeholder: '<feed>' }),
    limit: int('newest N episodes of each feed', { placeholder: 'N', min: 1 }),
    since: text('episodes published on or after this date', { placeholder: '2024-01-01' }),
    'max-size': text('refuse downloads over this size', { placeholder: '2G' }),
    link: flag('link local files into sources/ instead of copying them'),
    via: choice(VIA, 'yt-dlp for sites that need a browser (auto), or for every URL, or never', { default: 'auto' }),
  },
  build: (o, args, out, raw) => stage({ stage: 'ingest', out, options: {
    urls: args.filter((i) => /^https?:\/\//i.test(i)), files: args.filter((i) => !/^https?:\/\//i.test(i)), urlLists: strs(o.urls) ?? [], feeds: strs(o.rss) ?? [],
    limit: n(o.limit), since: s(o.since), maxBytes: raw['max-size'] ? parseSize(raw['max-size'] as string) : undefined, link: o.link ? true : undefined,
    via: s(o.via) as 'auto' | undefined,
  } }),
});

defineCommand({
  cli: 'separate', summary: 'vocals (and accompaniment) of every source into <dir>/separated/<id>/; then segment/run/slice --on vocals',
  synopsis: '--out <dir> [<files>]',
  options: {
    model: text(`${namesOf(SEPARATORS).join(', ')}, a model .onnx or a registry name`, { default: SEPARATORS[0].name, placeholder: `${namesOf(SEPARATORS).join('|')}|<model.onnx>` }),
    stems: list('stems to write', { default: STEMS[0], values: STEMS }),
  },
  build: (o, args, out) => stage({ stage: 'separate', out, inputs: args, options: { model: s(o.model), stems: strs(o.stems) as ('vocals' | 'accompaniment')[] | undefined } }),
});

/** segment and run: files or folders, the segment and slice options */
const onInputs = (command: 'segment' | 'run') => (o: Record<string, OptionValue>, args: string[], out: string) => {
  need(args.length, `${command} needs at least one file or folder`);
  return stage({ stage: command, inputs: args, out, options: segmentAndSlice(o) });
};

defineCommand({
  cli: 'segment', summary: 'speech (male / female), music, noise, noEnergy per file, as inaSpeechSegmenter CSV in segments/',
  synopsis: '<files or folders...> --out <dir>', options: SEGMENT_OPTIONS, settings: { group: 'segment', options: ['engine', 'no-gender', 'gender-method'] },
  build: onInputs('segment'),
});

defineCommand({
  cli: 'slice', summary: 'the chosen labels cut into clips/<label>/, listed in clips.csv',
  synopsis: '--out <dir>',
  options: { ...SLICE_OPTIONS, sources: list('only these source ids (re-slice one file)', { placeholder: '<ids>' }) },
  settings: { group: 'slice', options: ['labels', 'min', 'max', 'pad', 'merge-gap'] },
  build: (o, _args, out) => stage({ stage: 'slice', out, options: segmentAndSlice(o), sources: strs(o.sources) }),
});

defineCommand({
  cli: 'run', summary: 'segment, then slice', synopsis: '<files or folders...> --out <dir>',
  options: { ...SEGMENT_OPTIONS, ...SLICE_OPTIONS },
  build: onInputs('run'),
});

defineCommand({
  cli: 'clean', summary: 'filters, hum notches, denoiser and EBU R128 loudness per clip into clean/, metrics in clips.csv',
  synopsis: '--out <dir>',
  options: {
    preset: choice(Object.keys(PRESETS), 'starting point for the options below', { default: DEFAULT_PRESET, setting: 'cleaning preset: the starting point the other clean settings change',
      descriptions: ['the seed\'s 5 kHz 36 dB/octave low-pass, no denoiser, -23 LUFS', 'high-pass 80 Hz, hum notches where found, DTLN denoiser, -23 LUFS / -1 dBTP', 'as speech, -16 LUFS'] }),
    lowpass: num('low-pass corner, Hz (0: off)', { min: 0, placeholder: '5000' }),
    'lowpass-db-oct': num('low-pass slope, dB per octave (a multiple of 12)', { placeholder: '36', min: 12 }),
    highpass: num('high-pass corner, Hz (0: off)', { min: 0, placeholder: '80' }),
    dehum: choice(DEHUM, 'mains-hum notches: where found, at 50 / 60 Hz harmonics, or none'),
    denoise: text('denoiser, or your own model (docs/models.md); default: the preset\'s', { values: namesOf(DENOISERS), descriptions: DENOISERS.map((d) => d.description),
      placeholder: `${namesOf(DENOISERS).join('|')}|<model.onnx>`, pattern: `^(${namesOf(DENOISERS).join('|')}|.+\\.onnx)?$` }),
    loudness: num('integrated loudness target, LUFS (the preset\'s: -23, podcast -16)', { placeholder: '-23', min: -70, max: -1 }),
    'true-peak': num('true-peak ceiling, dBTP (the preset\'s: -1)', { placeholder: '-1', max: 0 }),
    'no-loudness': flag('leave the level alone'),
    sources: text('clean whole recordings (streamed) into clean/sources/ instead of the clips: every source, or these ids', { placeholder: '[ids]', bare: 'all' }),
  },
  settings: { group: 'clean', options: ['preset', 'denoise', 'loudness', 'true-peak'] },
  build: (o, _args, out) => stage({
    stage: 'clean', out, preset: s(o.preset), sources: o.sources === undefined ? undefined : o.sources === 'all' ? true : (o.sources as string).split(','),
    options: { lowpass: n(o.lowpass), lowpassDbOct: n(o['lowpass-db-oct']), highpass: n(o.highpass), dehum: s(o.dehum) as 'auto' | undefined, denoise: s(o.denoise),
      loudness: o['no-loudness'] ? NaN : n(o.loudness), truePeak: n(o['true-peak']) },
  }),
});

defineCommand({
  cli: 'lint', summary: 'dataset diagnostics: missing, duplicate, clipped, too short or long, noisy, off-target, silent clips',
  synopsis: '<dir>', out: 'positional',
  options: {
    strict: flag('warnings count as errors (exit code 1)'),
    min: num('shortest clip expected, seconds', { default: DEFAULT_LINT.min }),
    max: num('longest clip expected, seconds', { default: DEFAULT_LINT.max }),
    'min-snr': num('lowest acceptable SNR, dB', { default: DEFAULT_LINT.minSnr }),
    loudness: num('loudness expected of cleaned clips, LUFS', { default: DEFAULT_LINT.loudness }),
  },
  build: (o, _args, out) => stage({ stage: 'lint', out, strict: bool(o.strict), options: { min: n(o.min), max: n(o.max), minSnr: n(o['min-snr']), loudness: n(o.loudness) } }),
});

defineCommand({
  cli: 'export', summary: 'the dataset in a format training code reads',
  synopsis: '--out <dir> --format <format>',
  options: {
    format: pick(EXPORT_FORMATS, 'the layout written'),
    to: text('destination folder', { default: '<dir>/export/<format>', placeholder: '<folder>' }),
    split: numbers('train, validation, test fractions, speaker-disjoint', { placeholder: '0.9,0.05,0.05' }),
    by: text('the column that keeps clips in one split', { default: 'speaker' }),
    where: text('only rows matching, e.g. "label=female and snr>20"', { placeholder: '"<filter>"' }),
  },
  build: (o, _args, out) => {
    need(o.format, `export needs --format ${namesOf(EXPORT_FORMATS).join('|')}`);
    return stage({ stage: 'export', out, options: { format: s(o.format) as 'ljspeech', to: s(o.to), split: o.split as number[] | undefined, by: s(o.by), where: s(o.where) } });
  },
});

defineCommand({
  cli: 'speaker enroll', summary: 'a reference voice from clean files (or file@start-end), or --auto from a long recording\'s cleanest stretches of one voice',
  synopsis: '--out <dir> --name <who> <files or file@start-end ...>',
  options: { name: text('who this voice is', { placeholder: '<who>' }), auto: flag('pick the cleanest stretches of one voice from the recording given') },
  build: (o, args, out) => {
    need(o.name && args.length, 'speaker enroll needs --name <who> and at least one file');
    return stage({ stage: 'speaker-enroll', out, name: s(o.name)!, inputs: args, auto: bool(o.auto) });
  },
});

defineCommand({
  cli: 'speaker score', summary: 'similarity of every clip to an enrolled voice; clips under the threshold move to rejected/',
  synopsis: '--out <dir> --ref <who>',
  options: { ref: text('the enrolled voice', { placeholder: '<who>' }), 'min-sim': num('threshold', { placeholder: '0.7', min: -1, max: 1 }), 'auto-threshold': flag('Otsu\'s cut between the two groups of similarities') },
  build: (o, _args, out) => {
    need(o.ref, 'speaker score needs --ref <who>');
    return stage({ stage: 'speaker-score', out, ref: s(o.ref)!, minSim: n(o['min-sim']), auto: bool(o['auto-threshold']) });
  },
});

defineCommand({
  cli: 'speaker split', summary: 'clusters clips into speakers (the speaker column, speakers/spk<k>/)',
  synopsis: '--out <dir>',
  options: { speakers: text('how many, or auto', { placeholder: 'N|auto' }), 'min-sim': num('auto: merge clusters at least this alike', { default: SAME_SPEAKER_MIN_SIM }) },
  build: (o, _args, out) => stage({ stage: 'speaker-split', out, speakers: speakers(o.speakers), minSim: n(o['min-sim']) }),
});

defineCommand({
  cli: 'diarize', summary: 'who speaks when, as RTTM; into a dataset folder, slicing then cuts at speaker changes',
  synopsis: '<files> --out <file.rttm | dir>',
  options: { speakers: text('how many, or auto', { placeholder: 'N|auto' }), window: num('seconds per embedded window', { default: 2.5, min: 0.5 }), hop: num('seconds between windows', { default: 0.5, min: 0.01 }) },
  build: (o, args, out) => {
    need(args.length, 'diarize needs a recording (or several, with a folder as --out)');
    return stage({ stage: 'diarize', inputs: args, out, options: { speakers: speakers(o.speakers), window: n(o.window), hop: n(o.hop) } });
  },
});

defineCommand({
  cli: 'transcribe', summary: 'a machine transcript for every clip without one (a person\'s text is never replaced)',
  synopsis: '--out <dir> --model <Whisper ONNX folder or name>',
  options: {
    model: text('Whisper ONNX folder or registry name', { placeholder: '<model>', setting: 'transcribe: folder of a Whisper ONNX export (encoder_model.onnx, decoder_model.onnx, tokenizer.json), or a model name in the user model cache; asked for on first use' }),
    language: text('language code (en, de, ...); default: detected per clip', { placeholder: 'en' }),
    beam: int('beam width (1: greedy)', { default: DEFAULT_TRANSCRIBE.beam, min: 1, max: 16 }), timestamps: flag('also write timestamped segments (asr_segments column)'),
    overwrite: flag('transcribe clips that already have a machine transcript again'),
  },
  settings: { group: 'transcribe', options: ['model', 'language', 'beam', 'timestamps'] },
  build: (o, _args, out) => {
    need(o.model, 'transcribe needs --model <folder with encoder_model.onnx, decoder_model.onnx, tokenizer.json>');
    return stage({ stage: 'transcribe', out, options: { model: s(o.model)!, language: s(o.language), beam: n(o.beam), timestamps: bool(o.timestamps), overwrite: bool(o.overwrite) } });
  },
});

defineCommand({
  cli: 'side-files', summary: 'each clip\'s transcript beside it as <clip>.txt / <clip>.lab', synopsis: '--out <dir>',
  options: { ext: list('which side files', { default: SIDE_FILE_EXTS[0], values: SIDE_FILE_EXTS }) },
  build: (o, _args, out) => stage({ stage: 'side-files', out, exts: strs(o.ext)?.map((e) => e.replace(/^\./, '')) as ('txt' | 'lab')[] | undefined }),
});

const TONE_DATA = {
  data: repeat('labelled folders (RAVDESS / EmoDB / TESS / SAVEE names or <emotion>/ folders)', { placeholder: '<folders...>' }),
  corpus: choice(CORPORA, 'how labels are read from names (default: guessed)'),
};
const dataOf = (o: Record<string, OptionValue>, args: string[]) => [...(strs(o.data) ?? []), ...args];

defineCommand({
  cli: 'tone train', summary: 'an emotion classifier (MLP) trained on labelled folders, exported as ONNX', synopsis: '--data <folders...> --out models/tone-<name>.onnx',
  options: {
    ...TONE_DATA,
    emotions: list('the classes kept', { placeholder: 'neutral,angry,sad' }),
    features: choice(FEATURE_KINDS, 'feature set', { default: DEFAULT_TONE.features, descriptions: ['the seed project\'s 180-dim librosa feature', 'statistics of MFCC, pitch, energy, spectrum + voice embedding'], setting: 'train tone: the feature set' }),
    normalise: choice(NORMALISATIONS, 'feature standardisation', { default: DEFAULT_TONE.normalise }),
    epochs: int('training epochs', { placeholder: '60' }), hidden: numbers('hidden layer sizes', { placeholder: '256' }), alpha: num('L2 penalty', { placeholder: '0.01' }),
    dropout: num('dropout rate', { placeholder: '0.3' }), seed: int('random seed', { placeholder: '1' }), patience: int('early stopping on held-out speakers after N epochs without gain', { placeholder: 'N' }),
    'checkpoint-every': int('write a checkpoint every N epochs', { default: DEFAULT_TONE.checkpointEvery, placeholder: 'N' }),
  },
  settings: { group: 'tone', options: ['features'] },
  build: (o, args, out) => {
    const data = dataOf(o, args);
    need(data.length, 'tone train needs --data <folders...>');
    return stage({ stage: 'tone-train', options: {
      data, out, corpus: s(o.corpus) as 'ravdess' | undefined, emotions: strs(o.emotions), features: s(o.features) as 'rich' | undefined, normalise: s(o.normalise) as 'speaker' | undefined,
      checkpointEvery: n(o['checkpoint-every']),
      training: { epochs: n(o.epochs), hidden: o.hidden as number[] | undefined, alpha: n(o.alpha), seed: n(o.seed), dropout: n(o.dropout), patience: n(o.patience) },
    } });
  },
});

defineCommand({
  cli: 'tone benchmark', summary: 'accuracy, per-class F1 and confusion matrix of a model (or a folder of checkpoints)', synopsis: '--model <onnx or folder> --data <folders...>', out: 'dot',
  options: { model: text('the model or checkpoints folder', { placeholder: '<onnx>' }), ...TONE_DATA, 'by-speaker': flag('leave-speakers-out folds'), folds: int('cross-validation folds', { placeholder: '4' }), report: text('markdown report file', { placeholder: 'file.md' }) },
  build: (o, args) => {
    const data = dataOf(o, args);
    need(o.model && data.length, 'tone benchmark needs --model and --data');
    return stage({ stage: 'tone-benchmark', options: { model: s(o.model)!, data, corpus: s(o.corpus) as 'ravdess' | undefined, bySpeaker: bool(o['by-speaker']), folds: n(o.folds), report: s(o.report) } });
  },
});

defineCommand({
  cli: 'tone classify', summary: 'emotion and probability for every clip, clips placed in emotion/<class>/', synopsis: '--model <onnx> --out <dir>',
  options: {
    model: text('the tone model', { placeholder: '<onnx>' }),
    'min-prob': num('clips whose most likely emotion is less probable than this are marked "uncertain" (0: none)', { default: DEFAULT_CLASSIFY.minProb, min: 0, max: 1, setting: 'classify by tone: clips whose most likely emotion is less probable than this are marked "uncertain" (0: none)' }),
    place: choice(PLACES, 'how clips go into emotion/<class>/', { default: DEFAULT_CLASSIFY.place, descriptions: ['hard links', 'copies', 'not at all'], setting: 'classify by tone: how clips are placed into emotion/<class>/' }),
  },
  settings: { group: 'tone', options: ['min-prob', 'place'] },
  build: (o, _args, out) => {
    need(o.model, 'tone classify needs --model');
    return stage({ stage: 'tone-classify', out, options: { model: s(o.model)!, minProb: n(o['min-prob']), place: s(o.place) as 'link' | undefined } });
  },
});

defineCommand({
  cli: 'tone selftrain', summary: 'retrains on the labelled folders plus the pool clips the model is sure of', synopsis: '--model <onnx> --data <folders...> --pool <folders...>', out: 'dot',
  options: { model: text('the starting model', { placeholder: '<onnx>' }), ...TONE_DATA, pool: repeat('unlabelled folders', { placeholder: '<folders...>' }), threshold: num('pool clips kept above this probability', { placeholder: '0.9' }),
    folds: int('cross-validation folds', { placeholder: '4' }), to: text('the retrained model', { placeholder: '<onnx>' }) },
  build: (o, args) => {
    const data = dataOf(o, args);
    need(o.model && data.length && strs(o.pool)?.length, 'tone selftrain needs --model, --data and --pool');
    return stage({ stage: 'tone-selftrain', options: { model: s(o.model)!, data, pool: strs(o.pool)!, threshold: n(o.threshold), folds: n(o.folds), out: s(o.to), corpus: s(o.corpus) as 'ravdess' | undefined } });
  },
});

const MODEL_OPTIONS = { task: text('what the model does (speaker, enhance, separate, asr)', { placeholder: 'speaker' }), name: text('its name in the registry'), 'sample-rate': num('its input rate, Hz', { placeholder: '16000' }), licence: text('its licence') };
for (const [verb, summary, synopsis] of [['list', 'the models the registry knows, and where each is', ''], ['add', 'a user ONNX model, checked by loading it', '<file.onnx> --task speaker'],
  ['fetch', 'a model\'s weights, resumable, sha256-checked', '<name>'], ['install', 'a copy you have, checked against the manifest', '<name> <file.onnx>']] as const) {
  defineCommand({ cli: `models ${verb}`, summary, synopsis, out: 'none', options: verb === 'add' ? MODEL_OPTIONS : {},
    build: (_o, args, _out, raw) => ({ kind: 'models', args: [verb, ...args], values: raw }) });
}

defineCommand({
  cli: 'convert', summary: 'between inaSpeechSegmenter .csv, Audacity .txt, Praat .TextGrid and .rttm (by extension)', synopsis: '<in> <out>', out: 'none', options: {},
  build: (_o, args) => {
    need(args.length === 2, 'convert needs <in> and <out>');
    return { kind: 'convert', input: args[0], output: args[1] };
  },
});

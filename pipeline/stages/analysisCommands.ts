import * as fs from 'node:fs';
import * as path from 'node:path';
import { OptionError } from '../errors';
import { readManifest } from '../models/modelPaths';
import { clipAudio } from '../plan/step';
import { fetchModel, installModelFile } from '../models/registry';
import { CORPORA } from '../tone/corpusLabels';
import { FEATURE_KINDS } from '../tone/toneFeatures';
import { bool, checkRequest, checkSpeakers, defined, defineCommand, n, need, runs, s, speakers, stage, step, strs, writing } from './commandKit';
import { DIARIZE_VERSION, runDiarize } from './diarize';
import { choice, flag, int, list, model, num, numbers, pathOpt, repeat, text, type OptionValue } from './optionKinds';
import { SIDE_FILE_EXTS, writeSideFiles } from './sideFiles';
import { enrollSpeaker, SAME_SPEAKER_MIN_SIM, scoreSpeaker, splitSpeakers } from './speaker';
import { DEFAULT_CLASSIFY, DEFAULT_TONE, NORMALISATIONS, PLACES, runToneBenchmark, runToneClassify, runToneSelftrain, runToneTrain,
  type ToneBenchmarkOptions, type ToneClassifyOptions, type ToneSelftrainOptions, type ToneTrainOptions } from './tone';
import { whisperFiles } from '../asr/whisper';
import { DEFAULT_TRANSCRIBE, resolveAsrModel, runTranscribe, TRANSCRIBE_VERSION, type TranscribeStageOptions } from './transcribe';
import type { StageReport } from './types';

// The commands that analyse clips and voices (speakers, diarization, transcripts, tone), and the model registry's
// and table conversion's: each declared once, as in datasetCommands.ts.

const profileOf = (dir: string, who: string) => path.join(dir, 'speakers', `${who}.json`);
/** A model file (or folder) as a key: its size and time stamp, read without hashing gigabytes on every plan. */
const fileKey = (file: string) => {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? [path.resolve(file), st.size, Math.round(st.mtimeMs)] : file;
};

const modelReport = (stageName: string, line: string): StageReport => ({ stage: stageName, processed: 1, skipped: 0, failed: [], summary: [line] });

defineCommand({
  cli: 'speaker enroll', summary: 'a reference voice from clean files (or file@start-end), or --auto from a long recording\'s cleanest stretches of one voice',
  synopsis: '--out <dir> --name <who> <files or file@start-end ...>',
  options: { name: text('who this voice is', { placeholder: '<who>' }), auto: flag('pick the cleanest stretches of one voice from the recording given') },
  build: (o, args, out) => {
    need(o.name && args.length, 'speaker enroll needs --name <who> and at least one file');
    return stage({ stage: 'speaker-enroll', out, name: s(o.name)!, inputs: args, auto: bool(o.auto) });
  },
  run: runs('speaker-enroll', (req, ctx) => writing(req.out, async () => [await enrollSpeaker(req.out, req.name, req.inputs, ctx, req.auto)])),
  pipeline: step('speaker-enroll', { scope: 'dataset', takes: 'own', reads: (_vs, req) => ({ files: req.inputs.map((i) => i.replace(/@[\d.]+-[\d.]+$/, '')) }),
    writes: (v, req) => [profileOf(v.ds.dir, req.name)] }),
});

defineCommand({
  cli: 'speaker score', summary: 'similarity of every clip to an enrolled voice; clips under the threshold move to rejected/',
  synopsis: '--out <dir> --ref <who>',
  options: { ref: text('the enrolled voice', { placeholder: '<who>' }), 'min-sim': num('threshold', { placeholder: '0.7', min: -1, max: 1 }), 'auto-threshold': flag('Otsu\'s cut between the two groups of similarities') },
  build: (o, _args, out) => {
    need(o.ref, 'speaker score needs --ref <who>');
    return stage({ stage: 'speaker-score', out, ref: s(o.ref)!, minSim: n(o['min-sim']), auto: bool(o['auto-threshold']) });
  },
  run: runs('speaker-score', (req, ctx) => {
    checkRequest('speaker score', { minSim: req.minSim });
    return writing(req.out, async () => [await scoreSpeaker(req.out, req.ref, { minSim: req.minSim, auto: req.auto }, ctx)]);
  }),
  // the clips as cleaned, and the voice they are compared with (moving a rejected clip changes neither)
  pipeline: step('speaker-score', { scope: 'source', after: ['slice', 'clean', 'speaker-enroll'], reads: (vs, req, ds) => ({ files: [...clipAudio(vs), profileOf(ds.dir, req.ref)] }),
    // the automatic threshold is one cut over every source's similarities
    together: (req) => !!req.auto && req.minSim === undefined }),
});

defineCommand({
  cli: 'speaker split', summary: 'clusters clips into speakers (the speaker column, speakers/spk<k>/)',
  synopsis: '--out <dir>',
  options: { speakers: text('how many, or auto', { placeholder: 'N|auto' }), 'min-sim': num('auto: merge clusters at least this alike', { default: SAME_SPEAKER_MIN_SIM }) },
  build: (o, _args, out) => stage({ stage: 'speaker-split', out, speakers: speakers(o.speakers), minSim: n(o['min-sim']) }),
  run: runs('speaker-split', (req, ctx) => {
    checkSpeakers(req.speakers);
    return writing(req.out, async () => [await splitSpeakers(req.out, { speakers: req.speakers, minSim: req.minSim }, ctx)]);
  }),
  pipeline: step('speaker-split', { scope: 'dataset', after: ['slice', 'clean', 'speaker-score'], reads: (vs) => ({ files: clipAudio(vs) }) }),
});

defineCommand({
  cli: 'diarize', summary: 'who speaks when, as RTTM; into a dataset folder, slicing then cuts at speaker changes',
  synopsis: '<files> --out <file.rttm | dir>',
  options: { speakers: text('how many, or auto', { placeholder: 'N|auto' }), window: num('seconds per embedded window', { default: 2.5, min: 0.5 }), hop: num('seconds between windows', { default: 0.5, min: 0.01 }) },
  build: (o, args, out) => {
    need(args.length, 'diarize needs a recording (or several, with a folder as --out)');
    return stage({ stage: 'diarize', inputs: args, out, options: { speakers: speakers(o.speakers), window: n(o.window), hop: n(o.hop) } });
  },
  run: runs('diarize', (req, ctx) => {
    const o = defined(req.options ?? {});
    checkRequest('diarize', { window: o.window, hop: o.hop });
    checkSpeakers(o.speakers);
    const run = async () => [await runDiarize(req.inputs, req.out, o, ctx)];
    // one .rttm file is a result, not a dataset
    return /\.rttm$/i.test(req.out) ? { run } : writing(req.out, run, req.inputs);
  }),
  pipeline: step('diarize', { scope: 'source', takes: 'sources', after: ['ingest'], reads: ([v]) => ({ values: v.src.sha256 }), writes: (v) => [v.src.diarization],
    algorithm: () => [DIARIZE_VERSION, readManifest('tone_color_se').sha256] }),
});

defineCommand({
  cli: 'transcribe', summary: 'a machine transcript for every clip without one, with word timings and confidence (a person\'s text is never replaced)',
  synopsis: '--out <dir> [--model whisper-tiny|whisper-base|<Whisper ONNX folder>]',
  options: {
    model: model('Whisper model: a registry name (sds models list) or the folder of a Whisper ONNX export', { default: DEFAULT_TRANSCRIBE.model,
      setting: 'transcribe: whisper-tiny or whisper-base (from their npm packages, or sds models fetch), or the folder of a Whisper ONNX export (docs/models.md)' }),
    language: text('language code (en, de, ...); default: detected per clip', { placeholder: 'en' }),
    beam: int('beam width (1: greedy)', { default: DEFAULT_TRANSCRIBE.beam, min: 1, max: 16 }), timestamps: flag('also write timestamped segments (asr_segments column)'),
    overwrite: flag('transcribe clips that already have a machine transcript again'),
  },
  settings: { group: 'transcribe', options: ['model', 'language', 'beam', 'timestamps'] },
  build: (o, _args, out) => stage({ stage: 'transcribe', out, options: { model: s(o.model), language: s(o.language), beam: n(o.beam), timestamps: bool(o.timestamps), overwrite: bool(o.overwrite) } }),
  run: runs('transcribe', (req, ctx) => {
    const o = defined(req.options) as TranscribeStageOptions;
    checkRequest('transcribe', o);
    return writing(req.out, async () => [await runTranscribe(req.out, o, ctx)]);
  }),
  // a transcript typed by hand is the clip's own: a change of who wrote it is read too
  pipeline: step('transcribe', { scope: 'source', after: ['slice', 'clean', 'speaker-score'],
    reads: (vs) => ({ files: clipAudio(vs), values: vs.flatMap((v) => v.clips.map((r) => r.text_source === 'human')) }),
    algorithm: (req) => { const f = whisperFiles(resolveAsrModel(req.options.model)); return [TRANSCRIBE_VERSION, fileKey(f.encoder), fileKey(f.decoder)]; } }),
});

defineCommand({
  cli: 'side-files', summary: 'each clip\'s transcript beside it as <clip>.txt / <clip>.lab', synopsis: '--out <dir>',
  options: { ext: list('which side files', { default: SIDE_FILE_EXTS[0], values: SIDE_FILE_EXTS }) },
  build: (o, _args, out) => stage({ stage: 'side-files', out, exts: strs(o.ext)?.map((e) => e.replace(/^\./, '')) as ('txt' | 'lab')[] | undefined }),
  run: runs('side-files', (req) => {
    const exts = req.exts?.length ? req.exts : [SIDE_FILE_EXTS[0]];
    checkRequest('side-files', { ext: exts });
    return writing(req.out, async () => [await writeSideFiles(req.out, exts)]);
  }),
  pipeline: step('side-files', { scope: 'dataset', after: ['transcribe'], reads: (_vs, _req, ds) => ({ files: [ds.clipsCsv] }) }),
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
  run: runs('tone-train', (req, ctx) => {
    const o = { ...DEFAULT_TONE, ...defined(req.options) } as ToneTrainOptions;
    checkRequest('tone train', { ...o, ...o.training });
    if (!/\.onnx$/i.test(o.out)) throw new OptionError(`tone train --out must name an .onnx file, got ${o.out}`);
    return { run: async () => [await runToneTrain(o, ctx)] };
  }),
});

defineCommand({
  cli: 'tone benchmark', summary: 'accuracy, per-class F1 and confusion matrix of a model (or a folder of checkpoints)', synopsis: '--model <onnx or folder> --data <folders...>', out: 'dot',
  options: { model: pathOpt('the model or checkpoints folder', { placeholder: '<onnx>' }), ...TONE_DATA, 'by-speaker': flag('leave-speakers-out folds'), folds: int('cross-validation folds', { placeholder: '4' }), report: pathOpt('markdown report file', { placeholder: 'file.md' }) },
  build: (o, args) => {
    const data = dataOf(o, args);
    need(o.model && data.length, 'tone benchmark needs --model and --data');
    return stage({ stage: 'tone-benchmark', options: { model: s(o.model)!, data, corpus: s(o.corpus) as 'ravdess' | undefined, bySpeaker: bool(o['by-speaker']), folds: n(o.folds), report: s(o.report) } });
  },
  run: runs('tone-benchmark', (req, ctx) => {
    checkRequest('tone benchmark', req.options);
    return { run: async () => [await runToneBenchmark({ bySpeaker: false, folds: 4, ...defined(req.options) } as ToneBenchmarkOptions, ctx)] };
  }),
});

defineCommand({
  cli: 'tone classify', summary: 'emotion and probability for every clip, clips placed in emotion/<class>/', synopsis: '--model <onnx> --out <dir>',
  options: {
    model: pathOpt('the tone model', { placeholder: '<onnx>' }),
    'min-prob': num('clips whose most likely emotion is less probable than this are marked "uncertain" (0: none)', { default: DEFAULT_CLASSIFY.minProb, min: 0, max: 1, setting: 'classify by tone: clips whose most likely emotion is less probable than this are marked "uncertain" (0: none)' }),
    place: choice(PLACES, 'how clips go into emotion/<class>/', { default: DEFAULT_CLASSIFY.place, descriptions: ['hard links', 'copies', 'not at all'], setting: 'classify by tone: how clips are placed into emotion/<class>/' }),
  },
  settings: { group: 'tone', options: ['min-prob', 'place'] },
  build: (o, _args, out) => {
    need(o.model, 'tone classify needs --model');
    return stage({ stage: 'tone-classify', out, options: { model: s(o.model)!, minProb: n(o['min-prob']), place: s(o.place) as 'link' | undefined } });
  },
  run: runs('tone-classify', (req, ctx) => {
    const o = { ...DEFAULT_CLASSIFY, ...defined(req.options), out: req.out } as ToneClassifyOptions;
    checkRequest('tone classify', o);
    return writing(req.out, async () => [await runToneClassify(o, ctx)]);
  }),
  pipeline: step('tone-classify', { scope: 'source', after: ['slice', 'clean', 'speaker-score'], reads: (vs) => ({ files: clipAudio(vs) }), algorithm: (req) => fileKey(req.options.model) }),
});

defineCommand({
  cli: 'tone selftrain', summary: 'retrains on the labelled folders plus the pool clips the model is sure of', synopsis: '--model <onnx> --data <folders...> --pool <folders...>', out: 'dot',
  options: { model: pathOpt('the starting model', { placeholder: '<onnx>' }), ...TONE_DATA, pool: repeat('unlabelled folders', { placeholder: '<folders...>' }), threshold: num('pool clips kept above this probability', { placeholder: '0.9' }),
    folds: int('cross-validation folds', { placeholder: '4' }), to: pathOpt('the retrained model', { placeholder: '<onnx>' }) },
  build: (o, args) => {
    const data = dataOf(o, args);
    need(o.model && data.length && strs(o.pool)?.length, 'tone selftrain needs --model, --data and --pool');
    return stage({ stage: 'tone-selftrain', options: { model: s(o.model)!, data, pool: strs(o.pool)!, threshold: n(o.threshold), folds: n(o.folds), out: s(o.to), corpus: s(o.corpus) as 'ravdess' | undefined } });
  },
  run: runs('tone-selftrain', (req, ctx) => {
    checkRequest('tone selftrain', req.options);
    const o = { threshold: 0.9, folds: 4, ...defined(req.options) } as ToneSelftrainOptions;
    o.out ??= o.model.replace(/\.onnx$/i, '') + '-selftrained.onnx';
    return { run: async () => [await runToneSelftrain(o, ctx)] };
  }),
});

const MODEL_OPTIONS = { task: text('what the model does (speaker, enhance, separate, asr)', { placeholder: 'speaker' }), name: text('its name in the registry'), 'sample-rate': num('its input rate, Hz', { placeholder: '16000' }), licence: text('its licence') };
for (const [verb, summary, synopsis] of [['list', 'the models the registry knows, and where each is', ''], ['add', 'a user ONNX model, checked by loading it', '<file.onnx> --task speaker'],
  ['fetch', 'a model\'s weights, resumable, sha256-checked', '<name>'], ['install', 'a copy you have, checked against the manifest', '<name> <file.onnx>']] as const) {
  defineCommand({ cli: `models ${verb}`, summary, synopsis, out: 'none', options: verb === 'add' ? MODEL_OPTIONS : {},
    build: (_o, args, _out, raw) => ({ kind: 'models', args: [verb, ...args], values: raw }),
    // VS Code fetches and installs through the host; the CLI runs these in-process (cli/sds.ts)
    ...(verb === 'fetch' ? { run: runs('models-fetch', (req, ctx) => ({ run: async () => [modelReport('models fetch', `${req.name}: ${await fetchModel(req.name, { log: ctx.log })}`)] })) } : {}),
    ...(verb === 'install' ? { run: runs('models-install', (req) => ({ run: async () => [modelReport('models install', `${req.name}: ${await installModelFile(req.name, req.file)}`)] })) } : {}),
  });
}

defineCommand({
  cli: 'convert', summary: 'between inaSpeechSegmenter .csv, Audacity .txt, Praat .TextGrid and .rttm (by extension)', synopsis: '<in> <out>', out: 'none', options: {},
  build: (_o, args) => {
    need(args.length === 2, 'convert needs <in> and <out>');
    return { kind: 'convert', input: args[0], output: args[1] };
  },
});

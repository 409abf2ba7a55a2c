import { OptionError } from '../errors';
import { isUrl } from '../ingest/urlList';
import { SEGMENT_LABELS } from '../formats/segmentTable';
import * as path from 'node:path';
import { clipAudio, clipFiles } from '../plan/step';
import { transcriptPathOf } from '../asr/transcriptPath';
import { CLEAN_VERSION, runClean } from './clean';
import { cleanOptions, DEFAULT_PRESET, DEHUM, PRESET_NOTES, PRESETS } from './cleanOptions';
import { runCleanSources } from './cleanSources';
import { checkRequest, defined, defineCommand, n, need, pick, runs, s, stage, step, strs, bool, writing } from './commandKit';
import { DENOISERS, EXPORT_FORMATS, namesOf, SEGMENT_ENGINES, SEPARATORS } from './engines';
import { exportFolder, runExport } from './export';
import { runIngest, VIA, type IngestOptions } from './ingest';
import { DEFAULT_LINT, lintDataset, lintReport } from './lint';
import { choice, flag, int, list, model, num, numbers, pathOpt, repeat, size, text, type OptionDef, type OptionValue } from './optionKinds';
import { AUDIO_OF, DEFAULT_SEGMENT, GENDER_METHODS, runSegment, segmentKey, type SegmentOptions } from './segment';
import { runSeparate, SEPARATE_VERSION, STEMS } from './separate';
import { runSlice, SLICE_VERSION } from './slice';
import { CUT_AT, DEFAULT_SLICE, type SliceOptions } from './slicePlan';

// The commands that bring audio in, cut it and export it: each declared once, with its options, how a command line
// becomes its request, and how that request is checked and run (docs/architecture.md, "The stage registry").

// segment and slice, also read together by `run` (pipelineCommands.ts)
export const SEGMENT_OPTIONS: Record<string, OptionDef> = {
  engine: pick(SEGMENT_ENGINES, 'segmentation engine', { default: DEFAULT_SEGMENT.engine }),
  'no-gender': flag('speech stays "speech" instead of male / female', { setting: 'split speech into male / female (otherwise: speech)' }),
  'gender-method': choice(GENDER_METHODS, 'how speech is split into male / female', { default: DEFAULT_SEGMENT.genderMethod,
    descriptions: ['speaker-encoder embeddings + the project\'s trained classifier (more accurate)', 'pitch only (fastest)'] }),
  on: choice(AUDIO_OF, 'analyse the original, or the vocals stem sds separate wrote', { default: 'mixture' }),
};
export const SLICE_OPTIONS: Record<string, OptionDef> = {
  labels: list('labels cut into clips', { default: DEFAULT_SLICE.labels, values: SEGMENT_LABELS }),
  min: num('shortest clip, seconds', { default: DEFAULT_SLICE.min, min: 0 }),
  max: num('longest clip, seconds; longer runs are split at their quietest point', { default: DEFAULT_SLICE.max, min: 0.1 }),
  pad: num('seconds of context added on each side of a clip', { default: DEFAULT_SLICE.pad, min: 0 }),
  'merge-gap': num('same-label segments closer than this (seconds) are merged into one clip', { default: DEFAULT_SLICE.mergeGap, min: 0 }),
  at: choice(CUT_AT, 'where long runs are split and clip edges fall', { default: DEFAULT_SLICE.at,
    descriptions: ['at the quietest point', 'between words, from the machine transcripts (sds transcribe first): no clip starts or ends mid-word'] }),
  on: SEGMENT_OPTIONS.on,
};
export const segmentAndSlice = (o: Record<string, OptionValue>) => ({
  engine: s(o.engine) as 'smn' | undefined, gender: o['no-gender'] ? false : undefined, genderMethod: s(o['gender-method']) as 'pitch' | undefined,
  labels: strs(o.labels), min: n(o.min), max: n(o.max), pad: n(o.pad), mergeGap: n(o['merge-gap']), at: s(o.at) as 'words' | undefined, on: s(o.on) as 'vocals' | undefined,
});

defineCommand({
  cli: 'ingest', summary: 'downloads (resumable) and local files into <dir>/sources/, listed in sources.csv; yt-dlp fetches pages of sites that need a browser',
  synopsis: '--out <dir> [<urls or files...>]',
  options: {
    urls: repeat('a file listing URLs (one a line, or comma separated)', { placeholder: 'list.txt' }),
    rss: repeat('a podcast feed (RSS or Atom), URL or file', { placeholder: '<feed>' }),
    limit: int('newest N episodes of each feed', { placeholder: 'N', min: 1 }),
    since: text('episodes published on or after this date', { placeholder: '2024-01-01' }),
    'max-size': size('refuse downloads over this size', { placeholder: '2G' }),
    link: flag('link local files into sources/ instead of copying them'),
    via: choice(VIA, 'yt-dlp for sites that need a browser (auto), or for every URL, or never', { default: 'auto' }),
  },
  build: (o, args, out) => stage({ stage: 'ingest', out, options: {
    urls: args.filter(isUrl), files: args.filter((i) => !isUrl(i)), urlLists: strs(o.urls) ?? [], feeds: strs(o.rss) ?? [],
    limit: n(o.limit), since: s(o.since), maxBytes: n(o['max-size']), link: o.link ? true : undefined,
    via: s(o.via) as 'auto' | undefined,
  } }),
  run: runs('ingest', (req, ctx) => {
    const o: IngestOptions = { urls: [], urlLists: [], feeds: [], files: [], ...defined(req.options) };
    if (!o.urls.length && !o.urlLists.length && !o.feeds.length && !o.files.length) throw new OptionError('ingest needs URLs, --urls <list>, --rss <feed> or files');
    checkRequest('ingest', { via: o.via, limit: o.limit });
    if (o.since !== undefined && Number.isNaN(new Date(o.since).getTime())) throw new OptionError(`--since: cannot read the date "${o.since}" (e.g. 2024-01-31)`);
    return writing(req.out, async () => [await runIngest(req.out, o, ctx)], o.files);
  }),
  // feeds grow: ingest looks every run, and its own records skip what it already has
  pipeline: step('ingest', { scope: 'always', takes: 'inputs' }),
});

defineCommand({
  cli: 'separate', summary: 'vocals (and accompaniment) of every source into <dir>/separated/<id>/; then segment/run/slice --on vocals',
  synopsis: '--out <dir> [<files>]',
  options: {
    model: model(`${namesOf(SEPARATORS).join(', ')}, a model .onnx or a registry name`, { default: SEPARATORS[0].name, placeholder: `${namesOf(SEPARATORS).join('|')}|<model.onnx>` }),
    stems: list('stems to write', { default: STEMS[0], values: STEMS }),
  },
  build: (o, args, out) => stage({ stage: 'separate', out, inputs: args, options: { model: s(o.model), stems: strs(o.stems) as ('vocals' | 'accompaniment')[] | undefined } }),
  run: runs('separate', (req, ctx) => {
    const stems = req.options.stems?.length ? req.options.stems : [STEMS[0]];
    checkRequest('separate', { stems });
    return writing(req.out, async () => [await runSeparate(req.out, req.inputs, { model: req.options.model ?? SEPARATORS[0].name, stems }, ctx)], req.inputs);
  }),
  pipeline: step('separate', { scope: 'source', takes: 'sources', after: ['ingest'], reads: ([v]) => ({ values: v.src.sha256 }), writes: (v) => [v.src.vocals], algorithm: () => SEPARATE_VERSION }),
});


defineCommand({
  cli: 'segment', summary: 'speech (male / female), music, noise, noEnergy per file, as inaSpeechSegmenter CSV in segments/',
  synopsis: '<files or folders...> --out <dir>', options: SEGMENT_OPTIONS, settings: { group: 'segment', options: ['engine', 'no-gender', 'gender-method'] },
  build: (o, args, out) => {
    need(args.length, 'segment needs at least one file or folder');
    return stage({ stage: 'segment', inputs: args, out, options: segmentAndSlice(o) });
  },
  run: runs('segment', (req, ctx) => {
    const o = segOpts(req.options);
    return writing(req.out, async () => [await runSegment(req.inputs, req.out, o, ctx)], req.inputs);
  }),
  pipeline: step('segment', {
    scope: 'source', takes: 'sources', after: ['ingest', 'separate'],
    reads: ([v], req) => (req.options?.on === 'vocals' ? { files: [v.src.vocals ?? ''] } : { values: v.src.sha256 }),
    writes: (v) => [v.ds.segmentsCsv(v.src.id)],
    algorithm: (req) => segmentKey(segOpts(req.options)),
  }),
});

defineCommand({
  cli: 'slice', summary: 'the chosen labels cut into clips/<label>/, listed in clips.csv',
  synopsis: '--out <dir>',
  options: { ...SLICE_OPTIONS, sources: list('only these source ids (re-slice one file)', { placeholder: '<ids>' }) },
  settings: { group: 'slice', options: ['labels', 'min', 'max', 'pad', 'merge-gap', 'at'] },
  build: (o, _args, out) => stage({ stage: 'slice', out, options: segmentAndSlice(o), sources: strs(o.sources) }),
  run: runs('slice', (req, ctx) => {
    const o = sliceOpts(req.options);
    return writing(req.out, async () => [await runSlice(req.out, o, ctx, req.sources)]);
  }),
  pipeline: step('slice', {
    scope: 'source', after: ['segment', 'diarize'],
    // the segment table (edited by hand or not), the energy track and the speaker turns; the source's own audio; cut
    // between words, the clips' transcripts too
    reads: ([v], req) => ({ files: [v.ds.segmentsCsv(v.src.id), v.ds.energyFile(v.src.id), ...(v.src.diarization ? [v.src.diarization] : []),
      ...(req.options?.at === 'words' ? v.clips.map((r) => path.join(v.ds.dir, transcriptPathOf(r.path))) : [])],
      values: [v.src.sha256, req.options?.on === 'vocals' ? v.src.vocals : ''] }),
    writes: (v) => v.clips.map((r) => path.join(v.ds.dir, r.path)),
    algorithm: () => SLICE_VERSION,
  }),
});

defineCommand({
  cli: 'clean', summary: 'filters, hum notches, denoiser and EBU R128 loudness per clip into clean/, metrics in clips.csv',
  synopsis: '--out <dir>',
  options: {
    preset: choice(Object.keys(PRESETS), 'starting point for the options below', { default: DEFAULT_PRESET, setting: 'cleaning preset: the starting point the other clean settings change',
      descriptions: Object.keys(PRESETS).map((p) => PRESET_NOTES[p as keyof typeof PRESETS]) }),
    lowpass: num('low-pass corner, Hz (0: off)', { min: 0, placeholder: '5000' }),
    'lowpass-db-oct': num('low-pass slope, dB per octave (a multiple of 12)', { placeholder: '36', min: 12 }),
    highpass: num('high-pass corner, Hz, 12 dB/octave (0: off); the filters are applied zero-phase', { min: 0, placeholder: '80' }),
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
  run: runs('clean', (req, ctx) => {
    const o = cleanOptions(req.preset, req.options);
    checkRequest('clean', { ...o, loudness: Number.isFinite(o.loudness) ? o.loudness : undefined });
    if (req.sources) return writing(req.out, async () => [await runCleanSources(req.out, o, ctx, Array.isArray(req.sources) ? req.sources : undefined)]);
    return writing(req.out, async () => [await runClean(req.out, o, ctx, req.only)]);
  }),
  pipeline: step('clean', {
    scope: 'source', after: ['slice'],
    reads: (vs) => ({ files: clipFiles(vs), values: vs.flatMap((v) => v.clips.map((r) => [r.start, r.end, r.label, r.sample_rate])) }),
    writes: (v) => v.clips.map((r) => r.clean_path && path.join(v.ds.dir, r.clean_path)),
    algorithm: () => CLEAN_VERSION,
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
  // reads the dataset, writes nothing: no lock
  run: runs('lint', (req) => {
    const opts = { ...DEFAULT_LINT, ...defined(req.options ?? {}) };
    return { run: async () => [lintReport(req.out, lintDataset(req.out, opts), !!req.strict)] };
  }),
  pipeline: step('lint', { scope: 'dataset', reads: (vs, _req, ds) => ({ files: [ds.clipsCsv, ...clipAudio(vs)] }) }),
});

defineCommand({
  cli: 'export', summary: 'the dataset in a format training code reads',
  synopsis: '--out <dir> --format <format>',
  options: {
    format: pick(EXPORT_FORMATS, 'the layout written'),
    to: pathOpt('destination folder', { default: '<dir>/export/<format>', placeholder: '<folder>' }),
    split: numbers('train, validation, test fractions, speaker-disjoint', { placeholder: '0.9,0.05,0.05' }),
    by: text('the column that keeps clips in one split', { default: 'speaker' }),
    where: text('only rows matching, e.g. "label=female and snr>20"', { placeholder: '"<filter>"' }),
  },
  build: (o, _args, out) => {
    need(o.format, `export needs --format ${namesOf(EXPORT_FORMATS).join('|')}`);
    return stage({ stage: 'export', out, options: { format: s(o.format) as 'ljspeech', to: s(o.to), split: o.split as number[] | undefined, by: s(o.by), where: s(o.where) } });
  },
  run: runs('export', (req) => {
    const o = req.options;
    checkRequest('export', o);
    if (!o.format) throw new OptionError(`--format: give one of ${namesOf(EXPORT_FORMATS).join(', ')}`);
    const split = o.split ?? [1];
    if (split.length > 3 || split.some((f) => !(f >= 0)) || !(split.reduce((a, b) => a + b, 0) > 0)) throw new OptionError(`--split wants up to three fractions >= 0 that add up to more than 0, got ${split.join(',')}`);
    return writing(req.out, async () => [await runExport(req.out, { format: o.format, to: o.to, split, by: o.by ?? 'speaker', where: o.where })]);
  }),
  pipeline: step('export', {
    scope: 'dataset', after: ['slice', 'clean', 'speaker-score', 'speaker-split', 'transcribe', 'tone-classify'],
    reads: (vs, _req, ds) => ({ files: [ds.clipsCsv, ...clipAudio(vs)] }),
    writes: (v, req) => [exportFolder(v.ds.dir, req.options)],
  }),
});

/** segment's options with its defaults, checked against its declarations */
export function segOpts(o: Partial<SegmentOptions> = {}): SegmentOptions {
  checkRequest('segment', o);
  const engine = o.engine ?? DEFAULT_SEGMENT.engine;
  const genderMethod = o.genderMethod ?? DEFAULT_SEGMENT.genderMethod;
  return { engine, gender: o.gender ?? DEFAULT_SEGMENT.gender, genderMethod, ...(o.on === 'vocals' ? { on: 'vocals' as const } : {}) };
}

/** slice's options with its defaults, checked against its declarations */
export function sliceOpts(o: Partial<SliceOptions> = {}): SliceOptions {
  const r = { ...DEFAULT_SLICE, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as SliceOptions;
  // labels name folders under clips/: the registry allows only the segment table's own label set
  checkRequest('slice', r);
  if (r.max < r.min) throw new OptionError(`--min ${r.min} / --max ${r.max}: the shortest clip cannot be longer than the longest`);
  if (!r.labels.length) throw new OptionError(`--labels: give at least one of ${SEGMENT_LABELS.join(', ')}`);
  return r;
}

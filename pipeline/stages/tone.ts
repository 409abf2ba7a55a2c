import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, expandInputs } from '../dataset';
import type { MlpOptions } from '../ml/mlp';
import { predict } from '../ml/mlp';
import { classify, DEFAULT_TRAINING, standardise, trainClassifier, type ToneClassifier } from '../tone/classifier';
import { labelFile, type Corpus, type LabelledFile } from '../tone/corpusLabels';
import { markdownScores, scoreTone, speakerFolds, type ToneScores } from '../tone/evaluate';
import { normaliseByGroup } from '../tone/groupNormalise';
import { extractFeatures, featureSpec, type FeatureKind } from '../tone/toneFeatures';
import { saveToneModel, ToneModel, type ToneSidecar } from '../tone/toneModel';
import { writeFileAtomic } from '../util/atomic';
import { hashJson } from '../util/hash';
import { linkOrCopy } from '../util/linkOrCopy';
import { inScope, namingFile, type StageContext, type StageReport } from './types';

export interface ToneTrainOptions {
  data: string[];
  corpus?: Corpus;
  emotions?: string[];
  features: FeatureKind;
  normalise: (typeof NORMALISATIONS)[number];
  out: string;
  training: Partial<Omit<MlpOptions, 'validation' | 'onEpoch'>>;
  /** write a checkpoint every N epochs (0: none) */
  checkpointEvery?: number;
  cacheDir?: string;
}

/** Feature standardisation: per speaker (each speaker's own statistics) or over the whole training set. */
export const NORMALISATIONS = ['speaker', 'global'] as const;
/** How classified clips go into emotion/<class>/. */
export const PLACES = ['link', 'copy', 'none'] as const;

/** What classify does unless told otherwise: every clip gets its most likely emotion, linked into emotion/<class>/. */
export const DEFAULT_CLASSIFY: Pick<ToneClassifyOptions, 'minProb' | 'place'> = { minProb: 0, place: 'link' };

export const DEFAULT_TONE: Omit<ToneTrainOptions, 'data' | 'out'> = { features: 'rich', normalise: 'speaker', training: {}, checkpointEvery: 0 };

/** Labelled files under the data folders; files whose names or folders give no emotion are counted, not used. */
export function collectLabelled(data: string[], corpus?: Corpus, emotions?: string[]): { items: LabelledFile[]; unlabelled: string[]; missing: string[] } {
  const items: LabelledFile[] = [];
  const unlabelled: string[] = [];
  const missing: string[] = [];
  for (const root of data) {
    const found = expandInputs([root]);
    missing.push(...found.missing);
    const base = fs.existsSync(root) && fs.statSync(root).isDirectory() ? path.resolve(root) : path.dirname(path.resolve(root));
    for (const f of found.files) {
      const l = labelFile(f, base, corpus);
      if (!l) unlabelled.push(f);
      else if (!emotions || emotions.includes(l.emotion)) items.push(l);
    }
  }
  return { items, unlabelled, missing };
}

export interface Prepared {
  items: LabelledFile[];
  x: Float64Array[];
}

/** Features for labelled files (failures reported per file), normalised within each speaker when asked. */
export async function prepare(items: LabelledFile[], kind: FeatureKind, normalise: ToneTrainOptions['normalise'], ctx: StageContext, report: StageReport, cacheDir?: string): Promise<Prepared> {
  const feats = await extractFeatures(items.map((l) => l.file), kind, {
    cacheDir, jobs: ctx.jobs, paths: ctx.ffmpeg, signal: ctx.signal, log: ctx.log,
    onFile: (file, index) => ctx.progress({ kind: 'file-done', file, skipped: false, detail: `features ${index + 1}/${items.length}` }),
    onError: (file, e) => report.failed.push({ file, error: namingFile(file, e) }),
  });
  const ok = items.filter((l) => feats.has(l.file));
  const raw = ok.map((l) => feats.get(l.file)!);
  return { items: ok, x: normalise === 'speaker' ? normaliseByGroup(raw, ok.map((l) => l.speaker)) : raw };
}

function trainingOptions(o: ToneTrainOptions['training']): Omit<MlpOptions, 'validation' | 'onEpoch'> {
  return { ...DEFAULT_TRAINING, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
}

/**
 * Trains on `train` with early stopping watched on a few held-out speakers (about one in six, when there are at
 * least four), so the stopping point is chosen on voices the weights never saw.
 */
function fit(p: Prepared, idx: number[], classes: string[], opts: Omit<MlpOptions, 'validation' | 'onEpoch'>, onEpoch?: MlpOptions['onEpoch']) {
  const speakers = [...new Set(idx.map((i) => p.items[i].speaker))].sort();
  const held = new Set(speakers.length >= 4 && opts.patience ? speakers.filter((_, k) => k % 6 === 5 || (speakers.length < 6 && k === speakers.length - 1)) : []);
  const tr = idx.filter((i) => !held.has(p.items[i].speaker));
  const va = idx.filter((i) => held.has(p.items[i].speaker));
  return trainClassifier(tr.map((i) => p.x[i]), tr.map((i) => p.items[i].emotion), classes, { ...opts, patience: va.length ? opts.patience : undefined, onEpoch } as MlpOptions,
    va.length ? { x: va.map((i) => p.x[i]), labels: va.map((i) => p.items[i].emotion) } : undefined);
}

function argmax(p: ArrayLike<number>): number {
  let b = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[b]) b = c;
  return b;
}

function classesOf(items: LabelledFile[], emotions?: string[]): string[] {
  const present = [...new Set(items.map((l) => l.emotion))];
  return emotions ? emotions.filter((e) => present.includes(e)) : present.sort();
}

/** `sds tone train`: features, MLP, ONNX + sidecar (and checkpoints every N epochs). */
export async function runToneTrain(o: ToneTrainOptions, ctx: StageContext): Promise<StageReport> {
  const t0 = Date.now();
  const report: StageReport = { stage: 'tone train', processed: 0, skipped: 0, failed: [], summary: [] };
  const { items, unlabelled, missing } = collectLabelled(o.data, o.corpus, o.emotions);
  for (const m of missing) report.failed.push({ file: m, error: `${m}: no such file or folder` });
  if (unlabelled.length) report.summary.push(`${unlabelled.length} files had no emotion in their name or folder and were left out (e.g. ${unlabelled[0]})`);
  const classes = classesOf(items, o.emotions);
  if (classes.length < 2) throw new Error(`tone train needs at least two emotions in the data; found ${classes.join(', ') || 'none'} in ${o.data.join(', ')}`);
  const p = await prepare(items, o.features, o.normalise, ctx, report, o.cacheDir);
  report.processed = p.items.length;
  const opts = trainingOptions(o.training);
  const checkpoints: { epoch: number; mlp: ToneClassifier['mlp'] }[] = [];
  const { classifier, result } = fit(p, p.items.map((_, i) => i), classes, opts, o.checkpointEvery ? (e) => {
    if (e.epoch % o.checkpointEvery! === 0) checkpoints.push({ epoch: e.epoch, mlp: e.model() });
  } : undefined);
  const sidecar = (epochs: number): ToneSidecar => ({
    format: 'sds-tone/1', classes, feature: featureSpec(o.features), normalise: o.normalise,
    mean: Array.from(classifier.mean), scale: Array.from(classifier.scale),
    training: {
      options: { ...opts }, epochs, bestEpoch: result.bestEpoch, files: p.items.length,
      speakers: [...new Set(p.items.map((l) => l.speaker))].sort(),
      perClass: Object.fromEntries(classes.map((c) => [c, p.items.filter((l) => l.emotion === c).length])),
      dataHash: hashJson(p.items.map((l) => [path.basename(l.file), l.emotion, l.speaker]).sort()),
      finalLoss: result.history[result.history.length - 1]?.loss ?? NaN,
      validationAccuracy: result.history.find((h) => h.epoch === result.bestEpoch)?.valAccuracy,
      seconds: (Date.now() - t0) / 1000,
    },
  });
  await saveToneModel(o.out, classifier, sidecar(result.epochs));
  const ckDir = o.out.replace(/\.onnx$/i, '') + '.checkpoints';
  for (const c of checkpoints) await saveToneModel(path.join(ckDir, `epoch-${String(c.epoch).padStart(4, '0')}.onnx`), { ...classifier, mlp: c.mlp }, sidecar(c.epoch));
  const val = sidecar(result.epochs).training.validationAccuracy;
  report.summary.push(`${o.out}: ${classes.join('/')} from ${p.items.length} files of ${sidecar(0).training.speakers.length} speakers, ${o.features} features (${featureSpec(o.features).dims} dims), ` +
    `${result.epochs} epochs (best ${result.bestEpoch})${val !== undefined ? `, held-out-speaker accuracy ${(100 * val).toFixed(1)}%` : ''}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (checkpoints.length) report.summary.push(`${checkpoints.length} checkpoints in ${ckDir}`);
  return report;
}

/**
 * Labelled data plus confidently classified clips (self-training). The pseudo-labelled clips are dealt into 7
 * made-up speakers, so held-out-speaker early stopping still has groups to hold out.
 */
function withPseudoLabels(p: Prepared, extra: { x: Float64Array[]; labels: string[] }): Prepared {
  return {
    items: [...p.items, ...extra.labels.map((emotion, k) => ({ file: `pseudo-${k}`, emotion, speaker: `pseudo-${k % 7}`, corpus: 'folders' as Corpus }))],
    x: [...p.x, ...extra.x],
  };
}

/** Leave-speakers-out cross-validation of a training recipe; with `checkpointEpochs`, one score per epoch listed. */
export function crossValidate(p: Prepared, classes: string[], opts: Omit<MlpOptions, 'validation' | 'onEpoch'>, folds: number, extra?: (trainIdx: number[]) => { x: Float64Array[]; labels: string[] }): ToneScores {
  const truth: string[] = [];
  const predicted: string[] = [];
  for (const f of speakerFolds(p.items.map((l) => l.speaker), folds)) {
    const tr = p.items.map((_, i) => i).filter((i) => f.train.has(p.items[i].speaker));
    const te = p.items.map((_, i) => i).filter((i) => f.test.has(p.items[i].speaker));
    let { classifier } = fit(p, tr, classes, opts);
    const more = extra?.(tr);
    if (more?.x.length) {
      const q = withPseudoLabels({ items: tr.map((i) => p.items[i]), x: tr.map((i) => p.x[i]) }, more);
      classifier = fit(q, q.items.map((_, i) => i), classes, opts).classifier;
    }
    for (const i of te) {
      truth.push(p.items[i].emotion);
      predicted.push(classes[argmax(classify(classifier, p.x[i]))]);
    }
  }
  return scoreTone(classes, truth, predicted);
}

export interface ToneBenchmarkOptions {
  model: string;
  data: string[];
  corpus?: Corpus;
  bySpeaker: boolean;
  folds: number;
  report?: string;
  cacheDir?: string;
}

/**
 * `sds tone benchmark`: with --by-speaker, the model's recipe (feature, normalisation, training options, epochs of
 * each checkpoint) is cross-validated with leave-speakers-out folds on the data; without it, the model itself is
 * scored on the data (files of speakers it was trained on are left out and counted).
 */
export async function runToneBenchmark(o: ToneBenchmarkOptions, ctx: StageContext): Promise<StageReport> {
  const report: StageReport = { stage: 'tone benchmark', processed: 0, skipped: 0, failed: [], summary: [] };
  const models = fs.statSync(o.model).isDirectory()
    ? fs.readdirSync(o.model).filter((f) => f.endsWith('.onnx')).sort().map((f) => path.join(o.model, f))
    : [o.model];
  if (!models.length) throw new Error(`${o.model}: no .onnx models in this folder`);
  const md: string[] = [`# Tone benchmark`, '', `data: ${o.data.join(', ')}; ${o.bySpeaker ? `leave-speakers-out, ${o.folds} folds (recipe retrained per fold)` : 'models scored as they are'}`, ''];
  const table: string[] = ['| model | epochs | files | accuracy | balanced | macro F1 |', '|---|---|---|---|---|---|'];
  const details: string[] = [];
  for (const m of models) {
    const tm = await ToneModel.open(m, ctx.log);
    try {
      const sc = tm.sidecar;
      const { items } = collectLabelled(o.data, o.corpus, sc.classes);
      let scores: ToneScores;
      if (o.bySpeaker) {
        const p = await prepare(items, sc.feature.kind, sc.normalise, ctx, report, o.cacheDir);
        const opts = { ...(sc.training.options as unknown as MlpOptions), epochs: sc.training.epochs, patience: undefined };
        scores = crossValidate(p, sc.classes, opts, o.folds);
        report.processed = p.items.length;
      } else {
        const trained = new Set(sc.training.speakers);
        const unseen = items.filter((l) => !trained.has(l.speaker));
        if (unseen.length < items.length) report.summary.push(`${path.basename(m)}: ${items.length - unseen.length} files of speakers it was trained on left out`);
        const p = await prepare(unseen, sc.feature.kind, sc.normalise, ctx, report, o.cacheDir);
        const probs = await tm.probabilities(p.x);
        scores = scoreTone(sc.classes, p.items.map((l) => l.emotion), probs.map((q) => sc.classes[argmax(q)]));
        report.processed = p.items.length;
      }
      const macro = scores.perClass.reduce((s, c) => s + c.f1, 0) / scores.perClass.length;
      table.push(`| ${path.basename(m)} | ${sc.training.epochs} | ${scores.n} | ${(100 * scores.accuracy).toFixed(1)}% | ${(100 * scores.balancedAccuracy).toFixed(1)}% | ${macro.toFixed(3)} |`);
      details.push(markdownScores(path.basename(m), scores));
      report.summary.push(`${path.basename(m)}: accuracy ${(100 * scores.accuracy).toFixed(1)}% on ${scores.n} files (${sc.classes.join('/')}), macro F1 ${macro.toFixed(3)}`);
    } finally {
      await tm.release();
    }
  }
  const text = [...md, ...table, '', ...details].join('\n');
  if (o.report) {
    await writeFileAtomic(o.report, text);
    report.summary.push(`report: ${o.report}`);
  }
  report.summary.push(text);
  return report;
}

export interface ToneClassifyOptions {
  model: string;
  out: string;
  minProb: number;
  place: (typeof PLACES)[number];
  cacheDir?: string;
}

/**
 * `sds tone classify`: emotion and probability for every clip (columns `emotion`, `emotion_prob`; under
 * --min-prob the emotion is `uncertain`), clips placed in emotion/<class>/, and the per-class summary.
 */
export async function runToneClassify(o: ToneClassifyOptions, ctx: StageContext): Promise<StageReport> {
  const ds = new Dataset(o.out, ctx.rows);
  const rows = ds.readClips();
  if (!rows.length) throw new Error(`${ds.clipsCsv}: no clips to classify (run sds slice first)`);
  const report: StageReport = { stage: 'tone classify', processed: 0, skipped: 0, failed: [], summary: [] };
  const tm = await ToneModel.open(o.model, ctx.log);
  try {
    const sc = tm.sidecar;
    const live = rows.filter((r) => r.excluded !== 'yes' && inScope(ctx, r.source));
    report.skipped = rows.length - live.length;
    const fileOf = (r: (typeof rows)[number]) => path.join(o.out, r.clean_path || r.path);
    const feats = await extractFeatures(live.map(fileOf), sc.feature.kind, {
      cacheDir: o.cacheDir, jobs: ctx.jobs, paths: ctx.ffmpeg, signal: ctx.signal, log: ctx.log,
      onFile: (file, index) => ctx.progress({ kind: 'file-done', file, skipped: false, detail: `${index + 1}/${live.length}` }),
      onError: (file, e) => report.failed.push({ file, error: namingFile(file, e) }),
    });
    const done = live.filter((r) => feats.has(fileOf(r)));
    const raw = done.map((r) => feats.get(fileOf(r))!);
    // a recording's clips share a voice (or a few): its own statistics stand in for the speaker's
    const x = sc.normalise === 'speaker' ? normaliseByGroup(raw, done.map((r) => r.speaker || r.source)) : raw;
    const probs = await tm.probabilities(x);
    done.forEach((r, i) => {
      const b = argmax(probs[i]);
      r.emotion = probs[i][b] >= o.minProb ? sc.classes[b] : 'uncertain';
      r.emotion_prob = probs[i][b].toFixed(4);
    });
    report.processed = done.length;
    await ds.writeClips(rows);
    // every classified clip, this run's and those of sources it left alone
    if (o.place !== 'none') await placeByEmotion(o.out, rows.filter((r) => r.emotion && r.excluded !== 'yes' && fs.existsSync(fileOf(r))), o.place, fileOf);
    const total = done.length || 1;
    for (const cls of [...sc.classes, 'uncertain']) {
      const mine = done.filter((r) => r.emotion === cls);
      if (!mine.length && cls === 'uncertain') continue;
      const hours = mine.reduce((s, r) => s + Number(r.duration || 0), 0) / 3600;
      report.summary.push(`${cls.padEnd(10)} ${String(mine.length).padStart(6)} clips  ${((100 * mine.length) / total).toFixed(1).padStart(5)}%  ${hours.toFixed(3)} h`);
    }
    report.summary.unshift(`emotion and emotion_prob written for ${done.length} clips with ${path.basename(o.model)} (min prob ${o.minProb})${o.place !== 'none' ? `; ${o.place === 'link' ? 'linked' : 'copied'} into emotion/<class>/` : ''}`);
  } finally {
    await tm.release();
  }
  return report;
}

/** Rebuilds emotion/ beside the dataset in a temporary folder, then swaps it in: a rerun never leaves a mix. */
async function placeByEmotion(dir: string, rows: Record<string, string>[], mode: 'link' | 'copy', fileOf: (r: Record<string, string>) => string): Promise<void> {
  const target = path.join(dir, 'emotion');
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const r of rows) {
    const dest = path.join(tmp, r.emotion, path.basename(fileOf(r)));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (mode === 'link') linkOrCopy(fileOf(r), dest);
    else fs.copyFileSync(fileOf(r), dest);
  }
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  fs.rmSync(old, { recursive: true, force: true });
}

export interface ToneSelftrainOptions {
  model: string;
  data: string[];
  pool: string[];
  threshold: number;
  folds: number;
  out: string;
  corpus?: Corpus;
  cacheDir?: string;
}

/**
 * `sds tone selftrain`: the seed's feedback loop, measured. Unlabelled clips the model is at least `threshold` sure
 * of are added to the training set; leave-speakers-out folds on the labelled data say whether that helped, and the
 * model retrained on labelled + confident clips is written to --out either way.
 */
export async function runToneSelftrain(o: ToneSelftrainOptions, ctx: StageContext): Promise<StageReport> {
  const report: StageReport = { stage: 'tone selftrain', processed: 0, skipped: 0, failed: [], summary: [] };
  const tm = await ToneModel.open(o.model, ctx.log);
  const sc = tm.sidecar;
  await tm.release();
  const { items } = collectLabelled(o.data, o.corpus, sc.classes);
  const p = await prepare(items, sc.feature.kind, sc.normalise, ctx, report, o.cacheDir);
  const poolFiles = expandInputs(o.pool).files.filter((f) => !items.some((l) => l.file === f));
  const pool = await prepare(poolFiles.map((file) => ({ file, emotion: '', speaker: path.dirname(file), corpus: 'folders' as Corpus })), sc.feature.kind, sc.normalise, ctx, report, o.cacheDir);
  const opts = { ...(sc.training.options as unknown as MlpOptions), epochs: sc.training.epochs, patience: undefined };
  const confident = (c: ToneClassifier) => {
    const x: Float64Array[] = [];
    const labels: string[] = [];
    pool.x.forEach((v) => {
      const q = predict(c.mlp, standardise(v, c));
      const b = argmax(q);
      if (q[b] >= o.threshold) {
        x.push(v);
        labels.push(sc.classes[b]);
      }
    });
    return { x, labels };
  };
  const before = crossValidate(p, sc.classes, opts, o.folds);
  const after = crossValidate(p, sc.classes, opts, o.folds, (tr) => confident(fit(p, tr, sc.classes, opts).classifier));
  const full = fit(p, p.items.map((_, i) => i), sc.classes, opts).classifier;
  const extra = confident(full);
  const q = withPseudoLabels(p, extra);
  const { classifier, result } = fit(q, q.items.map((_, i) => i), sc.classes, opts);
  await saveToneModel(o.out, classifier, { ...sc, mean: Array.from(classifier.mean), scale: Array.from(classifier.scale),
    training: { ...sc.training, epochs: result.epochs, bestEpoch: result.bestEpoch, files: q.items.length, dataHash: hashJson([sc.training.dataHash, extra.labels.length, o.threshold]) } });
  report.processed = p.items.length + pool.items.length;
  const delta = after.accuracy - before.accuracy;
  report.summary.push(`${extra.x.length} of ${pool.items.length} unlabelled clips reached probability ${o.threshold}`,
    `speaker-independent accuracy (${o.folds} folds, ${p.items.length} labelled files): ${(100 * before.accuracy).toFixed(1)}% before, ${(100 * after.accuracy).toFixed(1)}% with self-training: ${delta > 0 ? 'up' : delta < 0 ? 'down' : 'unchanged'} ${(100 * Math.abs(delta)).toFixed(1)} points`,
    `${o.out}: retrained on labelled + confident clips${delta < 0 ? ' (it scored lower: keep the original unless the pool is your target domain)' : ''}`);
  return report;
}


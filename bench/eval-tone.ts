/**
 * Tone figures on ../shared/audio/emotion, speaker-independent: RAVDESS actors and EmoDB speakers are dealt into
 * folds so no voice is in both training and test. Also the seed feature's agreement with librosa, feature speed
 * and training time.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collect, decodeMono, ffmpegPaths } from '../pipeline/audio/ffmpeg';
import { seedFeature } from '../pipeline/features/seedFeature';
import type { MlpOptions } from '../pipeline/ml/mlp';
import { DEFAULT_TRAINING } from '../pipeline/tone/classifier';
import { markdownScores } from '../pipeline/tone/evaluate';
import { extractFeatures, FEATURE_KINDS, readToneAudio, ToneFeatureExtractor, TONE_RATE, type FeatureKind } from '../pipeline/tone/toneFeatures';
import { loadRealFft } from '../pipeline/features/realFft';
import { collectLabelled, crossValidate, prepare, runToneTrain } from '../pipeline/stages/tone';
import type { StageContext, StageReport } from '../pipeline/stages/types';

const ctx: StageContext = { jobs: 2, ffmpeg: ffmpegPaths(), log: () => {}, progress: () => {} };

/** Worst relative error of the seed feature against librosa's own, beyond the reference's 7 printed decimals. */
async function librosaParity(shared: string): Promise<void> {
  const ref = JSON.parse(fs.readFileSync(path.join(shared, 'emotion', 'librosa_seed_features.json'), 'utf8')).features as Record<string, number[]>;
  await loadRealFft();
  let worst = { rel: 0, file: '', dim: 0 };
  for (const [name, want] of Object.entries(ref)) {
    const got = seedFeature(await collect(decodeMono(path.join(shared, name), { sampleRate: TONE_RATE })), TONE_RATE);
    want.forEach((w, i) => {
      const rel = Math.max(0, Math.abs(got[i] - w) - 5e-8) / Math.max(Math.abs(w), 1e-12);
      if (rel > worst.rel) worst = { rel, file: name, dim: i };
    });
  }
  console.log(`seed feature vs librosa 0.11 on ${Object.keys(ref).length} files: worst relative error ${worst.rel.toExponential(2)} (dim ${worst.dim}, ${worst.file}; limit 1e-3)\n`);
}

async function speed(files: string[]): Promise<void> {
  console.log('### Tone feature speed\n');
  const audio = await Promise.all(files.slice(0, 120).map((f) => collect(decodeMono(f, { sampleRate: TONE_RATE }))));
  const seconds = audio.reduce((s, x) => s + x.length, 0) / TONE_RATE;
  for (const kind of FEATURE_KINDS) {
    const ex = await ToneFeatureExtractor.open(kind, undefined, 1);
    await ex.compute(audio[0]);
    const t0 = performance.now();
    for (const x of audio) await ex.compute(x);
    const s = (performance.now() - t0) / 1000;
    await ex.release();
    console.log(`feature ${kind}, computation alone: ${(seconds / s).toFixed(0)}x real time on one core (${seconds.toFixed(0)} s of decoded audio in ${s.toFixed(1)} s)`);
  }
  // what `sds tone train` does: read (FLAC in-process), compute, cache; cold cache, one worker process per core, on
  // the whole shared set; the built code the CLI runs (from the sources each worker would compile TypeScript first)
  execFileSync(process.execPath, [path.join(__dirname, '..', 'build.mjs')], { stdio: 'ignore' });
  const built = require('../dist/bench-entry.js') as { extractFeatures: typeof extractFeatures };
  const some = files;
  let total = 0;
  for (const f of some) total += (await readToneAudio(f)).length / TONE_RATE;
  for (const kind of FEATURE_KINDS) for (const jobs of [1, 2]) {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sds-tone-speed-'));
    const t0 = performance.now();
    await built.extractFeatures(some, kind, { cacheDir, jobs });
    const s = (performance.now() - t0) / 1000;
    fs.rmSync(cacheDir, { recursive: true, force: true });
    console.log(`feature ${kind}, files to vectors (${some.length} files, ${total.toFixed(0)} s): ${(total / s).toFixed(0)}x real time with ${jobs} worker${jobs > 1 ? ' processes' : ' (in-process)'}`);
  }
  console.log('');
}

/** `EVAL_ONLY=tone-speed`: the speed part alone. */
export async function evalToneSpeed(shared: string): Promise<void> {
  const root = path.join(shared, 'emotion');
  await speed(collectLabelled([path.join(root, 'ravdess'), path.join(root, 'emodb')]).items.map((l) => l.file));
}

export async function evalTone(shared: string): Promise<void> {
  const root = path.join(shared, 'emotion');
  console.log('## Tone (speaker-independent: leave-speakers-out folds)\n');
  await librosaParity(shared);
  const ravdess = path.join(root, 'ravdess');
  const emodb = path.join(root, 'emodb');
  await speed(collectLabelled([ravdess, emodb]).items.map((l) => l.file));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sds-tone-eval-'));
  const tasks: [string, string[], string[]][] = [
    ['angry vs neutral (RAVDESS 16 actors + EmoDB 6 speakers)', ['angry', 'neutral'], [ravdess, emodb]],
    ['angry / neutral / sad (RAVDESS + EmoDB)', ['angry', 'neutral', 'sad'], [ravdess, emodb]],
    ['RAVDESS 8 classes (16 actors)', ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'], [ravdess]],
  ];
  const recipes: [string, FeatureKind, 'speaker' | 'global', Partial<MlpOptions>][] = [
    ['seed feature, seed recipe (global scaling, 300 hidden units)', 'seed', 'global', { hidden: [300], dropout: 0 }],
    ['seed feature, per-speaker normalisation', 'seed', 'speaker', {}],
    ['rich feature + voice embedding, per-speaker normalisation (default)', 'rich', 'speaker', {}],
  ];
  const rows: string[] = ['| task | recipe | files | accuracy | macro F1 |', '|---|---|---|---|---|'];
  const details: string[] = [];
  const report: StageReport = { stage: 'eval', processed: 0, skipped: 0, failed: [], summary: [] };
  for (const [task, classes, data] of tasks) {
    for (const [recipe, kind, normalise, over] of recipes) {
      const { items } = collectLabelled(data, undefined, classes);
      const p = await prepare(items, kind, normalise, ctx, report, cacheDir);
      const s = crossValidate(p, classes, { ...DEFAULT_TRAINING, ...over } as MlpOptions, 4);
      const macro = s.perClass.reduce((a, c) => a + c.f1, 0) / s.perClass.length;
      rows.push(`| ${task} | ${recipe} | ${s.n} | ${(100 * s.accuracy).toFixed(1)}% | ${macro.toFixed(3)} |`);
      details.push(markdownScores(`${task}: ${recipe}`, s));
    }
  }
  console.log(rows.join('\n') + '\n');
  console.log(details.join('\n'));
  const t0 = Date.now();
  const model = path.join(cacheDir, 'tone-all.onnx');
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'sds-tone-cold-'));
  await runToneTrain({ data: [ravdess, emodb], features: 'rich', normalise: 'speaker', out: model, training: {}, cacheDir: fresh }, ctx);
  console.log(`training on the whole shared set (${collectLabelled([ravdess, emodb]).items.length} files, all emotions, rich features from a cold cache): ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.rmSync(fresh, { recursive: true, force: true });
  if (report.failed.length) console.log(`failed files: ${report.failed.map((f) => f.error).join('; ')}`);
}

/**
 * `npm run eval`: accuracy figures on ../shared/audio (ground truth from inaSpeechSegmenter and LibriSpeech).
 * Prints, never asserts; the tests assert the fixtures' share of these figures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeMono } from '../pipeline/audio/ffmpeg';
import { labelsPerFrame, parseSegmentCsv } from '../pipeline/formats/segmentTable';
import { segmentStream, type Engine } from '../pipeline/segmentation/inaSegmenter';
import { PatchClassifier } from '../pipeline/segmentation/patchClassifier';
import { DEFAULT_GENDER_THRESHOLD_HZ } from '../pipeline/segmentation/gender';
import { agreement, fourClass, speechOrNot } from '../test/helpers';
import { ffmpegPaths } from '../pipeline/audio/ffmpeg';
import { runSegment } from '../pipeline/stages/segment';
import { evalGender } from './eval-gender';
import { evalDenoisers, evalLoudness } from './eval-clean';
import { evalDiarization } from './eval-diarize';
import { evalSpeaker } from './eval-speaker';
import { evalTone, evalToneSpeed } from './eval-tone';
import { evalSeparate } from './eval-separate';
import { evalAsr } from './eval-asr';

const SHARED = path.resolve(__dirname, '..', '..', 'shared', 'audio');

async function segmentation(cnn: PatchClassifier) {
  console.log('## Segmentation vs inaSpeechSegmenter (per 10 ms frame)\n');
  console.log('| file | engine | 4 classes | speech vs non-speech | all labels (incl. gender) |');
  console.log('|---|---|---|---|---|');
  const cases: [string, Engine, string][] = [
    ['musanmix.wav', 'smn', 'musanmix-smn-gender.csv'],
    ['musanmix.wav', 'sm', 'musanmix-sm-gender.csv'],
    ['0021.mp3', 'smn', '0021-smn-gender.csv'],
    ['silence2sec.wav', 'smn', 'silence2sec-smn-gender.csv'],
  ];
  for (const [file, engine, refFile] of cases) {
    const r = await segmentStream(decodeMono(path.join(SHARED, 'ina', file), { sampleRate: 16000 }), cnn, { engine, gender: true });
    const ref = parseSegmentCsv(fs.readFileSync(path.join(SHARED, 'ina', refFile), 'utf8'));
    const n = Math.round(ref[ref.length - 1].stop * 100);
    const a = labelsPerFrame(r.segments, n);
    const b = labelsPerFrame(ref, n);
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    console.log(`| ${file} | ${engine} | ${pct(agreement(a, b, fourClass))} | ${pct(agreement(a, b, speechOrNot))} | ${pct(agreement(a, b))} |`);
    if (file !== 'musanmix.wav') console.log(`|  | ours: | ${r.segments.map((s) => `${s.label} ${s.start}-${s.stop}`).join(', ')} | | |`);
  }
  console.log('\n(sm: inaSpeechSegmenter\'s separate speech/music CNN is not shipped; ours folds the smn model\'s noise class away.)\n');
}

/** The sparse CNN pass (the default) against the CNN on every patch: labels per 10 ms frame, every shared recording. */
async function sparseAgreement(cnn: PatchClassifier) {
  const files = fs.readdirSync(SHARED, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(wav|flac|mp3)$/.test(f)).sort();
  let frames = 0, same = 0, worst = { file: '', pct: 100 };
  let exactMs = 0, sparseMs = 0, seconds = 0;
  for (const f of files) {
    const run = async (cnnStride?: number) => {
      const t0 = process.hrtime.bigint();
      const r = await segmentStream(decodeMono(path.join(SHARED, f), { sampleRate: 16000 }), cnn, { engine: 'smn', gender: false, cnnStride });
      return { r, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    };
    const [exact, sparse] = [await run(1), await run()];
    const n = Math.round(exact.r.duration * 100);
    const [a, b] = [labelsPerFrame(exact.r.segments, n), labelsPerFrame(sparse.r.segments, n)];
    const s = a.filter((l, i) => l === b[i]).length;
    frames += n;
    same += s;
    if (n && (100 * s) / n < worst.pct) worst = { file: f, pct: (100 * s) / n };
    exactMs += exact.ms;
    sparseMs += sparse.ms;
    seconds += exact.r.duration;
  }
  console.log('## Sparse CNN pass (default) against the CNN on every patch (smn, per 10 ms frame)\n');
  console.log('| files | audio | frames that agree | worst file | segmentation time, every patch / sparse |');
  console.log('|---|---|---|---|---|');
  console.log(`| ${files.length} (every recording in ../shared/audio) | ${(seconds / 60).toFixed(1)} min | ${((100 * same) / frames).toFixed(3)}% | ${worst.file ? `${worst.file} ${worst.pct.toFixed(2)}%` : 'none under 100%'} | ${(exactMs / 1000).toFixed(1)} s / ${(sparseMs / 1000).toFixed(1)} s |\n`);
}

/** Speech vs non-speech per 10 ms frame against the diarization RTTM (speech where anyone speaks). */
async function speechDetection() {
  const wav = path.join(SHARED, 'diarization', 'sample.wav');
  const rttm = fs.readFileSync(path.join(SHARED, 'diarization', 'sample.rttm'), 'utf8').trim().split('\n').map((l) => l.split(/\s+/));
  const ds = path.join(require('node:os').tmpdir(), `sds-eval-${process.pid}`);
  console.log('## Speech detection on diarization/sample.wav (30 s, two speakers) and musanmix.wav\n');
  console.log('| engine | sample.wav vs RTTM speech | musanmix.wav speech vs non-speech vs inaSpeechSegmenter |');
  console.log('|---|---|---|');
  for (const engine of ['smn', 'silero'] as const) {
    const r = await runSegment([wav, path.join(SHARED, 'ina', 'musanmix.wav')], ds, { engine, gender: false, genderMethod: 'pitch' }, {
      jobs: 1, ffmpeg: ffmpegPaths(), log: () => {}, progress: () => {},
    });
    if (r.failed.length) throw new Error(r.failed[0].error);
    const table = (id: string) => parseSegmentCsv(fs.readFileSync(path.join(ds, 'segments', `${id}.csv`), 'utf8'));
    const n = 3000;
    const ref: string[] = new Array(n).fill('non');
    for (const f of rttm) for (let i = Math.round(+f[3] * 100); i < Math.min(n, Math.round((+f[3] + +f[4]) * 100)); i++) ref[i] = 'speech';
    const a = agreement(labelsPerFrame(table('0001_sample'), n), ref, speechOrNot);
    const mref = parseSegmentCsv(fs.readFileSync(path.join(SHARED, 'ina', 'musanmix-smn-gender.csv'), 'utf8'));
    const m = agreement(labelsPerFrame(table('0002_musanmix'), 7450), labelsPerFrame(mref, 7450), speechOrNot);
    console.log(`| ${engine} | ${(100 * a).toFixed(1)}% | ${(100 * m).toFixed(1)}% |`);
    fs.rmSync(ds, { recursive: true, force: true });
  }
  console.log('');
}

(async () => {
  if (!fs.existsSync(SHARED)) {
    console.error(`eval needs ../shared/audio beside the project (looked in ${SHARED})`);
    process.exit(2);
  }
  // EVAL_ONLY=segment|tone|tone-speed|separate|denoise|diarize|asr runs one section
  const only = process.env.EVAL_ONLY;
  if (only === 'segment') {
    const cnn = await PatchClassifier.open();
    await segmentation(cnn);
    await sparseAgreement(cnn);
    await speechDetection();
    return evalGender(cnn, path.join(SHARED, 'librispeech'), DEFAULT_GENDER_THRESHOLD_HZ);
  }
  if (only === 'tone') return evalTone(SHARED);
  if (only === 'tone-speed') return evalToneSpeed(SHARED);
  if (only === 'separate') return evalSeparate(SHARED);
  if (only === 'denoise') return evalDenoisers(SHARED);
  if (only === 'diarize') return evalDiarization(SHARED);
  if (only === 'asr') return evalAsr(SHARED);
  const cnn = await PatchClassifier.open();
  await segmentation(cnn);
  await sparseAgreement(cnn);
  await speechDetection();
  await evalGender(cnn, path.join(SHARED, 'librispeech'), DEFAULT_GENDER_THRESHOLD_HZ);
  await evalSpeaker(SHARED);
  await evalDiarization(SHARED);
  await evalDenoisers(SHARED);
  await evalLoudness(SHARED, path.join(__dirname, '..', 'dist', 'cli.js'));
  await evalTone(SHARED);
  await evalSeparate(SHARED);
  await evalAsr(SHARED);
  await cnn.release();
})();

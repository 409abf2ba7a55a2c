import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { collect, decodeMono } from '../../pipeline/audio/ffmpeg';
import { labelsPerFrame, parseSegmentCsv } from '../../pipeline/formats/segmentTable';
import { segmentStream, type SegmentResult } from '../../pipeline/segmentation/inaSegmenter';
import { PatchClassifier } from '../../pipeline/segmentation/patchClassifier';
import { agreement, espeak, ffmpeg, fixture, fourClass, speechOrNot, tmpDir } from '../helpers';

let cnn: PatchClassifier;
before(async () => { cnn = await PatchClassifier.open(); });
after(async () => { await cnn.release(); });

const segment = (file: string, engine: 'smn' | 'sm' = 'smn', gender = true) =>
  segmentStream(decodeMono(file, { sampleRate: 16000 }), cnn, { engine, gender });

function contiguous(r: SegmentResult) {
  assert.equal(r.segments[0].start, 0);
  for (let i = 1; i < r.segments.length; i++) assert.equal(r.segments[i].start, r.segments[i - 1].stop);
  assert.ok(Math.abs(r.segments[r.segments.length - 1].stop - r.duration) < 1e-3, 'covers the whole file');
}

test('musanmix: frame agreement with inaSpeechSegmenter >= 90% (4 classes) and >= 97% (speech vs not)', async () => {
  const r = await segment(fixture('ina', 'musanmix.wav'));
  contiguous(r);
  const ref = parseSegmentCsv(fs.readFileSync(fixture('ina', 'musanmix-smn-gender.csv'), 'utf8'));
  const n = Math.round(r.duration * 100) - 10; // the reference stops at its last full 20 ms step
  const ours = labelsPerFrame(r.segments, n);
  const theirs = labelsPerFrame(ref, n);
  assert.ok(agreement(ours, theirs, fourClass) >= 0.9, `4-class ${agreement(ours, theirs, fourClass)}`);
  assert.ok(agreement(ours, theirs, speechOrNot) >= 0.97, `speech ${agreement(ours, theirs, speechOrNot)}`);
  assert.ok(agreement(ours, theirs) >= 0.9, 'gender labels agree too (the speech part is a male reader)');
});

test('0021.mp3 (0.66 s, once broke inaSpeechSegmenter) is speech over its whole length', async () => {
  const r = await segment(fixture('ina', '0021.mp3'));
  contiguous(r);
  assert.deepEqual(r.segments.map((s) => s.label), ['male']);
});

test('two seconds of digital silence are one noEnergy segment', async () => {
  const r = await segment(fixture('ina', 'silence2sec.wav'));
  assert.deepEqual(r.segments, [{ label: 'noEnergy', start: 0, stop: 2 }]);
});

test('--no-gender labels speech as speech; sm has no noise class', async () => {
  const r = await segment(fixture('ina', 'musanmix.wav'), 'sm', false);
  const labels = new Set(r.segments.map((s) => s.label));
  assert.ok(labels.has('speech') && labels.has('music') && !labels.has('noise') && !labels.has('male'));
});

test('espeak-ng speech between silences: speech where the voice is, noEnergy around it', async () => {
  const dir = tmpDir();
  const voice = espeak('The quick brown fox jumps over the lazy dog. Speech datasets need clean labels.', path.join(dir, 'v.wav'));
  const out = path.join(dir, 'padded.wav');
  ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-i', voice, '-filter_complex',
    '[0]atrim=0:2[a];[0]atrim=0:2[b];[a][1][b]concat=n=3:v=0:a=1', '-ar', '16000', out);
  const r = await segment(out);
  contiguous(r);
  const speech = r.segments.filter((s) => speechOrNot(s.label) === 'speech');
  assert.ok(speech.length >= 1);
  assert.ok(Math.abs(speech[0].start - 2) < 0.3, `speech starts near 2 s: ${speech[0].start}`);
  assert.ok(Math.abs(speech[speech.length - 1].stop - (r.duration - 2)) < 0.4, 'speech ends near the trailing silence');
  assert.equal(r.segments[0].label, 'noEnergy');
});

test('gender from pitch: LibriSpeech readers get their majority label', async () => {
  const rows = fs.readFileSync(fixture('librispeech', 'speakers.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  for (const [file, , sex] of rows) {
    const r = await segment(fixture('librispeech', file));
    const sec = (l: string) => r.segments.filter((s) => s.label === l).reduce((t, s) => t + s.stop - s.start, 0);
    assert.equal(sec('male') > sec('female') ? 'M' : 'F', sex, file);
  }
});

test('the sparse CNN pass (default) labels musanmix exactly as the CNN on every patch does, running it on under half of them', async () => {
  const file = fixture('ina', 'musanmix.wav');
  const every = await segmentStream(decodeMono(file, { sampleRate: 16000 }), cnn, { engine: 'smn', gender: true, cnnStride: 1 });
  // count the patches the CNN really sees: the classifier itself, wrapped to count what reaches it
  let seen = 0;
  const counting = Object.create(cnn, { classify: { value: (p: Float32Array, n: number) => ((seen += n), cnn.classify(p, n)) } }) as PatchClassifier;
  const sparse = await segmentStream(decodeMono(file, { sampleRate: 16000 }), counting, { engine: 'smn', gender: true });
  assert.deepEqual(sparse.segments, every.segments);
  const patches = Math.floor((Math.round(every.duration * 100) - 68) / 2) + 1;
  assert.ok(seen < patches / 2, `the CNN ran on ${seen} of ${patches} patches`);
  assert.ok(seen > patches / 8, 'and on every patch where the class changes');
});

/** `file` segmented by the default pass and by the CNN on every patch as it comes: the labels must be the same. */
async function bothPasses(file: string) {
  const every = await segmentStream(decodeMono(file, { sampleRate: 16000 }), cnn, { engine: 'smn', gender: true, cnnStride: 1 });
  const sparse = await segmentStream(decodeMono(file, { sampleRate: 16000 }), cnn, { engine: 'smn', gender: true });
  assert.deepEqual(sparse.segments, every.segments, file);
  assert.equal(every.windows!.putOff, 0, 'the exact pass puts nothing off');
  return { every, sparse, windows: sparse.windows! };
}

test('quiet stretches: the CNN skips windows the labels never read, and the labels are those of the CNN on every patch', async () => {
  const dir = tmpDir();
  // two readers with 12 s of near-silence between them (a room at -90 dBFS) and 0.3 s pauses inside the speech
  const out = path.join(dir, 'quiet gap.wav');
  ffmpeg('-i', fixture('librispeech', '1069-133699-0000.flac'), '-i', fixture('librispeech', '1116-132847-0000.flac'), '-f', 'lavfi', '-i', 'anoisesrc=r=16000:a=0.00003:d=12',
    '-filter_complex', '[0]atrim=0:8[a];[1]atrim=0:8[b];[a][2][b]concat=n=3:v=0:a=1', '-ar', '16000', out);
  const { every, windows: w } = await bothPasses(out);
  const quiet = every.segments.filter((s) => s.label === 'noEnergy').reduce((t, s) => t + s.stop - s.start, 0);
  assert.ok(quiet > 11, `${quiet.toFixed(1)} s noEnergy`);
  assert.ok(w.putOff > 0.8 * quiet * 50, `${w.putOff} of ${w.all} windows put off`);
  assert.ok(w.cameBack < 0.1 * w.putOff, `${w.cameBack} came back`);

  // a loud reader, a second (a man) 20 dB down, then half a minute of room tone: the soft reader is quiet against the
  // energy so far but energetic against the whole file's mean (the room tone pulls it down), so windows put off
  // come back at the end and are classified from their kept frames
  const soft = path.join(dir, 'loud start.wav');
  ffmpeg('-i', fixture('librispeech', '1069-133699-0000.flac'), '-i', fixture('librispeech', '1034-121119-0000.flac'), '-f', 'lavfi', '-i', 'anoisesrc=r=16000:a=0.00003:d=30',
    '-filter_complex', '[0]atrim=0:6[a];[1]atrim=0:8,volume=-20dB[b];[a][b][2]concat=n=3:v=0:a=1', '-ar', '16000', soft);
  const { sparse: sparseSoft, windows } = await bothPasses(soft);
  assert.ok(windows.cameBack > 50, `${windows.cameBack} of ${windows.putOff} put off came back`);
  assert.ok(sparseSoft.segments.some((x) => x.start >= 6 && x.stop <= 14.5 && x.label === 'male'), 'the soft reader is labelled');
});

test('sparse classification: anchors are the CNN\'s own output, and where two anchors disagree every patch between is run', async () => {
  const x = await collect(decodeMono(fixture('ina', 'musanmix.wav'), { sampleRate: 16000 }));
  // 200 real patches from frames of the log-mel front end, as the segmenter builds them
  const { InaFrontEnd, INA_BANDS } = await import('../../pipeline/features/inaFrontEnd');
  await (await import('../../pipeline/features/realFft')).loadRealFft();
  const { writePatch, PATCH_FRAMES, PATCH_BANDS } = await import('../../pipeline/segmentation/patchClassifier');
  const mel: number[] = [];
  const front = new InaFrontEnd((_i, _e, m) => mel.push(...m));
  front.push(x.subarray(0, 16000 * 12));
  const frames = Float32Array.from(mel);
  const n = 200;
  const patches = new Float32Array(n * PATCH_FRAMES * PATCH_BANDS);
  const finite = Array.from({ length: n }, (_, i) => writePatch(frames, INA_BANDS, 2 * i, patches, i));
  const exact = await cnn.classify(patches, n);
  const sparse = await cnn.classifySparse(patches, n, finite, 8);
  for (let i = 0; i < n; i += 8) for (let c = 0; c < 3; c++) assert.equal(sparse[i * 3 + c], exact[i * 3 + c], `anchor ${i}`);
  for (let i = 0; i < n; i++) {
    const [a, b] = [Math.floor(i / 8) * 8, Math.min(Math.floor(i / 8) * 8 + 8, n - 1)];
    const top = (p: Float32Array, k: number) => [0, 1, 2].reduce((m, c) => (p[k * 3 + c] > p[k * 3 + m] ? c : m), 0);
    if (top(exact, a) !== top(exact, b)) for (let c = 0; c < 3; c++) assert.equal(sparse[i * 3 + c], exact[i * 3 + c], `patch ${i} between disagreeing anchors`);
    else for (let c = 0; c < 3; c++) assert.ok(Math.abs(sparse[i * 3 + c] - exact[i * 3 + c]) < 0.1, `patch ${i}: ${sparse[i * 3 + c]} vs ${exact[i * 3 + c]}`);
  }
});

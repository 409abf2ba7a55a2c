import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { SpeakerEncoder } from '../../pipeline/models/speakerEncoder';
import { genderByEncoder, loadGenderModel, relabelByGender, speechPieces } from '../../pipeline/segmentation/genderByEncoder';
import { espeak, ffmpeg, fixture, tmpDir } from '../helpers';

let enc: SpeakerEncoder;
before(async () => { enc = await SpeakerEncoder.open(); });
after(async () => { await enc.release(); });

test('speech segments are cut into equal pieces no longer than the window', () => {
  const pieces = speechPieces([{ label: 'music', start: 0, stop: 5 }, { label: 'speech', start: 5, stop: 18 }, { label: 'speech', start: 18, stop: 19 }], 6);
  assert.deepEqual(pieces.map((p) => [p.segment, +p.start.toFixed(3), +p.end.toFixed(3)]),
    [[1, 5, 9.333], [1, 9.333, 13.667], [1, 13.667, 18], [2, 18, 19]]);
});

test('relabelling keeps other labels and merges same-gender pieces', () => {
  const segs = [{ label: 'noEnergy', start: 0, stop: 1 }, { label: 'speech', start: 1, stop: 13 }];
  const pieces = speechPieces(segs, 3);
  const model = { ...loadGenderModel(), switchExp: 0.1 };
  const out = relabelByGender(segs, pieces, Float32Array.from([-5, -5, 5, 5]), model);
  assert.deepEqual(out, [{ label: 'noEnergy', start: 0, stop: 1 }, { label: 'male', start: 1, stop: 7 }, { label: 'female', start: 7, stop: 13 }]);
});

test('the same voice embeds closer to itself than to another reader', async () => {
  const dir = tmpDir();
  const a = path.join(dir, 'a.wav');
  const b = path.join(dir, 'b.wav');
  ffmpeg('-i', fixture('librispeech', '1069-133699-0000.flac'), '-ar', '22050', '-f', 'f32le', a);
  ffmpeg('-i', fixture('librispeech', '1034-121119-0000.flac'), '-ar', '22050', '-f', 'f32le', b);
  const read = (f: string) => { const x = fs.readFileSync(f); return new Float32Array(x.buffer, x.byteOffset, x.length / 4); };
  const xa = read(a);
  const xb = read(b);
  const half = Math.floor(xa.length / 2);
  const [e1, e2, e3] = await Promise.all([enc.embed(xa.slice(0, half)), enc.embed(xa.slice(half)), enc.embed(xb)]);
  const cos = (u: Float32Array, v: Float32Array) => u.reduce((s, x, i) => s + x * v[i], 0);
  assert.ok(Math.abs(cos(e1, e1) - 1) < 1e-5, 'embeddings are L2-normalised');
  assert.ok(cos(e1, e2) > cos(e1, e3), `same ${cos(e1, e2)} vs other ${cos(e1, e3)}`);
});

test('LibriSpeech readers get their sex from the shipped classifier; espeak-ng voices too', async () => {
  const model = loadGenderModel();
  const rows = fs.readFileSync(fixture('librispeech', 'speakers.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const dir = tmpDir();
  const cases = rows.map(([file, , sex]) => [fixture('librispeech', file), sex]);
  cases.push([espeak('This is a test of the male voice, reading a long enough sentence for the encoder.', path.join(dir, 'm.wav'), 'en+m3'), 'M']);
  cases.push([espeak('This is a test of the female voice, reading a long enough sentence for the encoder.', path.join(dir, 'f.wav'), 'en+f3'), 'F']);
  for (const [file, sex] of cases) {
    const dur = Number(require('node:child_process').execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }));
    const segs = await genderByEncoder(file, [{ label: 'speech', start: 0, stop: dur }], enc, model);
    const sec = (l: string) => segs.filter((s) => s.label === l).reduce((t, s) => t + s.stop - s.start, 0);
    assert.equal(sec('male') >= sec('female') ? 'M' : 'F', sex, path.basename(file));
    assert.equal(segs[0].start, 0);
    assert.equal(segs[segs.length - 1].stop, Math.round(dur * 1000) / 1000);
  }
});

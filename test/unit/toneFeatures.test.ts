import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { collect, decodeMono } from '../../pipeline/audio/ffmpeg';
import { magnitudeSpectrogram } from '../../pipeline/features/centredStft';
import { chromaFrames } from '../../pipeline/features/chroma';
import { slaneyMelFilterbank } from '../../pipeline/features/melFilterbank';
import { dctOrtho } from '../../pipeline/features/mfcc';
import { loadRealFft } from '../../pipeline/features/realFft';
import { meanOver, seedFeature } from '../../pipeline/features/seedFeature';
import { extractFeatures } from '../../pipeline/tone/toneFeatures';
import { espeak, ROOT, tmpDir } from '../helpers';

const sine = (hz: number, seconds = 1, sr = 16000) => Float32Array.from({ length: sr * seconds }, (_, n) => 0.5 * Math.sin((2 * Math.PI * hz * n) / sr));

before(loadRealFft);

test('chroma: a 440 Hz sine peaks at A, a 261.6 Hz sine at C', () => {
  for (const [hz, cls] of [[440, 9], [261.63, 0]]) {
    const c = meanOver(chromaFrames(magnitudeSpectrogram(sine(hz), 2048, 512), 16000, 2048));
    const best = c.indexOf(Math.max(...c));
    assert.equal(best, cls, `${hz} Hz -> ${Array.from(c, (v) => v.toFixed(2)).join(' ')}`);
  }
});

test('mel: a 1 kHz sine puts its energy in the band whose triangle covers 1 kHz', () => {
  const fb = slaneyMelFilterbank(16000, 2048, 128);
  const mel = seedFeature(sine(1000), 16000).slice(52);
  const best = mel.indexOf(Math.max(...mel));
  const centre = (fb[best].start + fb[best].weights.indexOf(Math.max(...fb[best].weights))) * (16000 / 2048);
  assert.ok(Math.abs(centre - 1000) < 30, `band ${best} peaks at ${centre} Hz`);
});

test('DCT-II ortho (float32, as librosa): a constant gives only c0 = sqrt(N) x value; the basis preserves energy', () => {
  const c = dctOrtho(new Float64Array(128).fill(2), 40);
  assert.ok(Math.abs(c[0] - 2 * Math.sqrt(128)) < 1e-6 * 2 * Math.sqrt(128));
  assert.ok(c.slice(1).every((v) => Math.abs(v) < 1e-5));
  const x = Float64Array.from({ length: 16 }, (_, i) => Math.sin(i * 1.7) + i / 10);
  const full = dctOrtho(x, 16);
  const energy = x.reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(full.reduce((s, v) => s + v * v, 0) - energy) < 1e-6 * energy);
});

const REF = path.resolve(ROOT, '..', 'shared', 'audio', 'emotion', 'librosa_seed_features.json');
test('the seed feature matches librosa 0.11 on 21 shared files (relative error <= 1e-3 per dimension)', { skip: fs.existsSync(REF) ? false : `needs ${REF}` }, async () => {
  const ref = JSON.parse(fs.readFileSync(REF, 'utf8')).features as Record<string, number[]>;
  let worst = 0;
  for (const [name, want] of Object.entries(ref)) {
    const got = seedFeature(await collect(decodeMono(path.join(path.dirname(path.dirname(REF)), name), { sampleRate: 16000 })), 16000);
    // the reference prints 7 decimals: tiny mel means carry a rounding of up to 5e-8 that is not ours
    want.forEach((w, i) => (worst = Math.max(worst, Math.max(0, Math.abs(got[i] - w) - 5e-8) / Math.abs(w))));
  }
  console.log(`# worst relative error vs librosa: ${worst.toExponential(2)}`);
  assert.ok(worst <= 1e-3, String(worst));
});

test('extraction in worker threads gives the same vectors as in-process, and names a bad file without stopping', { timeout: 120000 }, async () => {
  const dir = tmpDir('sds-tone-workers-');
  const files = Array.from({ length: 17 }, (_, i) => espeak(`Clip number ${i} of the worker test.`, path.join(dir, `c${i}.wav`)));
  const broken = path.join(dir, 'broken.flac');
  fs.writeFileSync(broken, 'fLaC but not really');
  for (const kind of ['seed', 'rich'] as const) {
    const errors: string[] = [];
    const inProcess = await extractFeatures([...files, broken], kind, { cacheDir: tmpDir('sds-fc-a-'), jobs: 1, onError: (f) => errors.push(f) });
    const inWorkers = await extractFeatures([...files, broken], kind, { cacheDir: tmpDir('sds-fc-b-'), jobs: 2, onError: (f) => errors.push(f) });
    assert.deepEqual(errors, [broken, broken]);
    assert.equal(inWorkers.size, files.length);
    for (const f of files) assert.deepEqual([...inWorkers.get(f)!], [...inProcess.get(f)!], `${kind} ${f}`);
  }
});

test('the feature cache drops files of an earlier feature version, takes over a JSON cache of this one, and survives a torn record', async () => {
  const cacheDir = tmpDir('sds-fc-prune-');
  const clip = espeak('Cache test.', path.join(cacheDir, 'c.wav'));
  const other = espeak('Another cache test.', path.join(cacheDir, 'd.wav'));
  fs.writeFileSync(path.join(cacheDir, 'seed-v0.json'), '{}');
  fs.writeFileSync(path.join(cacheDir, 'seed-v0.f32'), '');
  fs.writeFileSync(path.join(cacheDir, 'rich-v0.json'), '{}');
  const first = await extractFeatures([clip], 'seed', { cacheDir, jobs: 1 });
  assert.deepEqual(fs.readdirSync(cacheDir).filter((f) => /\.(json|f32)$/.test(f)).sort(), ['rich-v0.json', 'seed-v1.f32'], 'only the kind being extracted is pruned');
  const record = 32 + 4 * 180;
  assert.equal(fs.statSync(path.join(cacheDir, 'seed-v1.f32')).size, record);

  // a crash mid-append leaves half a record: it is dropped, the whole one is still read, the next lands aligned
  fs.appendFileSync(path.join(cacheDir, 'seed-v1.f32'), Buffer.alloc(100, 7));
  const again = await extractFeatures([clip, other], 'seed', { cacheDir, jobs: 1 });
  assert.deepEqual([...again.get(clip)!], [...first.get(clip)!]);
  assert.equal(fs.statSync(path.join(cacheDir, 'seed-v1.f32')).size, 2 * record);

  // the JSON map earlier versions of the code wrote for this feature version is taken over, not recomputed
  const hash = createHash('sha256').update(fs.readFileSync(clip)).digest('hex');
  const marked = Array.from({ length: 180 }, (_, i) => i / 4);
  const json = tmpDir('sds-fc-json-');
  fs.writeFileSync(path.join(json, 'seed-v1.json'), JSON.stringify({ [hash]: marked }));
  const taken = await extractFeatures([clip], 'seed', { cacheDir: json, jobs: 1 });
  assert.deepEqual([...taken.get(clip)!], marked);
  assert.deepEqual(fs.readdirSync(json), ['seed-v1.f32']);
});

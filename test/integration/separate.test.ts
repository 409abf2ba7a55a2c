import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { decodeWav, encodeWav } from '../../pipeline/audio/wav';
import { siSdr } from '../../pipeline/audio/referenceMetrics';
import { readTable } from '../../pipeline/formats/csvTable';
import { parseSegmentCsv } from '../../pipeline/formats/segmentTable';
import { CLI, decodeAll, ffmpeg, fixture, sdsQuiet as sds, tmpDir } from '../helpers';
import { identitySpectrogramModel, onesMaskModel } from '../onnxBuilder';

function onesMask(file: string): string {
  fs.writeFileSync(file, onesMaskModel());
  return file;
}

test('separate through the ONNX mask contract: a mask of ones gives back the mixture bit for bit, across 30 s blocks', () => {
  const dir = tmpDir('sds-sep-ones-');
  // 70 s of real audio as 16-bit 16 kHz: three blocks, two block boundaries
  const mix = path.join(dir, 'mix.wav');
  ffmpeg('-stream_loop', '1', '-i', fixture('ina', 'musanmix.wav'), '-t', '70', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', mix);
  const r = sds('separate', mix, '--out', path.join(dir, 'ds'), '--model', onesMask(path.join(dir, 'ones.onnx')), '--stems', 'vocals,accompaniment');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const row = readTable(path.join(dir, 'ds', 'sources.csv'))[0];
  const input = fs.readFileSync(mix);
  const vocals = fs.readFileSync(row.vocals);
  const a = new Int16Array(input.buffer, input.byteOffset + input.length - 70 * 16000 * 2, 70 * 16000);
  const b = new Int16Array(vocals.buffer, vocals.byteOffset + 44, (vocals.length - 44) / 2);
  assert.equal(b.length, a.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  assert.equal(diff, 0, `${diff} samples differ`);
  const acc = decodeWav(fs.readFileSync(row.accompaniment))!;
  assert.ok(acc.samples.every((v) => v === 0), 'nothing is left for the accompaniment');
});

test('REPET-SIM (model-free default) lifts a reader out of music at 0 dB; segment and slice run on the vocals stem', async () => {
  const dir = tmpDir('sds-sep-repet-');
  const speech = await decodeAll(fixture('librispeech', '1069-133699-0000.flac'));
  const music = (await decodeAll(fixture('ina', 'musanmix.wav'))).subarray(0, 22 * 16000);
  const n = Math.min(speech.length, music.length);
  const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
  const g = rms(speech.subarray(0, n)) / rms(music.subarray(0, n));
  const mix = Float32Array.from({ length: n }, (_, i) => speech[i] + g * music[i]);
  const file = path.join(dir, 'reader over music.wav');
  fs.writeFileSync(file, encodeWav(mix, 16000));
  const r = sds('separate', file, '--out', path.join(dir, 'ds'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /REPET-SIM \(model-free\)/);
  const row = readTable(path.join(dir, 'ds', 'sources.csv'))[0];
  const est = decodeWav(fs.readFileSync(row.vocals))!.samples;
  const before = siSdr(mix, speech.subarray(0, n));
  const after = siSdr(est.subarray(0, n), speech.subarray(0, n));
  console.log(`# SI-SDR of the reader: mixture ${before.toFixed(2)} dB, REPET-SIM vocals ${after.toFixed(2)} dB`);
  assert.ok(after > before + 0.5, `${after} vs ${before}`);

  const run = sds('run', file, '--out', path.join(dir, 'ds'), '--on', 'vocals', '--no-gender', '--min', '1');
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const segs = parseSegmentCsv(fs.readFileSync(path.join(dir, 'ds', 'segments', `${row.id}.csv`), 'utf8'));
  assert.ok(Math.abs(segs[segs.length - 1].stop - n / 16000) < 0.05, 'times follow the original');
  const clips = readTable(path.join(dir, 'ds', 'clips.csv'));
  assert.ok(clips.length >= 1 && clips.every((c) => c.sample_rate === '16000'), 'clips are cut from the 16 kHz vocals stem');
  const rerun = sds('separate', '--out', path.join(dir, 'ds'));
  assert.match(rerun.stdout, /0 processed, 1 up to date/);
  const none = sds('segment', path.join(dir, 'nope.wav'), '--out', tmpDir('sds-sep-none-'), '--on', 'vocals');
  assert.notEqual(none.status, 0);
});

/** A 16-bit WAV's samples in LSB units. */
const pcm = (file: string) => Array.from(decodeWav(fs.readFileSync(file))!.samples, (v) => Math.round(v * 32768));

test('MDX-Net contract: a stereo source through an identity spectrogram model (n_fft 480, not a power of two) comes back as the mean of its channels, across blocks', { timeout: 120000 }, () => {
  const dir = tmpDir('sds-sep-mdx-');
  const stereo = path.join(dir, 'stereo show.wav');
  // 40 s of stereo: musanmix left, a LibriSpeech reader looped right
  ffmpeg('-i', fixture('ina', 'musanmix.wav'), '-stream_loop', '3', '-i', fixture('librispeech', '1069-133699-0000.flac'), '-filter_complex', '[0:a][1:a]amerge=inputs=2[a]', '-map', '[a]', '-t', '40', '-ar', '16000', '-c:a', 'pcm_s16le', stereo);
  const model = path.join(dir, 'tiny-mdx.onnx');
  fs.writeFileSync(model, identitySpectrogramModel(241, 32));
  const spec = { kind: 'mdx', sampleRate: 16000, nFft: 480, hop: 120, dimF: 241, dimT: 32 };
  fs.writeFileSync(model.replace('.onnx', '.json'), JSON.stringify({ separation: spec }));
  const r = sds('separate', stereo, '--out', path.join(dir, 'ds'), '--model', model, '--stems', 'vocals,accompaniment');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /MDX-Net spectrogram model/);
  const row = readTable(path.join(dir, 'ds', 'sources.csv'))[0];
  // the channels' mean, as 16-bit (ffmpeg's integer downmix is that mean)
  const mono = path.join(dir, 'mono.wav');
  ffmpeg('-i', stereo, '-ac', '1', '-c:a', 'pcm_s16le', mono);
  const want = pcm(mono);
  const got = pcm(row.vocals);
  assert.equal(got.length, want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  assert.ok(worst <= 2, `the vocals are the mono mixture within 2 LSB (worst ${worst})`);
  assert.ok(pcm(row.accompaniment).every((v) => Math.abs(v) <= 2), 'nothing is left for the accompaniment');

  // a model that outputs the accompaniment (stem: accompaniment): the vocals are the mixture minus it, here silence
  fs.writeFileSync(model.replace('.onnx', '.json'), JSON.stringify({ separation: { ...spec, stem: 'accompaniment' } }));
  const inst = sds('separate', stereo, '--out', path.join(dir, 'ds2'), '--model', model);
  assert.equal(inst.status, 0, inst.stdout + inst.stderr);
  assert.ok(pcm(readTable(path.join(dir, 'ds2', 'sources.csv'))[0].vocals).every((v) => Math.abs(v) <= 2));

  // a registry name: the manifest carries the same numbers
  const cache = tmpDir('sds-sep-cache-');
  fs.copyFileSync(model, path.join(cache, 'tiny-mdx.onnx'));
  fs.writeFileSync(path.join(cache, 'tiny-mdx.json'), JSON.stringify({ name: 'tiny-mdx', task: 'separate', file: 'tiny-mdx.onnx', sha256: '', licence: 'test', source: 'test',
    sampleRate: 16000, inputs: {}, outputs: {}, separation: spec }));
  const byName = spawnSync(process.execPath, [CLI, 'separate', stereo, '--out', path.join(dir, 'ds3'), '--model', 'tiny-mdx', '-q'], { encoding: 'utf8', env: { ...process.env, SDS_MODEL_CACHE: cache } });
  assert.equal(byName.status, 0, byName.stdout + byName.stderr);
  assert.ok(pcm(readTable(path.join(dir, 'ds3', 'sources.csv'))[0].vocals).length === want.length);

  // numbers that cannot work are refused, naming the sidecar
  fs.writeFileSync(model.replace('.onnx', '.json'), JSON.stringify({ separation: { ...spec, dimF: 400 } }));
  const bad = sds('separate', stereo, '--out', path.join(dir, 'ds4'), '--model', model);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /tiny-mdx\.json: separation\.dimF \(400\) exceeds the 241 bins/);
});

/** A 16-bit stereo WAV of a reader (1069) over two parts of the music, each channel `voice[c]` x the reader + its music. */
async function stereoFixture(dir: string, name: string, voice: [number, number], music: (a: number, b: number) => [number, number]) {
  const speech = await decodeAll(fixture('librispeech', '1069-133699-0000.flac'));
  const tune = (await decodeAll(fixture('ina', 'musanmix.wav'))).subarray(0, 22 * 16000);
  const n = Math.min(speech.length, 11 * 16000);
  const a = tune.subarray(0, n);
  const b = tune.subarray(11 * 16000, 11 * 16000 + n);
  const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
  const g = rms(speech.subarray(0, n)) / rms(a);
  const interleaved = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [l, r] = music(a[i], b[i]);
    interleaved[2 * i] = 0.5 * (voice[0] * speech[i] + g * l);
    interleaved[2 * i + 1] = 0.5 * (voice[1] * speech[i] + g * r);
  }
  const raw = path.join(dir, `${name}.f32`);
  fs.writeFileSync(raw, Buffer.from(interleaved.buffer));
  const file = path.join(dir, `${name}.wav`);
  ffmpeg('-f', 'f32le', '-ar', '16000', '-ac', '2', '-i', raw, '-c:a', 'pcm_s16le', file);
  return { file, speech: speech.subarray(0, n), n };
}

test('auto chooses per source: centre-channel extraction for a centred voice over panned music, REPET-SIM where the voice is off-centre or the channels are the same, and says why', async () => {
  const dir = tmpDir('sds-sep-centre-');
  const apart = (a: number, b: number): [number, number] => [a + 0.3 * b, b + 0.3 * a];
  const centred = await stereoFixture(dir, 'centred', [1, 1], apart);
  const panned = await stereoFixture(dir, 'panned', [0.9, 0.35], apart);
  const same = await stereoFixture(dir, 'same', [1, 1], (a) => [a, a]);
  const r = sds('separate', centred.file, panned.file, same.file, '--out', path.join(dir, 'ds'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /auto: REPET-SIM \(model-free\) for 2 sources, centre-channel extraction \(model-free\) for 1 source|auto: centre-channel extraction \(model-free\) for 1 source, REPET-SIM \(model-free\) for 2 sources/);
  const rows = readTable(path.join(dir, 'ds', 'sources.csv'));
  const row = (name: string) => rows.find((x) => path.basename(x.path) === `${name}.wav`)!;
  assert.match(row('centred').separation, /^centre: a voice-like centre over off-centre music/);
  assert.match(row('panned').separation, /^repet: little is exactly centred/);
  assert.match(row('same').separation, /^repet: left and right are the same/);
  for (const [name, fx] of [['centred', centred], ['panned', panned], ['same', same]] as const) {
    const est = decodeWav(fs.readFileSync(row(name).vocals))!.samples;
    const mono = await decodeAll(fx.file);
    const before = siSdr(mono.subarray(0, fx.n), fx.speech);
    const after = siSdr(est.subarray(0, fx.n), fx.speech);
    console.log(`# ${name}: mixture ${before.toFixed(2)} dB, auto's vocals ${after.toFixed(2)} dB SI-SDR (${row(name).separation})`);
    // never worse than the mixture; the centred voice gains what only centre extraction can give
    assert.ok(after > before + (name === 'centred' ? 3 : 0), `${name}: ${after} vs ${before}`);
  }
});

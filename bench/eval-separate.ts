/**
 * Separation figures: SI-SDR of the vocals estimate against the clean reader, for LibriSpeech test-other readers
 * (30 files, 3 readers; REPET-SIM's settings were chosen on the project's 4 train-clean-100 fixtures, not on these)
 * over the music section of musanmix.wav at -5, 0 and +5 dB; and speech detection on a program of speech over music,
 * run on the mixture and on its vocals stem.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collect, decodeMono, ffmpegPaths } from '../pipeline/audio/ffmpeg';
import { siSdr } from '../pipeline/audio/referenceMetrics';
import { encodeWav } from '../pipeline/audio/wav';
import { labelsPerFrame, parseSegmentCsv } from '../pipeline/formats/segmentTable';
import { centreSeparator } from '../pipeline/separate/centre';
import { chooseForStereo, StereoMeter } from '../pipeline/separate/stereoImage';
import { IMAGES, PART_SECONDS, roomResponses, stereoMix, withReverb } from './stereoMixes';
import { mdxSeparator } from '../pipeline/separate/mdx';
import { onnxMaskSeparator, repetSeparator } from '../pipeline/separate/separator';
import { identitySpectrogramModel, onesMaskModel } from '../test/onnxBuilder';
import { runSegment } from '../pipeline/stages/segment';
import { runSeparate } from '../pipeline/stages/separate';

const ctx = { jobs: 2, ffmpeg: ffmpegPaths(), log: () => {}, progress: () => {} };
const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));

export async function evalSeparate(shared: string): Promise<void> {
  console.log('## Separation (REPET-SIM, model-free): SI-SDR of the reader\n');
  const music = (await collect(decodeMono(path.join(shared, 'ina', 'musanmix.wav'), { sampleRate: 16000 }))).subarray(0, 22 * 16000);
  const root = path.join(shared, 'librispeech', 'test-other');
  const files = fs.readdirSync(root).filter((d) => /^\d+$/.test(d)).flatMap((d) => fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.flac')).map((f) => path.join(root, d, f)));
  const speech = await Promise.all(files.map((f) => collect(decodeMono(f, { sampleRate: 16000 }))));
  const sep = repetSeparator();
  console.log('| speech vs music | files | mixture SI-SDR | vocals SI-SDR | gain |');
  console.log('|---|---|---|---|---|');
  let seconds = 0;
  const t0 = Date.now();
  for (const db of [-5, 0, 5]) {
    let a = 0;
    let b = 0;
    for (const s0 of speech) {
      const n = Math.min(s0.length, music.length);
      const s = s0.subarray(0, n);
      const g = rms(s) / rms(music.subarray(0, n)) / 10 ** (db / 20);
      const mix = Float32Array.from(s, (v, i) => v + g * music[i]);
      const est = await sep.vocals([mix]);
      a += siSdr(mix, s);
      b += siSdr(est, s);
      seconds += n / 16000;
    }
    console.log(`| ${db > 0 ? '+' : ''}${db} dB | ${speech.length} | ${(a / speech.length).toFixed(2)} dB | ${(b / speech.length).toFixed(2)} dB | ${((b - a) / speech.length).toFixed(2)} dB |`);
  }
  console.log(`\nspeed: ${(seconds / ((Date.now() - t0) / 1000)).toFixed(1)}x real time on one core (blocks of up to 22 s)`);

  // stereo: every third reader, five stereo images, dry and with a stereo reverb on the voice
  console.log('\nStereo (10 of the readers; SI-SDR gain over the mixture, the channels\' mean; auto is the default, chosen per file):\n');
  console.log('| stereo image | voice | speech vs music | mixture SI-SDR | REPET-SIM | centre channel | **auto (default)** | auto chose centre |');
  console.log('|---|---|---|---|---|---|---|---|');
  const centre = centreSeparator();
  const some = speech.filter((_, i) => i % 3 === 0).map((x) => x.subarray(0, PART_SECONDS * 16000));
  const rooms = roomResponses();
  const wets = some.map((x) => [withReverb(x, rooms[0]), withReverb(x, rooms[1])] as [Float32Array, Float32Array]);
  let worstAuto = Infinity;
  for (const reverb of [false, true]) for (const image of IMAGES) for (const db of [-5, 0, 5]) {
    let a = 0;
    let r = 0;
    let c = 0;
    let au = 0;
    let chose = 0;
    for (const [i, s] of some.entries()) {
      const [left, right] = stereoMix(image, music, s, reverb ? wets[i] : undefined, db);
      const mix = Float32Array.from(left, (v, j) => (v + right[j]) / 2);
      const ref = s.subarray(0, left.length);
      const m0 = siSdr(mix, ref);
      const rv = siSdr(await sep.vocals([mix]), ref) - m0;
      const cv = siSdr(await centre.vocals([left, right]), ref) - m0;
      const meter = new StereoMeter();
      meter.add(left, right);
      const pick = chooseForStereo(meter.result()).method;
      a += m0;
      r += rv;
      c += cv;
      au += pick === 'centre' ? cv : rv;
      chose += pick === 'centre' ? 1 : 0;
    }
    const k = some.length;
    worstAuto = Math.min(worstAuto, au / k);
    const f = (x: number) => `${x >= 0 ? '+' : ''}${(x / k).toFixed(2)} dB`;
    console.log(`| ${image.name} | ${reverb ? 'stereo reverb' : 'dry'} | ${db > 0 ? '+' : ''}${db} dB | ${(a / k).toFixed(2)} dB | ${f(r)} | ${f(c)} | **${f(au)}** | ${chose} of ${k} |`);
  }
  console.log(`\nauto's worst row: ${worstAuto >= 0 ? '+' : ''}${worstAuto.toFixed(2)} dB over the mixture`);
  // the ONNX mask-model path (STFT, session, inverse STFT) with the tests' tiny model: the contract's own overhead
  const tiny = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sds-eval-tiny-')), 'ones.onnx');
  fs.writeFileSync(tiny, onesMaskModel());
  const onnx = await onnxMaskSeparator(tiny);
  const t1 = Date.now();
  let s1 = 0;
  for (const s0 of speech) {
    await onnx.vocals([s0]);
    s1 += s0.length / 16000;
  }
  await onnx.release();
  console.log(`ONNX mask-model path with the tests' tiny model: ${(s1 / ((Date.now() - t1) / 1000)).toFixed(0)}x real time (STFT + session + inverse STFT)`);
  // the MDX-Net path at Kim Vocal 2's sizes (n_fft 7680, hop 1024, 3072 x 256 at 44.1 kHz stereo) with an identity model
  const idFile = path.join(path.dirname(tiny), 'identity-mdx.onnx');
  fs.writeFileSync(idFile, identitySpectrogramModel(3072, 256));
  const mdx = await mdxSeparator(idFile, { kind: 'mdx', sampleRate: 44100, nFft: 7680, hop: 1024, dimF: 3072, dimT: 256 });
  const stereo = [0, 1].map(() => Float32Array.from({ length: 60 * 44100 }, (_, i) => Math.sin(i / 10) * 0.1));
  const t2 = Date.now();
  await mdx.vocals(stereo);
  await mdx.release();
  console.log(`MDX-Net contract path at Kim Vocal 2's sizes with an identity model: ${(60 / ((Date.now() - t2) / 1000)).toFixed(1)}x real time (stereo 44.1 kHz STFT + session + inverse STFT; the real model adds its own cost)\n`);

  // a program: music alone, then readers over the music at 0 dB, then music alone again, and so on
  const parts: Float32Array[] = [];
  const truth: string[] = [];
  const push = (x: Float32Array, label: string) => {
    parts.push(x);
    for (let i = 0; i < Math.round(x.length / 160); i++) truth.push(label);
  };
  for (let k = 0; k < 6; k++) {
    push(music.subarray(0, 8 * 16000), 'non');
    const s = speech[k * 5].subarray(0, Math.min(speech[k * 5].length, 14 * 16000));
    const g = rms(s) / rms(music.subarray(0, s.length));
    push(Float32Array.from(s, (v, i) => v + g * music[(i + 3 * 16000) % music.length]), 'speech');
  }
  const total = parts.reduce((t, p) => t + p.length, 0);
  const program = new Float32Array(total);
  parts.reduce((o, p) => (program.set(p, o), o + p.length), 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sds-eval-sep-'));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sds-eval-prog-')), 'program.wav');
  fs.writeFileSync(file, encodeWav(program, 16000));
  await runSeparate(dir, [file], { model: 'repet', stems: ['vocals'] }, ctx);
  const speechOrNot = (l: string) => (['male', 'female', 'speech'].includes(l) ? 'speech' : 'non');
  console.log('| segmentation run on | speech vs non-speech agreement (10 ms frames) |');
  console.log('|---|---|');
  for (const on of ['mixture', 'vocals'] as const) {
    await runSegment([file], dir, { engine: 'smn', gender: false, genderMethod: 'pitch', ...(on === 'vocals' ? { on } : {}) }, ctx);
    const segs = parseSegmentCsv(fs.readFileSync(path.join(dir, 'segments', '0001_program.csv'), 'utf8'));
    const got = labelsPerFrame(segs, truth.length).map(speechOrNot);
    const agree = got.filter((l, i) => l === truth[i]).length / truth.length;
    console.log(`| ${on} | ${(100 * agree).toFixed(1)}% |`);
  }
  console.log('');
  fs.rmSync(dir, { recursive: true, force: true });
}

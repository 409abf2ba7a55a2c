/** Denoiser quality (SI-SDR / SNR gains) and loudness accuracy figures for `npm run eval`. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collect, decodeMono, ffmpegPaths, resample } from '../pipeline/audio/ffmpeg';
import { Rnnoise, RNNOISE_RATE } from '../pipeline/enhance/rnnoise';
import { siSdr, snrAgainst } from '../pipeline/audio/referenceMetrics';
import { Dtln } from '../pipeline/enhance/dtln';
import { Gtcrn } from '../pipeline/enhance/gtcrn';
import { adaptiveGate } from '../pipeline/enhance/adaptiveGate';
import { spectralGate } from '../pipeline/enhance/spectralGate';
import { readTable } from '../pipeline/formats/csvTable';
import { decodeAll, ffmpegMeter } from '../test/helpers';
import { Dataset } from '../pipeline/dataset';
import { openClipCleaner } from '../pipeline/stages/cleanClip';
import { cleanOptions, DEFAULT_PRESET, PRESET_NOTES } from '../pipeline/stages/cleanOptions';

type Enhancer = (x: Float32Array) => Promise<Float32Array>;

/** `x` (16 kHz) through an ffmpeg filter graph. */
async function ffmpegFiltered(x: Float32Array, graph: string): Promise<Float32Array> {
  const tmp = path.join(os.tmpdir(), `sds-filter-${process.pid}.f32`);
  fs.writeFileSync(tmp, Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  const y = await collect(decodeMono(tmp, { sampleRate: 16000, inputArgs: ['-f', 'f32le', '-ar', '16000', '-ac', '1'], filter: graph }));
  fs.rmSync(tmp);
  return y;
}

/** ffmpeg's afftdn at its defaults, for comparison (it delays its output: aligned by cross-correlation below). */
const afftdn = (x: Float32Array) => ffmpegFiltered(x, 'afftdn');

/** Shifts `y` by the lag (within +-1000 samples) that best matches `ref`: latency compensation. */
function align(y: Float32Array, ref: Float32Array): Float32Array {
  let best = 0;
  let bestLag = 0;
  for (let lag = -1000; lag <= 1000; lag++) {
    let s = 0;
    for (let i = 0; i < ref.length; i += 4) {
      const j = i + lag;
      if (j >= 0 && j < y.length) s += y[j] * ref[i];
    }
    if (s > best) { best = s; bestLag = lag; }
  }
  return Float32Array.from(ref, (_, i) => y[i + bestLag] ?? 0);
}

/** The old way of the speech preset: ffmpeg's causal (IIR) 80 Hz high-pass, then DTLN (for the side-by-side). */
const iirHighpass = (x: Float32Array) => ffmpegFiltered(x, 'highpass=f=80:poles=2');

export async function evalDenoisers(shared: string): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sds-eval-preset-'));
  // the preset's whole chain as `sds clean` runs it on a clip (filters, DTLN, loudness; SI-SDR ignores the gain)
  const preset = await openClipCleaner(new Dataset(scratch), cleanOptions(DEFAULT_PRESET), { log: () => undefined, ffmpeg: ffmpegPaths() });
  const dtln = await Dtln.open();
  const gtcrn = await Gtcrn.open();
  const rnnoise = await Rnnoise.open();
  const enhancers: [string, Enhancer][] = [
    [`${DEFAULT_PRESET} preset (default: ${PRESET_NOTES[DEFAULT_PRESET]}; filters zero-phase)`, async (x) => (await preset.process(x, 16000, 'eval')).y],
    ['speech preset as it was (ffmpeg IIR high-pass, then DTLN)', async (x) => dtln.process(await iirHighpass(x))],
    ['dtln alone', (x) => dtln.process(x)], ['gtcrn', (x) => gtcrn.process(x)],
    ['rnnoise (48 kHz, resampled around it)', async (x) => (await resample(rnnoise.process(await resample(x, 16000, RNNOISE_RATE)), RNNOISE_RATE, 16000)).subarray(0, x.length)],
    ['gate (spectral gating, stationary)', (x) => spectralGate(x)],
    ['gate-nonstationary (minimum-statistics floor, soft mask)', (x) => adaptiveGate(x, { rate: 16000, mode: 'gate' })],
    ['wiener (minimum-statistics floor, decision-directed)', (x) => adaptiveGate(x, { rate: 16000, mode: 'wiener' })],
    ['ffmpeg afftdn (defaults)', afftdn],
  ];
  const clean = await decodeAll(path.join(shared, 'noisy', 'speech.wav'));
  const noisy = await decodeAll(path.join(shared, 'noisy', 'speech_bab_0dB.wav'));
  console.log('## Denoisers\n');
  console.log('noisy/speech_bab_0dB.wav (babble, 0 dB) against noisy/speech.wav, latency compensated; "clean in" runs speech.wav itself through the denoiser:\n');
  console.log('| denoiser | SI-SDR gain | SNR gain | clean in: SI-SDR of output vs input | clean in: SNR-estimate change |');
  console.log('|---|---|---|---|---|');
  const { estimateSnr } = await import('../pipeline/audio/metrics');
  for (const [name, f] of enhancers) {
    const y = align(await f(noisy), clean);
    const yc = align(await f(clean), clean);
    console.log(`| ${name} | ${(siSdr(y, clean) - siSdr(noisy, clean)).toFixed(2)} dB | ${(snrAgainst(y, clean) - snrAgainst(noisy, clean)).toFixed(2)} dB | ${siSdr(yc, clean).toFixed(1)} dB | ${(estimateSnr(yc, 16000) - estimateSnr(clean, 16000)).toFixed(1)} dB |`);
  }
  // our own noisy set: LibriSpeech readers over the noise section of musanmix (MUSAN free-sound noise) at 0/5/10 dB
  const noise = await decodeAll(path.join(shared, 'ina', 'musanmix.wav'));
  const noiseSeg = noise.subarray(Math.round(29.1 * 16000), Math.round(52.8 * 16000));
  const dir = path.join(shared, 'librispeech', 'train-clean-100');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.flac')).slice(0, 10);
  console.log(`\nOwn set: ${files.length} LibriSpeech train-clean-100 utterances mixed with the MUSAN noise section of musanmix.wav; mean SI-SDR gain (dB):\n`);
  console.log(`| denoiser | 0 dB | 5 dB | 10 dB |`);
  console.log('|---|---|---|---|');
  const speech = await Promise.all(files.map((f) => decodeAll(path.join(dir, f))));
  for (const [name, f] of enhancers) {
    const cells: string[] = [];
    for (const snr of [0, 5, 10]) {
      let gain = 0;
      for (const [k, s] of speech.entries()) {
        const n = Float32Array.from(s, (_, i) => noiseSeg[(i + k * 7919) % noiseSeg.length]);
        const ps = s.reduce((a, v) => a + v * v, 0);
        const pn = n.reduce((a, v) => a + v * v, 0);
        const g = Math.sqrt(ps / pn / 10 ** (snr / 10));
        const mix = Float32Array.from(s, (v, i) => v + g * n[i]);
        const y = align(await f(mix), s);
        gain += siSdr(y, s) - siSdr(mix, s);
      }
      cells.push((gain / speech.length).toFixed(2));
    }
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
  await dtln.release();
  await gtcrn.release();
  await preset.release();
  fs.rmSync(scratch, { recursive: true, force: true });
  console.log('');
}

/** Every cleaned clip measured by ffmpeg's ebur128 (an independent meter): within +-0.5 LU and under the ceiling? */
export async function evalLoudness(shared: string, cli: string): Promise<void> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sds-eval-clean-'));
  const run = (...a: string[]) => spawnSync(process.execPath, [cli, ...a, '-q'], { encoding: 'utf8' });
  run('run', path.join(shared, 'librispeech', 'train-clean-100'), path.join(shared, 'ina', 'musanmix.wav'), path.join(shared, 'diarization', 'sample.wav'), '--out', out, '--max', '6');
  console.log('## Loudness (every cleaned clip, measured by ffmpeg ebur128)\n');
  console.log('| target | clips | within +-0.5 LU | under the true-peak limit | limiter used | worst deviation |');
  console.log('|---|---|---|---|---|---|');
  for (const [target, tp] of [[-23, -1], [-16, -1]]) {
    const r = run('clean', '--out', out, '--denoise', 'off', '--loudness', String(target), '--true-peak', String(tp));
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
    const rows = readTable(path.join(out, 'clips.csv'));
    let within = 0, under = 0, worst = 0;
    for (const row of rows) {
      const m = ffmpegMeter(path.join(out, row.clean_path), Number(row.clean_rate));
      if (Math.abs(m.I - target) <= 0.5) within++;
      if (m.TP <= tp) under++;
      worst = Math.max(worst, Math.abs(m.I - target));
    }
    const limited = rows.filter((x) => x.clean_note.startsWith('limited')).length;
    console.log(`| ${target} LUFS, ${tp} dBTP | ${rows.length} | ${within} | ${under} | ${limited} | ${worst.toFixed(2)} LU |`);
  }
  fs.rmSync(out, { recursive: true, force: true });
  console.log('');
}

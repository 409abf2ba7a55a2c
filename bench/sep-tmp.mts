import { collect, decodeMono } from '../pipeline/audio/ffmpeg';
import { siSdr } from '../pipeline/audio/referenceMetrics';
import { processStft, sqrtHann } from '../pipeline/enhance/stft';
import { REPET_HOP, REPET_NFFT, repetSimMask, spectra } from '../pipeline/separate/repetSim';
import * as fs from 'node:fs';
const lib = 'test/fixtures/librispeech/';
const music = (await collect(decodeMono('test/fixtures/ina/musanmix.wav', { sampleRate: 16000 }))).subarray(0, 22 * 16000);
const files = fs.readdirSync(lib).filter((f) => f.endsWith('.flac'));
const k = Number(process.argv[2] ?? 20), gap = Number(process.argv[3] ?? 0.5);
const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
for (const db of [-5, 0, 5]) {
  let mix0 = 0, est0 = 0;
  for (const f of files) {
    const s = (await collect(decodeMono(lib + f, { sampleRate: 16000 }))).subarray(0, 20 * 16000);
    const n = Math.min(s.length, music.length);
    const sp = s.subarray(0, n), mu = music.subarray(0, n);
    const g = rms(sp) / rms(mu) / 10 ** (db / 20);
    const mix = Float32Array.from(sp, (v, i) => v + g * mu[i]);
    const win = sqrtHann(REPET_NFFT);
    const { mag } = spectra(mix, win);
    const masks = repetSimMask(mag, { rate: 16000, k, minGap: gap, scale: Number(process.argv[4] ?? 1), power: Number(process.argv[5] ?? 1) });
    const est = await processStft(mix, REPET_NFFT, REPET_HOP, win, (spec, t) => { const m = masks[t]; return spec.map((v, i) => v * m[i >> 1]); });
    mix0 += siSdr(mix, sp); est0 += siSdr(est, sp);
  }
  console.log(db, 'dB: mixture', (mix0 / files.length).toFixed(2), 'vocals', (est0 / files.length).toFixed(2));
}

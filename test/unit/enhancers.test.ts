import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resample } from '../../pipeline/audio/ffmpeg';
import { siSdr } from '../../pipeline/audio/referenceMetrics';
import { Dtln } from '../../pipeline/enhance/dtln';
import { Gtcrn } from '../../pipeline/enhance/gtcrn';
import { Rnnoise, RNNOISE_RATE } from '../../pipeline/enhance/rnnoise';
import { adaptiveGate } from '../../pipeline/enhance/adaptiveGate';
import { spectralGate } from '../../pipeline/enhance/spectralGate';
import { decodeAll, fixture } from '../helpers';

let dtln: Dtln;
let gtcrn: Gtcrn;
let rnnoise: Rnnoise;
let clean: Float32Array;
let noisy: Float32Array;
before(async () => {
  [dtln, gtcrn, rnnoise] = await Promise.all([Dtln.open(), Gtcrn.open(), Rnnoise.open()]);
  clean = await decodeAll(fixture('librispeech', '1069-133699-0000.flac'));
  // real noise: the MUSAN free-sound section of musanmix, at 5 dB SNR
  const mix = await decodeAll(fixture('ina', 'musanmix.wav'));
  const noise = mix.subarray(30 * 16000, 52 * 16000);
  const ps = clean.reduce((a, v) => a + v * v, 0);
  const pn = clean.reduce((a, _, i) => a + noise[i % noise.length] ** 2, 0);
  const g = Math.sqrt(ps / pn / 10 ** 0.5);
  noisy = Float32Array.from(clean, (v, i) => v + g * noise[i % noise.length]);
});
after(async () => {
  await Promise.all([dtln.release(), gtcrn.release()]);
});

const gain = (y: Float32Array) => siSdr(y, clean) - siSdr(noisy, clean);

test('DTLN and GTCRN remove real noise (sample-aligned output) and leave clean speech nearly untouched', async () => {
  const d = gain(await dtln.process(noisy));
  const g = gain(await gtcrn.process(noisy));
  assert.ok(d > 5, `DTLN +${d.toFixed(2)} dB`);
  assert.ok(g > 3, `GTCRN +${g.toFixed(2)} dB`);
  assert.ok(siSdr(await dtln.process(clean), clean) > 20, 'clean in, clean out');
});

test('DTLN: clips denoised at once share session runs and each gets what it gets alone (float rounding)', async () => {
  // eight clips of different lengths and starts, so streams join the batch, leave it early and run on alone
  const clips = Array.from({ length: 8 }, (_, i) => noisy.subarray(i * 4000, noisy.length - i * 9000));
  const alone: Float32Array[] = [];
  for (const c of clips) alone.push(await dtln.process(c));
  const before = { ...dtln.batches };
  const together = await Promise.all(clips.map((c) => dtln.process(c)));
  const runs = dtln.batches.runs - before.runs;
  const blocks = dtln.batches.blocks - before.blocks;
  assert.ok(blocks / runs > 4, `${blocks} blocks in ${runs} runs`);
  together.forEach((y, i) => {
    assert.equal(y.length, clips[i].length);
    const worst = y.reduce((m, v, k) => Math.max(m, Math.abs(v - alone[i][k])), 0);
    assert.ok(worst < 1e-4, `clip ${i}: worst difference ${worst}`);
    assert.ok(siSdr(y, alone[i]) > 60, `clip ${i}: ${siSdr(y, alone[i]).toFixed(1)} dB from its result alone`);
  });
});

test('RNNoise (wasm, 48 kHz) gains SI-SDR once resampled around it', async () => {
  const up = await resample(noisy, 16000, RNNOISE_RATE);
  const y = await resample(rnnoise.process(up), RNNOISE_RATE, 16000);
  const r = gain(y.subarray(0, clean.length));
  assert.ok(r > 1, `RNNoise +${r.toFixed(2)} dB`);
});

test('spectral gating lowers the noise floor between words', async () => {
  const y = await spectralGate(noisy);
  const quiet = (x: Float32Array) => {
    const e: number[] = [];
    for (let o = 0; o + 320 <= x.length; o += 320) e.push(x.subarray(o, o + 320).reduce((a, v) => a + v * v, 0));
    return e.sort((a, b) => a - b)[Math.floor(e.length * 0.1)];
  };
  assert.ok(10 * Math.log10(quiet(noisy) / quiet(y)) > 6, 'the quietest frames lose > 6 dB of noise');
});

test('non-stationary noise (the level climbs 12 dB during the clip): the adaptive gate and Wiener follow it and gain, the once-profiled gate does not', async () => {
  // the same real noise, ramping from -6 dB to +6 dB around its 5 dB SNR level over the clip
  const n = noisy.map((v, i) => v - clean[i]);
  const ramped = Float32Array.from(clean, (v, i) => v + n[i] * 10 ** ((-6 + (12 * i) / clean.length) / 20));
  const g = (y: Float32Array) => siSdr(y, clean) - siSdr(ramped, clean);
  const wiener = g(await adaptiveGate(ramped, { rate: 16000, mode: 'wiener' }));
  const gate = g(await adaptiveGate(ramped, { rate: 16000, mode: 'gate' }));
  const stationary = g(await spectralGate(ramped));
  assert.ok(wiener > 1, `Wiener +${wiener.toFixed(2)} dB`);
  console.log(`# ramped noise: Wiener +${wiener.toFixed(2)} dB, non-stationary gate +${gate.toFixed(2)} dB, stationary gate ${stationary.toFixed(2)} dB`);
  assert.ok(gate > 0.25, `non-stationary gate +${gate.toFixed(2)} dB`);
  assert.ok(wiener > stationary && gate > stationary, `stationary gate ${stationary.toFixed(2)} dB`);
  assert.ok(siSdr(await adaptiveGate(clean, { rate: 16000, mode: 'wiener' }), clean) > 15, 'clean in, nearly clean out');
});

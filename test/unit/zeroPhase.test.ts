import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { collect, decodeMono } from '../../pipeline/audio/ffmpeg';
import { ZeroPhaseFilter, type FilterSpec } from '../../pipeline/audio/zeroPhase';
import { averagePowerSpectrum } from '../../pipeline/features/spectrum';
import { filterSpecs, cleanOptions } from '../../pipeline/stages/cleanOptions';
import { decodeAll, fixture, tmpDir } from '../helpers';

const RATE = 16000;
/** The speech preset's chain with 50 Hz hum found: its high-pass and two of its notches. */
const SPECS: FilterSpec[] = filterSpecs(cleanOptions('speech'), [50, 100]);

/** Deterministic white noise (a linear congruential generator: the same every run). */
function noise(n: number): Float32Array {
  let s = 12345;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 31) - 1);
}

test('zero-phase filters have the magnitude of ffmpeg\'s own highpass and bandreject on white noise, within 0.3 dB', async () => {
  const x = noise(RATE * 20);
  const y = (await ZeroPhaseFilter.design(SPECS, RATE))!.apply(x);
  const dir = tmpDir();
  const raw = path.join(dir, 'noise.f32');
  fs.writeFileSync(raw, Buffer.from(x.buffer));
  const graph = 'highpass=f=80:poles=2,bandreject=f=50:width_type=q:w=30,bandreject=f=100:width_type=q:w=30';
  const z = await collect(decodeMono(raw, { sampleRate: RATE, inputArgs: ['-f', 'f32le', '-ar', String(RATE), '-ac', '1'], filter: graph }));
  const nfft = 4096;
  const [py, pz] = [averagePowerSpectrum(y, nfft), averagePowerSpectrum(z, nfft)];
  // from 8 Hz up (under that a 20 s average of noise has too few cycles to compare)
  for (let k = 2; k < nfft / 2; k++) {
    const d = 10 * Math.log10(py[k] / pz[k]);
    assert.ok(Math.abs(d) < 0.3, `${((k * RATE) / nfft).toFixed(1)} Hz: ${d.toFixed(2)} dB from ffmpeg's`);
  }
  // and they do filter: 20 Hz is cut by the high-pass, a 50 Hz hum by its notch, 1 kHz passes
  const cut = 10 * Math.log10(py[Math.round((20 * nfft) / RATE)] / py[Math.round((1000 * nfft) / RATE)]);
  assert.ok(cut < -20, `20 Hz: ${cut.toFixed(1)} dB`);
  const f = (await ZeroPhaseFilter.design(SPECS, RATE))!;
  const rms = (v: Float32Array) => Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
  const sine = (hz: number) => Float32Array.from({ length: 6 * RATE }, (_, n) => Math.sin((2 * Math.PI * hz * n) / RATE));
  const mid = (v: Float32Array) => v.subarray(2 * RATE, 4 * RATE);
  const notched = 20 * Math.log10(rms(mid(f.apply(sine(50)))) / rms(mid(sine(50))));
  assert.ok(notched < -30, `50 Hz: ${notched.toFixed(1)} dB`);
  assert.ok(Math.abs(20 * Math.log10(rms(mid(f.apply(sine(1000)))) / rms(mid(sine(1000))))) < 0.05);
});

test('zero phase: an impulse comes out symmetric about itself with its peak in place, and speech keeps its waveform', async () => {
  const f = (await ZeroPhaseFilter.design(SPECS, RATE))!;
  const at = 3 * RATE;
  const imp = new Float32Array(6 * RATE);
  imp[at] = 1;
  const h = f.apply(imp);
  let peak = 0;
  for (let i = 0; i < h.length; i++) if (Math.abs(h[i]) > Math.abs(h[peak])) peak = i;
  assert.equal(peak, at);
  for (let k = 1; k < 2 * RATE; k++) assert.ok(Math.abs(h[at + k] - h[at - k]) < 1e-6, `tap ${k}: ${h[at + k]} vs ${h[at - k]}`);
  // a causal IIR high-pass shifts speech's low harmonics against the original; zero phase leaves the waveform
  // within what the cut band held (speech has little under 80 Hz)
  const speech = await decodeAll(fixture('librispeech', '1069-133699-0000.flac'));
  const y = f.apply(speech);
  let e = 0, p = 0;
  for (let i = 0; i < speech.length; i++) {
    e += (y[i] - speech[i]) ** 2;
    p += speech[i] ** 2;
  }
  assert.ok(10 * Math.log10(p / e) > 20, `speech to difference ${(10 * Math.log10(p / e)).toFixed(1)} dB`);
});

test('streamed in chunks of any size, the filter writes exactly what it writes on the whole signal', async () => {
  const f = (await ZeroPhaseFilter.design(SPECS, RATE))!;
  const x = noise(RATE * 7 + 123);
  const whole = f.apply(x);
  const s = f.stream();
  const parts: Float32Array[] = [];
  let step = 1;
  for (let i = 0; i < x.length; i += step, step = (step * 7919) % 40000 + 1) parts.push(s.push(x.subarray(i, i + step)));
  parts.push(s.end());
  const streamed = new Float32Array(parts.reduce((n, q) => n + q.length, 0));
  parts.reduce((o, q) => (streamed.set(q, o), o + q.length), 0);
  assert.equal(streamed.length, x.length);
  assert.deepEqual(streamed, whole);
  // a signal shorter than the kernel
  const short = noise(100);
  assert.equal(f.apply(short).length, 100);
});

test('no filters: nothing to design', async () => {
  assert.equal(await ZeroPhaseFilter.design([], RATE), undefined);
});

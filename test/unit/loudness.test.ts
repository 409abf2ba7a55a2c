import assert from 'node:assert/strict';
import { test } from 'node:test';
import { integratedLoudness, LoudnessMeter, truePeak, TruePeakMeter } from '../../pipeline/audio/loudness';
import { decodeAll, ffmpegMeter, fixture } from '../helpers';

for (const [name, rate] of [['musanmix.wav', 16000], ['1069-133699-0000.flac', 16000], ['0021.mp3', 44100]] as const) {
  test(`${name}: integrated loudness and true peak agree with ffmpeg's ebur128`, async () => {
    const file = name.endsWith('.flac') ? fixture('librispeech', name) : fixture('ina', name);
    const x = await decodeAll(file, rate);
    const res = ffmpegMeter(file, rate);
    const I = integratedLoudness(x, rate);
    const TP = truePeak(x, rate);
    assert.ok(Math.abs(I - res.I) < 0.15, `ours ${I.toFixed(2)} vs ffmpeg ${res.I}`);
    assert.ok(Math.abs(TP - res.TP) < 0.3, `ours ${TP.toFixed(2)} dBTP vs ffmpeg ${res.TP}`);
  });
}

test('a full-scale 1 kHz sine at 48 kHz reads -3.01 LUFS (BS.1770 calibration)', () => {
  const x = Float32Array.from({ length: 48000 * 5 }, (_, n) => Math.sin((2 * Math.PI * 1000 * n) / 48000));
  assert.ok(Math.abs(integratedLoudness(x, 48000) + 3.01) < 0.05);
});

test('silence is -Infinity, not NaN', () => {
  assert.equal(integratedLoudness(new Float32Array(16000), 16000), -Infinity);
  assert.equal(truePeak(new Float32Array(100), 16000), -Infinity);
});

test('the loudness and true-peak meters stream: chunk by chunk equals all at once', async () => {
  const x = await decodeAll(fixture('librispeech', '1069-133699-0000.flac'));
  const m = new LoudnessMeter(16000);
  const t = new TruePeakMeter(16000);
  for (let i = 0; i < x.length; i += 3333) {
    m.push(x.subarray(i, i + 3333));
    t.push(x.subarray(i, i + 3333));
  }
  assert.equal(m.integrated(), integratedLoudness(x, 16000));
  assert.equal(t.value(), truePeak(x, 16000));
});

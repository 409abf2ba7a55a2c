import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { InaFrontEnd, INA_BANDS } from '../../pipeline/features/inaFrontEnd';
import { sidekitMelFilterbank } from '../../pipeline/features/melFilterbank';
import { loadRealFft } from '../../pipeline/features/realFft';

before(loadRealFft);

const sine = (hz: number, seconds: number, amp = 0.5) =>
  Float32Array.from({ length: Math.round(16000 * seconds) }, (_, n) => amp * Math.sin((2 * Math.PI * hz * n) / 16000));

function analyse(signal: Float32Array, chunk: number) {
  const frames: { e: number; mel: Float32Array }[] = [];
  const fe = new InaFrontEnd((_i, e, mel) => frames.push({ e, mel: mel.slice() }));
  for (let o = 0; o < signal.length; o += chunk) fe.push(signal.subarray(o, o + chunk));
  return frames;
}

test('frame count follows SIDEKIT framing: floor((N - 400) / 160) + 1, whatever the chunking', () => {
  const x = sine(440, 1.013);
  const n = Math.floor((x.length - 400) / 160) + 1;
  assert.equal(analyse(x, 16000).length, n);
  const a = analyse(x, 37);
  assert.equal(a.length, n);
  assert.deepEqual(a[50].mel, analyse(x, 16000)[50].mel);
});

test('a 1 kHz sine puts its energy in the mel band centred nearest 1 kHz', () => {
  const bank = sidekitMelFilterbank(16000, 512, 100, 8000, INA_BANDS);
  const centres = bank.map((f) => {
    let best = 0;
    f.weights.forEach((w, i) => { if (w > f.weights[best]) best = i; });
    return ((f.start + best) * 16000) / 512;
  });
  const expected = centres.reduce((b, c, i) => (Math.abs(c - 1000) < Math.abs(centres[b] - 1000) ? i : b), 0);
  const mel = analyse(sine(1000, 0.5), 4000)[20].mel;
  const loudest = mel.reduce((b, v, i) => (v > mel[b] ? i : b), 0);
  assert.equal(loudest, expected);
  assert.ok(mel[loudest] - mel[0] > 5, 'peak band at least e^5 above the lowest band');
});

test('log energy matches the pre-emphasised frame computed directly', () => {
  const x = sine(300, 0.1, 0.25);
  const frames = analyse(x, 1000);
  let e = (x[160] * 0.03) ** 2;
  for (let n = 1; n < 400; n++) e += (x[160 + n] - 0.97 * x[160 + n - 1]) ** 2;
  assert.ok(Math.abs(frames[1].e - Math.log(e)) < 1e-4);
});

test('digital silence gives -Infinity log energy (scored as no energy downstream)', () => {
  const frames = analyse(new Float32Array(8000), 8000);
  assert.ok(frames.every((f) => f.e === -Infinity));
});

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { WhisperModel } from '../../pipeline/asr/whisper';
import { WhisperTokenizer } from '../../pipeline/asr/tokenizer';
import { WHISPER_FRAMES, whisperLogMel } from '../../pipeline/features/whisperMel';
import { tmpDir } from '../helpers';
import { TINY_SPECIAL, TINY_VOCAB, writeTinyWhisper } from '../whisperBuilder';

const sine = (hz: number, seconds: number) => Float32Array.from({ length: 16000 * seconds }, (_, n) => 0.5 * Math.sin((2 * Math.PI * hz * n) / 16000));

test('Whisper log-mel: 80 x 3000 for any length, a 1 kHz tone in the band Slaney puts 1 kHz in, silence at the floor', () => {
  const m = whisperLogMel(sine(1000, 5));
  assert.equal(m.length, 80 * WHISPER_FRAMES);
  const col = Array.from({ length: 80 }, (_, b) => m[b * WHISPER_FRAMES + 200]);
  assert.equal(col.indexOf(Math.max(...col)), 26); // 1 kHz is mel 15 of 45.2 on Slaney's scale: band 26 of 80
  const max = m.reduce((a, b) => Math.max(a, b), -Infinity);
  const silent = m[40 * WHISPER_FRAMES + 2500]; // past the 5 s of tone: padding
  assert.ok(Math.abs(silent - (max - 2)) < 1e-6, 'floor: 8 log10 units under the peak, scaled by 1/4');
  const longer = whisperLogMel(sine(1000, 40));
  assert.equal(longer.length, 80 * WHISPER_FRAMES, 'cut to 30 s');
});

test('tokenizer: known ids decode through the byte-level table; special and timestamp tokens are skipped', () => {
  const tok = new WhisperTokenizer({ model: { vocab: Object.fromEntries(TINY_VOCAB.map((t, i) => [t, i])) },
    added_tokens: TINY_SPECIAL.map((content, k) => ({ id: TINY_VOCAB.length + k, content, special: true })) });
  assert.equal(tok.decode([0, 1, 2]), ' hello world.');
  assert.equal(tok.decode([4, 5]), ' Bé', 'Ã© is the bytes C3 A9');
  assert.equal(tok.decode([9, 0, 14, 8]), ' hello');
  assert.equal(tok.time(TINY_VOCAB.length + 7), 1);
  assert.deepEqual([...tok.languages().keys()].sort(), ['de', 'en']);
});

test('the decode loop on a tiny model of Whisper\'s interface: greedy, beam search, language detection, timestamps', async () => {
  const dir = writeTinyWhisper(path.join(tmpDir('sds-whisper-'), 'tiny'));
  const m = await WhisperModel.open(dir);
  try {
    const audio = sine(440, 2);
    const greedy = await m.transcribe(audio, { language: 'en' });
    assert.equal(greedy.text, 'A maybe', 'greedy takes the locally best token');
    assert.ok(Math.abs(greedy.avgLogprob - Math.log(0.55 * 0.34) / 3) < 1e-4);
    const beam = await m.transcribe(audio, { language: 'en', beam: 2 });
    assert.equal(beam.text, 'Bé', 'beam search finds the more probable whole sequence');
    const detected = await m.transcribe(audio, {});
    assert.equal(detected.language, 'de');
    const ts = await m.transcribe(audio, { language: 'en', timestamps: true });
    assert.equal(ts.text, 'hello world');
    assert.deepEqual(ts.segments, [{ start: 0, end: 1, text: 'hello world' }]);
    const long = await m.transcribe(sine(440, 40), { language: 'en', timestamps: true });
    assert.deepEqual(long.segments.map((s) => s.start), [0, 30], 'a second 30 s window is offset by 30 s');
  } finally {
    await m.release();
  }
});

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { applyRules, compressionRatio, longestRepeat, type RuleTokens } from '../../pipeline/asr/decodeRules';
import { normaliseText, wordErrors } from '../../pipeline/asr/wer';
import { WhisperModel } from '../../pipeline/asr/whisper';
import { dtw, medianFilterRows, wordsOf } from '../../pipeline/asr/wordAlign';
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

test('word error rate normalises case, punctuation, "mr", numbers; counts substitutions, deletions, insertions', () => {
  assert.deepEqual(normaliseText('Mr. Hale said: 23 "wasn\'t" it?'), ['mister', 'hale', 'said', 'twenty', 'three', 'wasn\'t', 'it']);
  assert.deepEqual(wordErrors('MISTER HALE TWENTY THREE', 'Mr. Hale, 23.'), { errors: 0, words: 4 });
  assert.deepEqual(wordErrors('a b c d', 'a x c d e'), { errors: 2, words: 4 });
  assert.deepEqual(wordErrors('a b c d', 'b c'), { errors: 2, words: 4 });
});

test('DTW takes the cheap diagonal; word times come from token starts; a full stop stretched over a pause is cut', () => {
  // 3 tokens x 6 frames, cheap where token k sits at frames 2k..2k+1
  const cost = Float32Array.from({ length: 18 }, (_, i) => (Math.floor((i % 6) / 2) === Math.floor(i / 6) ? 0 : 1));
  const { row, col } = dtw(cost, 3, 6);
  assert.deepEqual(row, [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(col, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(medianFilterRows(Float32Array.from([0, 9, 0, 0, 0, 0, 0, 9, 9, 9]), 1, 10, 3)), [9, 0, 0, 0, 0, 0, 0, 9, 9, 9], 'reflected at the ends, as scipy and torch pad');
  const words = wordsOf([' Hello', ' wor', 'ld', '.', ' Again'], [0, 0.4, 0.6, 0.9, 4.0, 4.5], [0.9, 0.5, 0.7, 1, 0.2]);
  assert.deepEqual(words.map((w) => [w.word, w.start, w.end, w.p]), [['Hello', 0, 0.4, 0.9], ['world.', 0.4, 1.9, 0.733], ['Again', 4, 4.5, 0.2]]);
});

test('timestamp rules: the first token is an early timestamp, pairs close before text, time never goes back', () => {
  const timestamps = [0, 0.5, 1, 1.5, 2].map((time, k) => ({ id: 10 + k, time }));
  const rules: RuleTokens = { vocab: 15, eot: 9, banned: new Uint8Array(15), beginSuppress: [9], timestamps, timeOf: new Map(timestamps.map((t) => [t.id, t.time])) };
  const flat = new Float32Array(15).fill(Math.log(1 / 15));
  const allowed = (sampled: number[]) => [...applyRules(flat, sampled, rules, true)].flatMap((x, i) => (x > -Infinity ? [i] : []));
  assert.deepEqual(allowed([]), [10, 11, 12], 'a timestamp up to 1 s first');
  assert.deepEqual(allowed([11]), Array.from({ length: 10 }, (_, i) => i), 'after an opening timestamp: text or the end');
  assert.deepEqual(allowed([11, 3]).filter((i) => i >= 10), [12, 13, 14], 'later timestamps only');
  assert.deepEqual(allowed([11, 3, 13]), [13, 14], 'after a closing timestamp the next opens no earlier; here the timestamps outweigh the end, so one is taken');
  assert.deepEqual(allowed([]).length, 3);
  assert.ok(compressionRatio('the cat '.repeat(30)) > 2.4 && compressionRatio('A grain or two perhaps is good.') < 2.4);
  assert.equal(longestRepeat('so we went and we went and we went home'), 'we went and');
});

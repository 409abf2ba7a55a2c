import assert from 'node:assert/strict';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTable, writeTable } from '../../pipeline/formats/csvTable';
import { espeak, sdsQuiet as sds, tmpDir } from '../helpers';
import { writeTinyWhisper } from '../whisperBuilder';

test('transcribe: machine text for every clip, marked asr; a person\'s text is never replaced; a missing clip is named', async () => {
  const dir = tmpDir('sds-asr-');
  const model = writeTinyWhisper(path.join(dir, 'models', 'tiny-whisper'));
  fs.mkdirSync(path.join(dir, 'clips', 'male'), { recursive: true });
  const rows = ['One two three.', 'Four five.', 'Six.'].map((t, i) => {
    espeak(t, path.join(dir, 'clips', 'male', `a_000${i}.wav`));
    return { path: `clips/male/a_000${i}.wav`, source: 'a', start: String(i), end: String(i + 1), label: 'male', duration: '1', sample_rate: '16000' };
  });
  await writeTable(path.join(dir, 'clips.csv'), [...rows, { ...rows[0], path: 'clips/male/gone.wav' }], CLIP_COLUMNS);

  const r = sds('transcribe', '--out', dir, '--model', model, '--language', 'en', '--beam', '2');
  assert.equal(r.status, 1, 'the missing clip fails the run');
  assert.match(r.stdout, /gone\.wav/);
  assert.match(r.stdout, /3 clips transcribed with tiny-whisper \(beam 2\)/);
  let out = readTable(path.join(dir, 'clips.csv'));
  assert.deepEqual(out.slice(0, 3).map((x) => [x.transcript, x.text_source, x.asr_model, x.language]), rows.map(() => ['Bé', 'asr', 'tiny-whisper', 'en']));

  // a person corrects one; a rerun with --overwrite redoes the machine ones only (greedy now)
  out[0].transcript = 'One, two, three.';
  out[0].text_source = 'human';
  await writeTable(path.join(dir, 'clips.csv'), out.slice(0, 3), CLIP_COLUMNS);
  const again = sds('transcribe', '--out', dir, '--model', model, '--language', 'en', '--overwrite');
  assert.equal(again.status, 0, again.stdout + again.stderr);
  out = readTable(path.join(dir, 'clips.csv'));
  assert.deepEqual(out.map((x) => x.transcript), ['One, two, three.', 'A maybe', 'A maybe']);
  assert.equal(out[0].text_source, 'human');

  // a clips.csv edited by hand into a shape without paths: a clear message, the file untouched
  const hand = tmpDir('sds-asr-hand-');
  fs.writeFileSync(path.join(hand, 'clips.csv'), 'file,text\na.wav,hello\n');
  const bad = sds('transcribe', '--out', hand, '--model', model);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /clips\.csv: no path column \(was it edited by hand\?\)/);
  assert.equal(fs.readFileSync(path.join(hand, 'clips.csv'), 'utf8'), 'file,text\na.wav,hello\n');

  const none = sds('transcribe', '--out', dir, '--model', path.join(dir, 'clips'));
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /not a Whisper ONNX export \(missing encoder_model\.onnx, decoder_model_merged\.onnx \(or decoder_model\.onnx\), tokenizer\.json; sds models fetch whisper-tiny/);
});

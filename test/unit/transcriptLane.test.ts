import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { transcriptLane } from '../../pipeline/asr/transcriptLane';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import { writeTable } from '../../pipeline/formats/csvTable';
import { tmpDir } from '../helpers';

test('the timeline\'s transcript lane: machine words at source times, a typed or edited text over its whole clip, other sources left out', async () => {
  const dir = tmpDir('sds-lane-');
  const clip = (p: string, source: string, start: number, end: number, extra: Record<string, string>) => ({ path: p, source, start: String(start), end: String(end), label: 'male', duration: String(end - start), sample_rate: '16000', ...extra });
  await writeTable(path.join(dir, 'clips.csv'), [
    clip('clips/male/a_0001.wav', 'a', 10, 12, { transcript: 'hello world', text_source: 'asr' }),
    clip('clips/male/a_0002.wav', 'a', 20, 22, { transcript: 'typed by hand', text_source: 'human' }),
    clip('clips/male/a_0003.wav', 'a', 30, 32, { transcript: 'edited since', text_source: 'asr' }),
    clip('clips/male/b_0001.wav', 'b', 0, 2, { transcript: 'other source', text_source: 'human' }),
    clip('clips/male/a_0004.wav', 'a', 40, 42, { transcript: '', text_source: 'asr' }),
  ], CLIP_COLUMNS);
  const words = (text: string, ws: [string, number, number, number][]) => JSON.stringify({ text, words: ws.map(([word, start, end, p]) => ({ word, start, end, p })) });
  fs.mkdirSync(path.join(dir, 'transcripts', 'clips', 'male'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'transcripts', 'clips', 'male', 'a_0001.json'), words('hello world', [['hello', 0.1, 0.5, 0.9], ['world', 0.5, 1.1, 0.3]]));
  fs.writeFileSync(path.join(dir, 'transcripts', 'clips', 'male', 'a_0003.json'), words('what the model said', [['what', 0, 0.3, 0.9]]));
  assert.deepEqual(transcriptLane(dir, 'a'), [
    { start: 10.1, end: 10.5, text: 'hello' }, { start: 10.5, end: 11.1, text: 'world', uncertain: true },
    { start: 20, end: 22, text: 'typed by hand' }, { start: 30, end: 32, text: 'edited since' },
  ]);
});

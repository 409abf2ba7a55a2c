import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnsFor, headHtml, spokenAt, uncertain, visibleRows, windowOf, wordsHtml } from '../../webviews/clips/view';

const rows = [
  { path: 'clips/male/a_0001.wav', label: 'male', duration: '2.5', snr: '31.2', transcript: 'Hello there' },
  { path: 'clips/female/a_0002.wav', label: 'female', duration: '7.0', snr: '12.0', transcript: '' },
  { path: 'clips/female/b_0001.wav', label: 'female', duration: '4.1', snr: '', transcript: 'Zebra, "quoted"' },
];

test('clip table columns follow the table: metrics and scores only when present', () => {
  assert.deepEqual(columnsFor(['path', 'label', 'duration']).map((c) => c.key), ['path', 'label', 'duration']);
  assert.deepEqual(columnsFor(['path', 'label', 'duration', 'snr', 'emotion', 'emotion_prob', 'similarity_host']).map((c) => c.key), ['path', 'label', 'duration', 'snr', 'emotion', 'similarity_host']);
  assert.equal(columnsFor(['emotion']).find((c) => c.key === 'emotion')!.text({ emotion: 'angry', emotion_prob: '0.914' }), 'angry 0.91');
});

test('filters use the --where syntax or plain text; sorting is numeric for numbers, empty values last when ascending is reversed', () => {
  const cols = columnsFor(['path', 'label', 'duration', 'snr']);
  assert.deepEqual(visibleRows(rows, 'label=female and duration>5', undefined, false).order, [1]);
  assert.deepEqual(visibleRows(rows, 'zebra', undefined, false).order, [2]);
  assert.deepEqual(visibleRows(rows, 'b_0001', undefined, false).order, [2]);
  assert.match(visibleRows(rows, 'snr>>3', undefined, false).error!, /cannot read/);
  const dur = cols.find((c) => c.key === 'duration')!;
  assert.deepEqual(visibleRows(rows, '', dur, false).order, [0, 2, 1]);
  assert.deepEqual(visibleRows(rows, '', dur, true).order, [1, 2, 0]);
  const snr = cols.find((c) => c.key === 'snr')!;
  assert.deepEqual(visibleRows(rows, '', snr, true).order, [0, 1, 2], 'a clip without SNR sorts below every measured one');
});

test('the virtual window covers the viewport plus overscan and never runs past the table', () => {
  assert.deepEqual(windowOf(0, 360, 36, 5000), { first: 0, last: 16 });
  assert.deepEqual(windowOf(36 * 1000, 360, 36, 5000), { first: 994, last: 1016 });
  assert.deepEqual(windowOf(36 * 4995, 360, 36, 5000), { first: 4989, last: 5000 });
});

test('column names from clips.csv reach the header escaped, never as markup', () => {
  const cols = columnsFor(['path', 'similarity_<img src=x onerror=alert(1)>', 'lufs']);
  const html = headHtml(cols, 120, cols.find((c) => c.key.startsWith('similarity_')), true);
  assert.ok(!html.includes('<img'), html);
  assert.match(html, /data-key="similarity_&lt;img src=x onerror=alert\(1\)&gt;"/);
  assert.match(html, />&lt;img src=x onerror=alert\(1\)&gt; ▾</);
});

test('machine transcripts: words laid behind the text with the uncertain ones marked, none once a person edits it', () => {
  const words = [{ word: 'Read', start: 0, end: 0.3, p: 0.9 }, { word: 'librebox', start: 0.3, end: 0.9, p: 0.2 }, { word: '.org', start: 0.9, end: 1.2, p: 0.7 }];
  const html = wordsHtml('Read librebox.org', words, 1)!;
  assert.equal(html.replace(/<[^>]+>/g, ''), 'Read librebox.org', 'the spans spell the text exactly, a split-off ".org" too');
  assert.equal((html.match(/class="w uncertain spoken"/g) ?? []).length, 1);
  assert.equal(wordsHtml('Read librebox dot org', words), undefined, 'edited: the words no longer fit');
  assert.equal(spokenAt(words, 0.5), 1);
  assert.equal(spokenAt(words, 2), -1);
  assert.ok(uncertain({ text_source: 'asr', asr_uncertain: '1' }) && uncertain({ text_source: 'asr', asr_flag: 'no-speech', asr_uncertain: '0' }));
  assert.ok(!uncertain({ text_source: 'human', asr_uncertain: '3' }) && !uncertain({ text_source: 'asr', asr_uncertain: '0' }));
  assert.deepEqual(columnsFor(['path', 'asr_confidence']).map((c) => c.title), ['clip', 'label', 's', 'conf']);
});

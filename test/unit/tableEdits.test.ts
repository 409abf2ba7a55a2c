import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { parseSegmentCsv } from '../../pipeline/formats/segmentTable';
import { add, isContiguous, mergeNext, moveBoundary, relabel, remove, shownIndices, splitAt, toggled, totals } from '../../webviews/timeline/tableEdits';
import { fixture } from '../helpers';

const table = parseSegmentCsv(fs.readFileSync(fixture('ina', 'musanmix-smn-gender.csv'), 'utf8'));
const span = (t: typeof table) => [t[0].start, t[t.length - 1].stop];

test('dragging a boundary moves both neighbours and never crosses them', () => {
  const t = moveBoundary(table, 1, 20);
  assert.equal(t[0].stop, 20);
  assert.equal(t[1].start, 20);
  assert.ok(isContiguous(t));
  const clamped = moveBoundary(table, 1, 40); // beyond segment 1's end
  assert.equal(clamped[1].start, Math.round((table[1].stop - 0.02) * 1000) / 1000);
  assert.ok(isContiguous(clamped));
});

test('split, merge, relabel, delete and add keep the table contiguous over the same span', () => {
  const edits = [
    splitAt(table, 10),
    mergeNext(table, 0),
    relabel(table, 6, 'female'),
    remove(table, 3),
    remove(table, 0),
    add(table, 30, 35, 'music'),
  ];
  for (const t of edits) {
    assert.ok(isContiguous(t));
    assert.deepEqual(span(t), span(table));
  }
  assert.equal(edits[0].length, table.length + 1);
  assert.equal(edits[1].length, table.length - 1);
  assert.equal(edits[2][6].label, 'female');
  assert.deepEqual(edits[5].filter((s) => s.label === 'music').map((s) => [s.start, s.stop]), [[0, 22.48], [30, 35]]);
});

test('relabelling a segment like its neighbour merges them; totals follow', () => {
  const t = relabel(table, 1, 'music'); // noEnergy between music and noise becomes music
  assert.equal(t.length, table.length - 1);
  assert.ok(Math.abs(totals(t).get('music')! - 29.08) < 1e-9);
});

test('legend: a click hides a label\'s regions and a second shows them again; the table itself is untouched', () => {
  const table = [{ start: 0, stop: 1, label: 'music' }, { start: 1, stop: 3, label: 'male' }, { start: 3, stop: 4, label: 'music' }, { start: 4, stop: 6, label: 'female' }];
  const copy = JSON.stringify(table);
  let hidden: ReadonlySet<string> = new Set();
  assert.deepEqual(shownIndices(table, hidden), [0, 1, 2, 3]);
  hidden = toggled(hidden, 'music');
  assert.deepEqual(shownIndices(table, hidden), [1, 3], 'indices stay those of the table: keys still relabel the right row');
  hidden = toggled(hidden, 'female');
  assert.deepEqual(shownIndices(table, hidden), [1]);
  hidden = toggled(hidden, 'music');
  assert.deepEqual(shownIndices(table, hidden), [0, 1, 2]);
  assert.equal(JSON.stringify(table), copy);
});

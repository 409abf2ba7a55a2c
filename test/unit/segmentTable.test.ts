import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { formatSegmentCsv, parseSegmentCsv, checkSegments } from '../../pipeline/formats/segmentTable';
import { fixture } from '../helpers';

test('reads inaSpeechSegmenter CSV and writes it back with millisecond times', () => {
  const segs = parseSegmentCsv(fs.readFileSync(fixture('ina', 'musanmix-smn-gender.csv'), 'utf8'));
  assert.equal(segs.length, 12);
  assert.equal(segs[2].label, 'noise');
  assert.ok(Math.abs(segs[2].start - 29.08) < 1e-9 && Math.abs(segs[2].stop - 52.8) < 1e-9);
  const text = formatSegmentCsv(segs);
  assert.match(text, /^labels\tstart\tstop\nmusic\t0\t22.48\nnoEnergy\t22.48\t29.08\n/);
  const back = parseSegmentCsv(text);
  assert.equal(back.length, segs.length);
  back.forEach((b, i) => {
    assert.equal(b.label, segs[i].label);
    assert.ok(Math.abs(b.start - segs[i].start) < 5e-4 && Math.abs(b.stop - segs[i].stop) < 5e-4);
  });
});

test('comma separated tables are accepted too', () => {
  assert.deepEqual(parseSegmentCsv('labels,start,stop\nmale,0,1.5\n'), [{ label: 'male', start: 0, stop: 1.5 }]);
});

test('a table without the expected header names the file and the column', () => {
  assert.throws(() => parseSegmentCsv('a\tb\n1\t2\n', 'x.csv'), /x\.csv: missing column "labels"/);
  assert.throws(() => parseSegmentCsv('labels\tstart\tstop\nmale\t3\t1\n', 'y.csv'), /y\.csv: row 2 has invalid times/);
});

test('checkSegments: overlapping rows are refused naming both, rows past the end are clamped or dropped with a warning, order is restored', () => {
  const seg = (label: string, start: number, stop: number) => ({ label, start, stop });
  assert.throws(() => checkSegments([seg('male', 0, 5), seg('female', 3, 8)], 10, 't.csv'), /t\.csv: row 3 \(female 3-8\) overlaps row 2 \(male 0-5\)/);
  // touching rows (within the millisecond the tables are written in) are not overlaps
  assert.equal(checkSegments([seg('male', 0, 5), seg('female', 4.9996, 8)], 10, 't.csv').segments.length, 2);
  const { segments, warnings } = checkSegments([seg('speech', 9, 12), seg('noEnergy', 0, 9), seg('music', 12, 20)], 10.5, 't.csv');
  assert.deepEqual(segments, [seg('noEnergy', 0, 9), seg('speech', 9, 10.5)]);
  assert.deepEqual(warnings, [
    't.csv: row 2 (speech 9-12) runs past the end of the audio (10.5 s): clamped to 10.5',
    't.csv: row 4 (music 12-20) starts after the end of the audio (10.5 s): ignored',
  ]);
  assert.throws(() => parseSegmentCsv('labels\tstart\tstop\nmale\t-0.5\t2\n', 'n.csv'), /n\.csv: row 2 has invalid times \(-0\.5, 2\)/);
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { formatSegmentCsv, parseSegmentCsv } from '../../pipeline/formats/segmentTable';
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

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { formatTable, readTableFile, type TableFormat } from '../../pipeline/formats/convert';
import { parseRttm } from '../../pipeline/formats/rttm';
import { parseSegmentCsv } from '../../pipeline/formats/segmentTable';
import { parseTextGrid } from '../../pipeline/formats/textGrid';
import type { Segment } from '../../pipeline/segmentation/inaSegmenter';
import { fixture, ROOT, tmpDir } from '../helpers';

const ms = (segs: Segment[]) => segs.map((s) => [s.label, Math.round(s.start * 1000), Math.round(s.stop * 1000)]);
const csv = parseSegmentCsv(fs.readFileSync(fixture('ina', 'musanmix-smn-gender.csv'), 'utf8'));

test("inaSpeechSegmenter's own TextGrid and CSV of musanmix hold the same table, to the millisecond", () => {
  const tg = parseTextGrid(fs.readFileSync(fixture('ina', 'musanmix-smn-gender.TextGrid'), 'utf8'));
  assert.deepEqual(ms(tg).slice(0, -1), ms(csv).slice(0, -1));
  // the TextGrid's xmax is the media duration (74.5 s); the CSV stops at its last 20 ms step
  assert.equal(ms(tg)[11][0], 'noEnergy');
});

for (const format of ['csv', 'audacity', 'textgrid', 'rttm'] as TableFormat[]) {
  test(`${format}: a round trip through the file on disk is lossless to the millisecond`, () => {
    const file = path.join(tmpDir(), `t.${{ csv: 'csv', audacity: 'txt', textgrid: 'TextGrid', rttm: 'rttm' }[format]}`);
    const tricky = [...csv.slice(0, 11), { label: 'male', start: 73.82, stop: 74.5 }]; // RTTM drops a trailing noEnergy
    fs.writeFileSync(file, formatTable(tricky, format, file));
    assert.deepEqual(ms(readTableFile(file)), ms(tricky));
  });
}

test('RTTM: gaps become noEnergy, overlapping turns are cut at the later start', () => {
  const segs = parseRttm('SPEAKER s 1 1.000 2.000 <NA> <NA> A <NA> <NA>\nSPEAKER s 1 2.500 1.000 <NA> <NA> B <NA> <NA>\n', 's.rttm', 5);
  assert.deepEqual(ms(segs), [['noEnergy', 0, 1000], ['A', 1000, 2500], ['B', 2500, 3500], ['noEnergy', 3500, 5000]]);
});

test('malformed tables name the file and the problem', () => {
  const dir = tmpDir();
  const bad = path.join(dir, 'bad.txt');
  fs.writeFileSync(bad, '1.0\tzwei\tmale\n');
  assert.throws(() => readTableFile(bad), /bad\.txt: line 1 is not "start<TAB>end<TAB>label"/);
  fs.writeFileSync(path.join(dir, 'x.TextGrid'), 'hello');
  assert.throws(() => readTableFile(path.join(dir, 'x.TextGrid')), /x\.TextGrid: not a Praat TextGrid/);
  assert.throws(() => readTableFile(path.join(dir, 'x.json')), /unknown segment table format ".json"/);
});

test('sds convert: TextGrid -> Audacity labels -> CSV', () => {
  const dir = tmpDir();
  const cli = (...a: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'convert', ...a], { encoding: 'utf8' });
  const r1 = cli(fixture('ina', 'musanmix-smn-gender.TextGrid'), path.join(dir, 'm.txt'));
  assert.equal(r1.status, 0, r1.stderr);
  assert.match(r1.stdout, /12 segments/);
  assert.equal(cli(path.join(dir, 'm.txt'), path.join(dir, 'm.csv')).status, 0);
  assert.deepEqual(ms(parseSegmentCsv(fs.readFileSync(path.join(dir, 'm.csv'), 'utf8'))).slice(0, -1), ms(csv).slice(0, -1));
});

import assert from 'node:assert/strict';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { writeTable } from '../../pipeline/formats/csvTable';
import { espeak, sdsQuiet as sds, tmpDir } from '../helpers';

test('side files: transcripts beside each clip as .txt and .lab, awkward text kept, cleared ones removed, missing clips named', async () => {
  const dir = tmpDir('sds-side-');
  fs.mkdirSync(path.join(dir, 'clips', 'male'), { recursive: true });
  const text = 'Ça va? "Yes", she said | then\nleft, 東京';
  espeak('Good morning', path.join(dir, 'clips', 'male', 'a_0001.wav'));
  espeak('Good evening', path.join(dir, 'clips', 'male', 'a_0002.wav'));
  const rows = [
    { path: 'clips/male/a_0001.wav', source: 'a', start: '0', end: '1', label: 'male', duration: '1', sample_rate: '16000', transcript: text },
    { path: 'clips/male/a_0002.wav', source: 'a', start: '1', end: '2', label: 'male', duration: '1', sample_rate: '16000', transcript: '' },
    { path: 'clips/male/gone.wav', source: 'a', start: '2', end: '3', label: 'male', duration: '1', sample_rate: '16000', transcript: 'lost' },
  ];
  await writeTable(path.join(dir, 'clips.csv'), rows, CLIP_COLUMNS);
  const r = sds('side-files', '--out', dir, '--ext', 'txt,lab');
  assert.equal(r.status, 1, 'a listed clip missing on disk fails the run');
  assert.match(r.stdout, /gone\.wav: listed in clips\.csv but missing on disk/);
  for (const ext of ['txt', 'lab']) assert.equal(fs.readFileSync(path.join(dir, 'clips', 'male', `a_0001.${ext}`), 'utf8'), 'Ça va? "Yes", she said | then left, 東京\n');
  assert.ok(!fs.existsSync(path.join(dir, 'clips', 'male', 'a_0002.txt')), 'no transcript, no side file');

  await writeTable(path.join(dir, 'clips.csv'), [{ ...rows[0], transcript: '' }, rows[1]], CLIP_COLUMNS);
  const again = sds('side-files', '--out', dir, '--ext', 'lab');
  assert.equal(again.status, 0, again.stdout);
  assert.match(again.stdout, /1 stale side files removed/);
  assert.ok(!fs.existsSync(path.join(dir, 'clips', 'male', 'a_0001.lab')));
  assert.ok(fs.existsSync(path.join(dir, 'clips', 'male', 'a_0001.txt')), 'only the asked extension is touched');
});

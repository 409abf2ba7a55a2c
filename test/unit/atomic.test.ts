import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cleanStaleTemps, produceAtomic, tempPath, writeFileAtomic } from '../../pipeline/util/atomic';
import { tmpDir } from '../helpers';

test('an atomic write leaves only the final file; a failed producer leaves nothing', async () => {
  const dir = tmpDir();
  await writeFileAtomic(path.join(dir, 'a', 'x.csv'), 'hello');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'a')), ['x.csv']);
  await assert.rejects(produceAtomic(path.join(dir, 'a', 'y.wav'), async (tmp) => {
    fs.writeFileSync(tmp, 'half');
    throw new Error('ffmpeg died');
  }), /ffmpeg died/);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'a')), ['x.csv']);
});

test('temp files of dead writers are removed, those of live ones kept', () => {
  const dir = tmpDir();
  fs.mkdirSync(path.join(dir, 'segments'));
  const dead = path.join(dir, 'segments', '.x.csv.999999.abc123.tmp');
  const live = path.join(dir, 'segments', `.y.csv.${process.pid}.abc123.tmp`);
  // a worker on another machine sharing the folder: its pid says nothing here, so its temp file stays
  const elsewhere = path.join(dir, 'segments', '.z.csv.999999@another-host.abc123.tmp');
  const mineDead = path.join(path.dirname(tempPath(path.join(dir, 'segments', 'w.csv'))), path.basename(tempPath(path.join(dir, 'segments', 'w.csv'))).replace(`.${process.pid}@`, '.999999@'));
  for (const f of [dead, live, elsewhere, mineDead]) fs.writeFileSync(f, '');
  cleanStaleTemps(dir);
  assert.ok(!fs.existsSync(dead));
  assert.ok(fs.existsSync(live));
  assert.ok(fs.existsSync(elsewhere), 'another host\'s temp file is left to its writer');
  assert.ok(!fs.existsSync(mineDead), 'a dead writer of this host is cleaned up');
});

import assert from 'node:assert/strict';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { encodeWav } from '../../pipeline/audio/wav';
import { readTable, writeTable } from '../../pipeline/formats/csvTable';
import { lintDataset } from '../../pipeline/stages/lint';
import { CLI, fixture, tmpDir } from '../helpers';

test('lint finds missing, duplicate, clipped, short, noisy and silent clips and mixed rates, naming the rows', async () => {
  const dir = tmpDir('sds-lint-');
  assert.equal(spawnSync(process.execPath, [CLI, 'run', fixture('librispeech'), '--out', dir, '-q']).status, 0);
  const rows = readTable(path.join(dir, 'clips.csv'));
  const good = rows.length;
  const add = (name: string, x: Float32Array, rate = 16000) => {
    const p = `clips/male/${name}.wav`;
    fs.writeFileSync(path.join(dir, p), encodeWav(x, rate));
    rows.push({ path: p, source: 'synthetic', start: '0', end: String(x.length / rate), label: 'male', duration: String(x.length / rate), sample_rate: String(rate) });
  };
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  add('clipped', Float32Array.from({ length: 32000 }, (_, n) => Math.max(-1, Math.min(1, 3 * Math.sin(n / 7)))));
  add('short', Float32Array.from({ length: 8000 }, (_, n) => 0.3 * Math.sin(n / 9)));
  add('noisy', Float32Array.from({ length: 32000 }, (_, n) => 0.1 * Math.sin(n / 9) * (n % 8000 < 4000 ? 1 : 0) + noise()));
  add('silent', new Float32Array(32000));
  add('rate22k', Float32Array.from({ length: 44100 }, (_, n) => 0.3 * Math.sin(n / 9) * (1 + Math.sin(n / 3000))), 22050);
  fs.copyFileSync(path.join(dir, rows[0].path), path.join(dir, 'clips/male/dup.wav'));
  rows.push({ ...rows[0], path: 'clips/male/dup.wav' });
  rows.push({ ...rows[0], path: 'clips/male/gone.wav' });
  await writeTable(path.join(dir, 'clips.csv'), rows, CLIP_COLUMNS);

  const found = lintDataset(dir);
  const at = (name: string) => found.filter((d) => d.path.endsWith(name)).map((d) => d.code);
  assert.deepEqual(at('gone.wav'), ['missing']);
  assert.deepEqual(at('dup.wav'), ['duplicate']);
  assert.ok(at('clipped.wav').includes('clipped'));
  assert.ok(at('short.wav').includes('too-short'));
  assert.ok(at('noisy.wav').includes('low-snr'), JSON.stringify(found.filter((d) => d.path.endsWith('noisy.wav'))));
  assert.deepEqual(at('silent.wav'), ['silent']);
  assert.ok(found.some((d) => d.code === 'mixed-rates' && d.line === 1));
  const dupLine = found.find((d) => d.code === 'duplicate')!;
  assert.equal(dupLine.line, rows.length, 'line numbers point at the row in clips.csv');
  assert.equal(found.filter((d) => d.line >= 2 && d.line < 2 + good).length, 0, `the real clips are clean: ${JSON.stringify(found.filter((d) => d.line < 2 + good))}`);

  const r = spawnSync(process.execPath, [CLI, 'lint', dir], { encoding: 'utf8' });
  assert.equal(r.status, 1, 'a missing clip is an error');
  assert.match(r.stdout, /clips\.csv:\d+: error \[missing\] clips\/male\/gone\.wav/);
  // excluded rows are not linted; without errors, warnings fail only with --strict
  const excluded = readTable(path.join(dir, 'clips.csv')).map((x) => (x.path.endsWith('gone.wav') ? { ...x, excluded: 'yes' } : x));
  await writeTable(path.join(dir, 'clips.csv'), excluded, CLIP_COLUMNS);
  assert.equal(spawnSync(process.execPath, [CLI, 'lint', dir]).status, 0);
  assert.equal(spawnSync(process.execPath, [CLI, 'lint', dir, '--strict']).status, 1);
});

test('lint of a folder without a clip table is an error, not a clean dataset', () => {
  const r = spawnSync(process.execPath, [CLI, 'lint', path.join(tmpDir(), 'no-such-dataset')], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /error \[missing\] clips\.csv: no clip table in .*no-such-dataset: run slice first/);
});

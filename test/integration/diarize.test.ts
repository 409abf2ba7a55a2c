import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { diarizationError } from '../../pipeline/diarization/der';
import { readTable } from '../../pipeline/formats/csvTable';
import { readRttmTurns } from '../../pipeline/formats/rttm';
import { fixture, sdsQuiet as sds, tmpDir } from '../helpers';

const SAMPLE = fixture('diarization', 'sample.wav');
const reference = () => readRttmTurns(fs.readFileSync(fixture('diarization', 'sample.rttm'), 'utf8'));

test('diarize the pyannote sample (two women, overlapping turns) into RTTM: DER <= 20% with a 0.25 s collar', () => {
  const out = path.join(tmpDir('sds-diarize-'), 'sample.rttm');
  const r = sds('diarize', SAMPLE, '--out', out, '--speakers', '2');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /2 speakers \(as asked\)/);
  const hyp = readRttmTurns(fs.readFileSync(out, 'utf8'), out);
  assert.deepEqual([...new Set(hyp.map((t) => t.label))].sort(), ['spk1', 'spk2']);
  const der = diarizationError(reference(), hyp, 0.25);
  assert.ok(der.der <= 0.2, `DER ${(100 * der.der).toFixed(1)}% (missed ${der.missed.toFixed(2)} s, false alarm ${der.falseAlarm.toFixed(2)} s, confusion ${der.confusion.toFixed(2)} s)`);
  // counting automatically is conservative and says so
  const auto = sds('diarize', SAMPLE, '--out', out);
  assert.equal(auto.status, 0, auto.stderr);
  assert.match(auto.stdout, /counted automatically; pass --speakers N/);
});

test('diarize into a dataset: RTTM per source, recorded in sources.csv; slicing then cuts at speaker changes and fills the speaker column', () => {
  const dir = tmpDir('sds-diarize-ds-');
  const junk = path.join(tmpDir('sds-diarize-junk-'), 'notes.wav');
  fs.writeFileSync(junk, 'not audio at all');
  assert.equal(sds('segment', SAMPLE, '--out', dir).status, 0);
  const r = sds('diarize', SAMPLE, junk, '--out', dir, '--speakers', '2');
  assert.equal(r.status, 1, 'a bad file makes the exit code 1');
  assert.match(r.stderr + r.stdout, /notes\.wav: .*not readable as audio/);
  const src = readTable(path.join(dir, 'sources.csv')).find((s) => s.path === SAMPLE)!;
  assert.ok(src.diarization && fs.existsSync(src.diarization), 'the good file still finished');
  const turns = readRttmTurns(fs.readFileSync(src.diarization, 'utf8'));
  assert.ok(turns.length >= 3);

  const again = sds('diarize', SAMPLE, '--out', dir, '--speakers', '2');
  assert.match(again.stdout, /0 processed, 1 up to date/);

  assert.equal(sds('slice', '--out', dir, '--min', '1', '--pad', '0').status, 0);
  const clips = readTable(path.join(dir, 'clips.csv')).filter((c) => c.source === src.id);
  assert.ok(clips.length >= 3, `${clips.length} clips`);
  const speakers = new Set(clips.map((c) => c.speaker));
  assert.deepEqual([...speakers].sort(), [`${src.id}_spk1`, `${src.id}_spk2`]);
  for (const c of clips) {
    const who = c.speaker.slice(src.id.length + 1);
    const inside = turns.some((t) => t.label === who && t.start <= Number(c.start) + 0.001 && Number(c.end) <= t.stop + 0.001);
    assert.ok(inside, `clip ${c.path} (${c.start}-${c.end}) lies inside one turn of ${who}`);
  }

  const two = sds('diarize', SAMPLE, junk, '--out', path.join(dir, 'x.rttm'));
  assert.notEqual(two.status, 0);
  assert.match(two.stderr, /names one RTTM file: give exactly one recording/);
});

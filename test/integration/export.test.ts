import assert from 'node:assert/strict';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import Papa from 'papaparse';
import { readTable, writeTable } from '../../pipeline/formats/csvTable';
import { parseWhere, splitGroups } from '../../pipeline/stages/exportFilter';
import { fixture, sdsQuiet as sds, tmpDir, wavInfo } from '../helpers';

let dir: string;
let rows: ReturnType<typeof readTable>;

before(async () => {
  dir = tmpDir('sds-export-');
  assert.equal(sds('run', fixture('librispeech'), fixture('ina', 'musanmix.wav'), '--out', dir).status, 0);
  rows = readTable(path.join(dir, 'clips.csv'));
  // transcripts with the characters each format has to survive
  const texts = ['Hello, "world" | pipes', 'line one\nline two', 'café naïve – ünïcödé', '', 'plain'];
  rows.forEach((r, i) => (r.transcript = texts[i % texts.length]));
  await writeTable(path.join(dir, 'clips.csv'), rows, CLIP_COLUMNS);
});

test('--where and splits: numeric and text conditions; a speaker never lands in two splits', () => {
  const keep = parseWhere('label=female and duration>2.5');
  assert.equal(keep({ label: 'female', duration: '3' }), true);
  assert.equal(keep({ label: 'female', duration: '2' }), false);
  assert.equal(keep({ label: 'male', duration: '9' }), false);
  assert.throws(() => parseWhere('duration >>> 2'), /cannot read/);
  const d = new Map(Array.from({ length: 20 }, (_, i) => [`spk${i}`, 10 + i] as [string, number]));
  const s = splitGroups(d, [0.8, 0.1, 0.1], ['train', 'validation', 'test']);
  const share = (n: string) => [...s].filter(([, v]) => v === n).reduce((a, [k]) => a + d.get(k)!, 0) / 390;
  assert.ok(Math.abs(share('train') - 0.8) < 0.06 && share('validation') > 0.05 && share('test') > 0.05);
});

test('LJSpeech: metadata.csv splits into id|text|text, every wav exists; pipes and newlines cannot break a row', () => {
  const to = path.join(dir, 'lj');
  const r = sds('export', '--out', dir, '--format', 'ljspeech', '--to', to);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const lines = fs.readFileSync(path.join(to, 'metadata.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, rows.length);
  for (const l of lines) {
    const f = l.split('|');
    assert.equal(f.length, 3, l);
    assert.ok(fs.existsSync(path.join(to, 'wavs', `${f[0]}.wav`)));
  }
  assert.ok(lines.some((l) => l.includes('line one line two')));
  assert.match(r.stdout, /have no transcript/);
});

test('HF audiofolder: each split\'s metadata.csv parses with file_name first and points at real files', () => {
  const to = path.join(dir, 'hf');
  assert.equal(sds('export', '--out', dir, '--format', 'hf-audiofolder', '--to', to, '--split', '0.6,0.2,0.2').status, 0);
  const seen = new Map<string, string>();
  let n = 0;
  for (const split of fs.readdirSync(to)) {
    const parsed = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(to, split, 'metadata.csv'), 'utf8'), { header: true, skipEmptyLines: true });
    assert.equal(parsed.meta.fields![0], 'file_name');
    for (const r of parsed.data) {
      assert.ok(wavInfo(path.join(to, split, r.file_name)).frames > 0);
      assert.ok(!seen.has(r.speaker) || seen.get(r.speaker) === split, `speaker ${r.speaker} in one split`);
      seen.set(r.speaker, split);
      n++;
    }
  }
  assert.equal(n, rows.length);
  const all = fs.readdirSync(to).flatMap((s) => Papa.parse<Record<string, string>>(fs.readFileSync(path.join(to, s, 'metadata.csv'), 'utf8'), { header: true }).data);
  assert.ok(all.some((r) => r.transcription === 'Hello, "world" | pipes'), 'quotes and commas survive CSV quoting');
  assert.ok(all.some((r) => r.transcription === 'café naïve – ünïcödé'));
});

test('NeMo: JSONL manifests with audio_filepath, duration, text; --where filters', () => {
  const to = path.join(dir, 'nemo');
  assert.equal(sds('export', '--out', dir, '--format', 'nemo', '--to', to, '--where', 'label=female').status, 0);
  const items = fs.readFileSync(path.join(to, 'train_manifest.json'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(items.length, rows.filter((r) => r.label === 'female').length);
  for (const it of items) {
    assert.ok(path.isAbsolute(it.audio_filepath) && fs.existsSync(it.audio_filepath));
    assert.equal(typeof it.duration, 'number');
    assert.equal(typeof it.text, 'string');
  }
});

test('Kaldi: sorted files, utterance ids prefixed by speaker, spk2utt the inverse of utt2spk', () => {
  const to = path.join(dir, 'kaldi');
  assert.equal(sds('export', '--out', dir, '--format', 'kaldi', '--to', to, '--split', '0.8,0.2').status, 0);
  for (const split of fs.readdirSync(to)) {
    const read = (f: string) => fs.readFileSync(path.join(to, split, f), 'utf8').trimEnd().split('\n').map((l) => l.split(' '));
    const wav = read('wav.scp');
    const utt2spk = read('utt2spk');
    const ids = wav.map((l) => l[0]);
    assert.deepEqual(ids, [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'C-sorted');
    for (const f of ['text', 'utt2spk', 'utt2dur', 'segments']) assert.deepEqual(read(f).map((l) => l[0]), ids, `${f} lists the same utterances`);
    for (const [utt, spk] of utt2spk) assert.ok(utt.startsWith(`${spk}-`));
    const inverse = new Map<string, string[]>();
    for (const [utt, spk] of utt2spk) inverse.set(spk, [...(inverse.get(spk) ?? []), utt]);
    for (const [spk, ...utts] of read('spk2utt')) assert.deepEqual(utts, inverse.get(spk));
    for (const [, p] of wav) assert.ok(fs.existsSync(p));
  }
});

test('a clip deleted on disk is reported by name, the rest is exported', async () => {
  const copy = tmpDir('sds-export-missing-');
  fs.cpSync(dir, copy, { recursive: true });
  fs.rmSync(path.join(copy, rows[0].path));
  const r = sds('export', '--out', copy, '--format', 'nemo', '--to', path.join(copy, 'n'));
  assert.equal(r.status, 1);
  assert.ok(r.stdout.includes(`${rows[0].path} is listed in clips.csv but missing on disk`));
  assert.equal(fs.readFileSync(path.join(copy, 'n', 'train_manifest.json'), 'utf8').trimEnd().split('\n').length, rows.length - 1);
});

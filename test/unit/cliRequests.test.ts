import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseCommand } from '../../cli/parseCommand';
import { ROOT } from '../helpers';

/**
 * The requests command lines build, recorded before the CLI is generated from the stage registry: after any change
 * to how commands are parsed, the same lines must build the same requests (or the snapshot is regenerated with
 * SDS_UPDATE_SNAPSHOTS=1 and the difference explained in the commit).
 */
const LINES = [
  'segment in.wav --out ds',
  'segment a.wav b/ --out ds --engine silero --no-gender --jobs 3',
  'segment in.wav --out ds --gender-method pitch --on vocals',
  'slice --out ds --labels male,female --min 1.5 --max 15 --pad 0.1 --merge-gap 0.3',
  'slice --out ds --sources 0001_a,0002_b --on vocals',
  'run test/fixtures/ina/musanmix.wav --out demo-out -q',
  'run in --out ds --engine sm --min 2 --wait',
  'clean --out ds',
  'clean --out ds --preset seed',
  'clean --out ds --preset podcast --loudness -16',
  'clean --out ds --lowpass 5000 --lowpass-db-oct 36 --highpass 80 --dehum 60 --denoise gate --true-peak -1.5',
  'clean --out ds --no-loudness --denoise model.onnx',
  'clean --out ds --sources',
  'clean --out ds --sources 0001_a,0003_c',
  'lint ds',
  'lint ds --strict --min 1 --max 20 --min-snr 10 --loudness -16',
  'export --out ds --format ljspeech',
  'export --out ds --format hf-audiofolder --to out --split 0.9,0.05,0.05 --by speaker',
  'export --out ds --format kaldi --where label=female and snr>20',
  'speaker enroll --out ds --name anna a.wav b.wav@1.5-9',
  'speaker enroll --out ds --name anna --auto long.wav',
  'speaker score --out ds --ref anna --min-sim 0.7',
  'speaker score --out ds --ref anna --auto-threshold',
  'speaker split --out ds --speakers 3',
  'speaker split --out ds --speakers auto --min-sim 0.8',
  'diarize talk.wav --out talk.rttm --speakers 2',
  'diarize a.wav b.wav --out ds --speakers auto --window 2.5 --hop 0.5',
  'transcribe --out ds --model models/whisper --language en --beam 5 --timestamps --overwrite',
  'transcribe --out ds',
  'side-files --out ds --ext txt,.lab',
  'tone train --data a b --out models/tone-x.onnx',
  'tone train --data a --out models/t.onnx --corpus ravdess --emotions neutral,angry,sad --features seed --normalise global --epochs 60 --hidden 256,64 --alpha 0.01 --dropout 0.3 --seed 1 --patience 5 --checkpoint-every 10',
  'tone benchmark --model m.onnx --data a b --by-speaker --folds 4 --report r.md',
  'tone classify --model m.onnx --out ds --min-prob 0.6 --place copy',
  'tone selftrain --model m.onnx --data a --pool p q --threshold 0.9 --to m2.onnx',
  'ingest --out ds https://h/a.mp3 local.wav --urls list.txt --rss https://h/feed.xml --limit 5 --since 2024-01-01 --max-size 2G --link --via http',
  'separate --out ds a.wav --model repet --stems vocals,accompaniment',
  'separate --out ds',
  'convert a.csv b.TextGrid',
  'models list',
  'models add m.onnx --task speaker --name spk --sample-rate 16000 --licence MIT',
  '--help',
];

const ERRORS = [
  'segment x.wav',
  'slice --out ds --engine silero',
  'segment --out ds',
  'speaker enroll --out ds a.wav',
  'speaker score --out ds',
  'speaker frobnicate --out ds',
  'tone train --out x.onnx',
  'tone frobnicate --out ds',
  'export --out ds',
  'diarize --out ds',
  'frobnicate --out ds',
  'convert a.csv',
  'slice --out ds --min abc',
  'slice --out ds --jobs=abc',
  'slice --out ds --bogus',
];

/** Splits like a shell would for these lines: the only quoted value is --where's. */
const argv = (line: string) => {
  const where = / --where (.*)$/.exec(line);
  const head = where ? line.slice(0, where.index) : line;
  return [...head.split(' '), ...(where ? ['--where', where[1]] : [])];
};

function record(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of LINES) out[line] = parseCommand(argv(line));
  for (const line of ERRORS) {
    try {
      out[line] = { unexpected: parseCommand(argv(line)) };
    } catch (e) {
      out[line] = { error: (e as Error).message };
    }
  }
  return JSON.parse(JSON.stringify(out));
}

test('command lines build the recorded requests, and their usage errors say the recorded things', () => {
  const file = path.join(ROOT, 'test', 'unit', 'snapshots', 'cli-requests.json');
  const now = record();
  if (process.env.SDS_UPDATE_SNAPSHOTS) fs.writeFileSync(file, JSON.stringify(now, null, 1) + '\n');
  assert.deepEqual(now, JSON.parse(fs.readFileSync(file, 'utf8')));
  for (const line of ERRORS) assert.ok('error' in (now[line] as object), `${line} is refused`);
  // options may come before the command, as parseArgs reads them
  assert.deepEqual(parseCommand(['--out', 'ds', 'slice', '--min', '2']), parseCommand(['slice', '--out', 'ds', '--min', '2']));
  assert.deepEqual(parseCommand(['--out', 'ds', 'speaker', 'score', '--ref', 'anna']), parseCommand(['speaker', 'score', '--out', 'ds', '--ref', 'anna']));
});

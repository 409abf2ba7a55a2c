/** Diarization figures for `npm run eval`: DER on the shared sample and on conversations built from held-out readers. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeWav } from '../pipeline/audio/wav';
import { diarizeFile } from '../pipeline/diarization/diarize';
import { diarizationError, type DerResult } from '../pipeline/diarization/der';
import { readRttmTurns } from '../pipeline/formats/rttm';
import { SpeakerEncoder } from '../pipeline/models/speakerEncoder';
import { PatchClassifier } from '../pipeline/segmentation/patchClassifier';
import { SAME_SPEAKER_MIN_SIM } from '../pipeline/stages/speaker';
import { conversation, CONVERSATION_RATE } from './conversations';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const row = (name: string, r: DerResult, speakers: string) =>
  `| ${name} | ${speakers} | ${pct(r.der)} | ${r.missed.toFixed(2)} | ${r.falseAlarm.toFixed(2)} | ${r.confusion.toFixed(2)} | ${r.scored.toFixed(1)} |`;

export async function evalDiarization(shared: string): Promise<void> {
  const enc = await SpeakerEncoder.open();
  const cnn = await PatchClassifier.open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sds-eval-diarize-'));
  console.log('## Diarization (tone_color_se windows of 2.5 s every 0.5 s, centred, clustered; DER with a 0.25 s collar, md-eval rules)\n');
  console.log('| recording | speakers | DER | missed s | false alarm s | confusion s | scored s |');
  console.log('|---|---|---|---|---|---|---|');
  const sample = path.join(shared, 'diarization', 'sample.wav');
  const ref = readRttmTurns(fs.readFileSync(path.join(shared, 'diarization', 'sample.rttm'), 'utf8'));
  for (const speakers of [2, undefined]) {
    const d = await diarizeFile(sample, enc, cnn, { speakers, sameSpeakerMinSim: SAME_SPEAKER_MIN_SIM });
    console.log(row('diarization/sample.wav (two women, 30 s)', diarizationError(ref, d.turns, 0.25), speakers ? 'given: 2' : `auto: ${d.speakers}`));
    if (speakers) console.log(row('same, no collar', diarizationError(ref, d.turns, 0), 'given: 2'));
  }
  const train = path.join(shared, 'librispeech', 'train-clean-100');
  const readers = fs.readFileSync(path.join(train, 'speakers.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const bySex = { F: readers.filter((r) => r[2] === 'F'), M: readers.filter((r) => r[2] === 'M') };
  const pairs: [string[], string[], string][] = [];
  for (let i = 0; i < 4; i++) pairs.push([bySex.F[2 * i], bySex.F[2 * i + 1], 'F+F'], [bySex.M[2 * i], bySex.M[2 * i + 1], 'M+M']);
  for (let i = 0; i < 2; i++) pairs.push([bySex.F[8 + i], bySex.M[8 + i], 'F+M']);
  const totals = { given: { err: 0, scored: 0 }, auto: { err: 0, scored: 0 } };
  let autoRight = 0;
  for (const [i, [a, b, kind]] of pairs.entries()) {
    const conv = await conversation([[path.join(train, a[0])], [path.join(train, b[0])]], i + 1);
    const wav = path.join(dir, `conv${i}.wav`);
    fs.writeFileSync(wav, encodeWav(conv.audio, CONVERSATION_RATE));
    const given = await diarizeFile(wav, enc, cnn, { speakers: 2, sameSpeakerMinSim: SAME_SPEAKER_MIN_SIM });
    const auto = await diarizeFile(wav, enc, cnn, { sameSpeakerMinSim: SAME_SPEAKER_MIN_SIM });
    const r = diarizationError(conv.turns, given.turns, 0.25);
    const ra = diarizationError(conv.turns, auto.turns, 0.25);
    totals.given.err += r.der * r.scored;
    totals.given.scored += r.scored;
    totals.auto.err += ra.der * ra.scored;
    totals.auto.scored += ra.scored;
    if (auto.speakers === 2) autoRight++;
    console.log(row(`readers ${a[1]} + ${b[1]} (${kind}, ${conv.turns.length} turns)`, r, `given: 2 (auto: ${auto.speakers}, DER ${pct(ra.der)})`));
  }
  console.log(`\nHeld-out conversations (${pairs.length}, train-clean-100 readers): DER ${pct(totals.given.err / totals.given.scored)} with the count given, ` +
    `${pct(totals.auto.err / totals.auto.scored)} with it counted automatically (right count in ${autoRight} of ${pairs.length}).\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  await cnn.release();
  await enc.release();
}

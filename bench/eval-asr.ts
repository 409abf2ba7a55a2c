/**
 * Speech-to-text figures (`EVAL_ONLY=asr npm run eval`): word error rate of whisper-tiny and whisper-base on
 * LibriSpeech test-other (the references ../shared has), on RAVDESS's two known sentences (neutral takes, 16 actors),
 * and on sentences espeak-ng says; repetition loops on every test-other file. No setting was chosen on these files
 * except the no-speech rule's ln 0.5 (see docs/models.md).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readClip } from '../pipeline/audio/readClip';
import { longestRepeat } from '../pipeline/asr/decodeRules';
import { wordErrors } from '../pipeline/asr/wer';
import { WhisperModel } from '../pipeline/asr/whisper';
import { resolveAsrModel } from '../pipeline/stages/transcribe';

/** Harvard sentences (IEEE 1969), said by espeak-ng's default English voice */
const ESPEAK = ['The birch canoe slid on the smooth planks.', 'Glue the sheet to the dark blue background.', 'It is easy to tell the depth of a well.',
  'These days a chicken leg is a rare dish.', 'Rice is often served in round bowls.', 'The juice of lemons makes fine punch.',
  'The box was thrown beside the parked truck.', 'The hogs were fed chopped corn and garbage.', 'Four hours of steady work faced us.', 'A large size in stockings is hard to sell.'];
const RAVDESS_TEXT: Record<string, string> = { '01': 'Kids are talking by the door', '02': 'Dogs are sitting by the door' };

interface Item { file: string; ref?: string }

function corpora(shared: string): Record<string, Item[]> {
  const other = path.join(shared, 'librispeech', 'test-other');
  const refs = new Map(fs.readFileSync(path.join(other, 'transcripts.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t') as [string, string]));
  const allOther = fs.readdirSync(other).filter((d) => /^\d+$/.test(d)).flatMap((d) => fs.readdirSync(path.join(other, d)).map((f) => `${d}/${f}`)).sort();
  const rav = path.join(shared, 'emotion', 'ravdess');
  const ravdess = fs.readdirSync(rav).filter((d) => d.startsWith('Actor_')).sort().flatMap((d) => fs.readdirSync(path.join(rav, d))
    .filter((f) => /^03-01-01-01-0[12]-01-\d\d\.flac$/.test(f)).map((f) => ({ file: path.join(rav, d, f), ref: RAVDESS_TEXT[f.split('-')[4]] })));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sds-eval-asr-'));
  const espeak = ESPEAK.map((text, i) => {
    const file = path.join(tmp, `h${i}.wav`);
    execFileSync('espeak-ng', ['-v', 'en', '-w', file, text]);
    return { file, ref: text };
  });
  return {
    'LibriSpeech test-other (1688-142285-0000..0002)': [...refs].map(([f, ref]) => ({ file: path.join(other, f), ref })),
    'RAVDESS neutral statements (16 actors x 2)': ravdess,
    'espeak-ng Harvard sentences': espeak,
    'test-other, all 30 files (loops)': allOther.map((f) => ({ file: path.join(other, f) })),
  };
}

export async function evalAsr(shared: string): Promise<void> {
  const sets = corpora(shared);
  console.log('## Speech-to-text (Whisper, temperature fallback, language given: en)\n');
  console.log('| model | decoding | set | clips | words | WER | flagged | longest repeated n-gram | x real time |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const name of (process.env.EVAL_ASR_MODELS ?? 'whisper-tiny,whisper-base').split(',')) {
    const model = await WhisperModel.open(resolveAsrModel(name));
    for (const beam of (process.env.EVAL_ASR_BEAMS ?? '1,5').split(',').map(Number))
    for (const [set, items] of Object.entries(sets)) {
      if (beam > 1 && !items.some((it) => it.ref)) continue; // loops are a greedy decoder's problem
      let errors = 0;
      let words = 0;
      let flagged = 0;
      let audio = 0;
      let longest = '';
      const t0 = Date.now();
      for (const it of items) {
        const a = await readClip(it.file, 16000);
        audio += a.length / 16000;
        const t = await model.transcribe(a, { language: 'en', beam });
        if (t.flag) flagged++;
        const rep = longestRepeat(t.text);
        if (rep.length > longest.length) longest = rep;
        if (it.ref) {
          const e = wordErrors(it.ref, t.text);
          errors += e.errors;
          words += e.words;
          if (process.env.EVAL_ASR_VERBOSE) console.error(`${path.basename(it.file)}\t${e.errors}/${e.words}\t${t.text}`);
        }
      }
      const secs = (Date.now() - t0) / 1000;
      console.log(`| ${name} | ${beam > 1 ? `beam ${beam}` : 'greedy'} | ${set} | ${items.length} | ${words || '-'} | ${words ? `${((100 * errors) / words).toFixed(1)}% (${errors})` : '-'} | ${flagged} | ${longest ? `"${longest}"` : 'none'} | ${(audio / secs).toFixed(1)}x |`);
    }
    await model.release();
  }
  console.log('\nWER normalised as pipeline/asr/wer.ts does (case, punctuation, "mr" = "mister", numbers as words). Flagged: no-speech, repetition or uncertain.\n');
}

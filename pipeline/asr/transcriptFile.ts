import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic';
import { transcriptPathOf } from './transcriptPath';
import type { Transcript } from './whisper';
import { UNCERTAIN_WORD_P, type Word } from './wordAlign';

/** What a clip's transcript file holds (transcripts/<clip>.json), beside the clip's path. */
export interface TranscriptFile {
  model: string;
  language?: string;
  text: string;
  words: Word[];
  segments: Transcript['segments'];
  flag: Transcript['flag'] | null;
  avgLogprob?: number;
  noSpeechProb?: number;
  compressionRatio?: number;
  temperature?: number;
}

export function writeTranscript(dir: string, clipPath: string, t: TranscriptFile): Promise<void> {
  return writeFileAtomic(path.join(dir, transcriptPathOf(clipPath)), JSON.stringify({ clip: clipPath, ...t }, null, 1) + '\n');
}

/** A machine transcript's columns in clips.csv: the text, marked asr, and how sure the model was of its words. */
export function asrFields(text: string, words: Word[] | undefined, model: string, flag?: Transcript['flag']): Record<string, string> {
  return {
    transcript: text, text_source: 'asr', asr_model: model,
    // mean word probability: the clip table marks the uncertain words, and sorts by this
    asr_confidence: words?.length ? (words.reduce((a, w) => a + w.p, 0) / words.length).toFixed(3) : '',
    asr_flag: flag ?? '',
    asr_uncertain: words ? String(words.filter((w) => w.p < UNCERTAIN_WORD_P).length) : '',
  };
}

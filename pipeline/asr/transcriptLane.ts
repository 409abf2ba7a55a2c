import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../dataset';
import { transcriptPathOf } from './transcriptPath';
import { UNCERTAIN_WORD_P, type Word } from './wordAlign';

/** A caption of the timeline's transcript lane, in seconds of the source: a word, or a clip's whole typed text. */
export interface LaneItem {
  start: number;
  end: number;
  text: string;
  uncertain?: boolean;
}

/** Past this many words a lane shows each clip's text instead (thousands of word captions would bog the view down). */
export const LANE_MAX_WORDS = 2000;

const cache = new Map<string, { mtimeMs: number; text: string; words: Word[] }>();

function wordsOf(file: string): { text: string; words: Word[] } | undefined {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return undefined;
  const hit = cache.get(file);
  if (hit?.mtimeMs === st.mtimeMs) return hit;
  try {
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as { text?: string; words?: Word[] };
    const v = { mtimeMs: st.mtimeMs, text: j.text ?? '', words: j.words ?? [] };
    cache.set(file, v);
    return v;
  } catch {
    return undefined;
  }
}

/**
 * The transcripts of one source's clips on the source's time line: each machine transcript word by word (clip start +
 * word time) while the clip still holds the text the words were timed for, else the clip's text over its span.
 */
export function transcriptLane(datasetDir: string, sourceId: string): LaneItem[] {
  const clips = new Dataset(datasetDir).readClips().filter((r) => r.source === sourceId && (r.transcript ?? '').trim());
  const items: LaneItem[] = [];
  const whole: LaneItem[] = [];
  for (const r of clips) {
    const start = Number(r.start);
    const end = Number(r.end);
    whole.push({ start, end, text: r.transcript });
    const t = r.text_source === 'asr' ? wordsOf(path.join(datasetDir, transcriptPathOf(r.path))) : undefined;
    if (t && t.text === r.transcript && t.words.length) {
      for (const w of t.words) items.push({ start: start + w.start, end: Math.min(end, start + Math.max(w.end, w.start + 0.02)), text: w.word, ...(w.p < UNCERTAIN_WORD_P ? { uncertain: true } : {}) });
    } else items.push({ start, end, text: r.transcript });
  }
  return items.length > LANE_MAX_WORDS ? whole : items;
}

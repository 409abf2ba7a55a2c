import { Dataset } from '../dataset';
import { clipWords } from './sourceWords';
import { UNCERTAIN_WORD_P } from './wordAlign';

/** A caption of the timeline's transcript lane, in seconds of the source: a word, or a clip's whole typed text. */
export interface LaneItem {
  start: number;
  end: number;
  text: string;
  uncertain?: boolean;
}

/** Past this many words a lane shows each clip's text instead (thousands of word captions would bog the view down). */
export const LANE_MAX_WORDS = 2000;

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
    const words = clipWords(datasetDir, r);
    if (words) for (const w of words) items.push({ start: w.start, end: w.end, text: w.word, ...(w.p < UNCERTAIN_WORD_P ? { uncertain: true } : {}) });
    else items.push({ start, end, text: r.transcript });
  }
  return items.length > LANE_MAX_WORDS ? whole : items;
}

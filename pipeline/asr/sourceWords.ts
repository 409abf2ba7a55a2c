import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Row } from '../formats/csvTable';
import { writeFileAtomic } from '../util/atomic';
import { transcriptPathOf } from './transcriptPath';
import type { Word } from './wordAlign';

/** A machine word on its source's time line (seconds of the source), with the clip it was heard in. */
export interface SourceWord extends Word {
  clip: string;
}

const cache = new Map<string, { mtimeMs: number; text: string; words: Word[] }>();

/** A clip's transcript file (transcripts/<clip>.json): its text and words, read once per change of the file. */
export function transcriptOf(file: string): { text: string; words: Word[] } | undefined {
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
 * The machine words of a clip (clip start + word time), while its row still holds the text they were timed for: once a
 * person has edited the text, the words describe audio the text no longer says.
 */
export function clipWords(datasetDir: string, r: Row): SourceWord[] | undefined {
  if (r.text_source !== 'asr' || !(r.transcript ?? '').trim()) return undefined;
  const t = transcriptOf(path.join(datasetDir, transcriptPathOf(r.path)));
  if (!t || t.text !== r.transcript || !t.words.length) return undefined;
  const start = Number(r.start);
  const end = Number(r.end);
  return t.words.map((w) => ({ ...w, start: start + w.start, end: Math.min(end, start + Math.max(w.end, w.start + 0.02)), clip: r.path }));
}

/**
 * Every machine word of these clips (one source's) on the source's time line, in time order. Clips overlap by their
 * padding, so a word heard at the end of one clip and the start of the next is kept once (the one heard further from
 * a clip edge, where the model had context on both sides).
 */
export function sourceWords(datasetDir: string, clips: Row[]): SourceWord[] {
  const all: (SourceWord & { edge: number })[] = [];
  for (const r of clips) {
    const ws = clipWords(datasetDir, r) ?? [];
    for (const w of ws) all.push({ ...w, edge: Math.min(w.start - Number(r.start), Number(r.end) - w.end) });
  }
  all.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: (SourceWord & { edge: number })[] = [];
  for (const w of all) {
    const last = out[out.length - 1];
    const overlap = last ? Math.min(last.end, w.end) - Math.max(last.start, w.start) : 0;
    if (last && last.clip !== w.clip && overlap > 0.5 * Math.min(last.end - last.start, w.end - w.start)) {
      if (w.edge > last.edge) out[out.length - 1] = w;
      continue;
    }
    out.push(w);
  }
  return out.map(({ edge: _edge, ...w }) => w);
}

/** Where a source's word time line is kept: beside the clips' transcripts, under the source's id. */
export const wordTimelineFile = (datasetDir: string, sourceId: string) => path.join(datasetDir, 'transcripts', 'sources', `${sourceId}.json`);

/**
 * A source's words on its time line, for cutting between them: the kept time line, and the words of clips with
 * machine transcripts where it has none. Kept, because the words of a source's audio do not move: cutting between
 * them again (after the clips cut anew were transcribed, their words timed a step apart) cuts where it cut before.
 * Removing the file times the words afresh from the clips' current transcripts.
 */
export function wordTimeline(datasetDir: string, sourceId: string, clips: Row[]): SourceWord[] {
  let kept: SourceWord[] = [];
  try {
    kept = (JSON.parse(fs.readFileSync(wordTimelineFile(datasetDir, sourceId), 'utf8')) as { words: SourceWord[] }).words ?? [];
  } catch {
    // none yet (or unreadable: it is rebuilt from the clips)
  }
  const uncovered = clips.filter((r) => !kept.some((w) => w.end > Number(r.start) && w.start < Number(r.end)));
  return [...kept, ...sourceWords(datasetDir, uncovered)].sort((a, b) => a.start - b.start || a.end - b.end);
}

export async function saveWordTimeline(datasetDir: string, sourceId: string, words: SourceWord[]): Promise<void> {
  const file = wordTimelineFile(datasetDir, sourceId);
  const text = JSON.stringify({ source: sourceId, words }, null, 1) + '\n';
  if ((await fs.promises.readFile(file, 'utf8').catch(() => undefined)) !== text) await writeFileAtomic(file, text);
}

import * as path from 'node:path';

export type Corpus = 'ravdess' | 'emodb' | 'tess' | 'savee' | 'folders';
export const CORPORA: Corpus[] = ['ravdess', 'emodb', 'tess', 'savee', 'folders'];

/** One labelled training file: its emotion in RAVDESS's vocabulary and who speaks (for speaker-independent folds). */
export interface LabelledFile {
  file: string;
  emotion: string;
  speaker: string;
  corpus: Corpus;
}

const RAVDESS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
const EMODB: Record<string, string> = { W: 'angry', L: 'boredom', E: 'disgust', A: 'fearful', F: 'happy', T: 'sad', N: 'neutral' };
const TESS: Record<string, string> = { angry: 'angry', disgust: 'disgust', fear: 'fearful', happy: 'happy', neutral: 'neutral', ps: 'surprised', sad: 'sad' };
const SAVEE: Record<string, string> = { a: 'angry', d: 'disgust', f: 'fearful', h: 'happy', n: 'neutral', sa: 'sad', su: 'surprised' };

/** `03-01-05-01-02-01-12.wav`: modality, channel (01 speech), emotion, intensity, statement, repetition, actor. */
function ravdess(file: string): LabelledFile | undefined {
  const m = /^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$/.exec(stem(file));
  const emotion = m && RAVDESS[Number(m[3]) - 1];
  return m && emotion ? { file, emotion, speaker: `ravdess-${m[7]}`, corpus: 'ravdess' } : undefined;
}

/** `03a01Wa.wav`: speaker 03, text a01, emotion W (Wut), version a. */
function emodb(file: string): LabelledFile | undefined {
  const m = /^(\d\d)([a-z]\d\d)([WLEAFTN])([a-z])$/.exec(stem(file));
  return m ? { file, emotion: EMODB[m[3]], speaker: `emodb-${m[1]}`, corpus: 'emodb' } : undefined;
}

/** `OAF_back_angry.wav`, `YAF_dog_ps.wav`: speaker OAF/YAF, word, emotion. */
function tess(file: string): LabelledFile | undefined {
  const m = /^([A-Za-z]+)_[A-Za-z]+_([A-Za-z]+)$/.exec(stem(file));
  const emotion = m && TESS[m[2].toLowerCase()];
  return m && emotion ? { file, emotion, speaker: `tess-${m[1].toUpperCase()}`, corpus: 'tess' } : undefined;
}

/** `DC_sa03.wav`, or `DC/sa03.wav` as the corpus ships: speaker DC, emotion sa (sadness). */
function savee(file: string): LabelledFile | undefined {
  const m = /^(?:([A-Z]{2})_)?(sa|su|a|d|f|h|n)\d\d$/.exec(stem(file));
  const speaker = m?.[1] ?? (/^[A-Z]{2}$/.test(path.basename(path.dirname(file))) ? path.basename(path.dirname(file)) : undefined);
  return m && speaker ? { file, emotion: SAVEE[m[2]], speaker: `savee-${speaker}`, corpus: 'savee' } : undefined;
}

/** `<root>/<emotion>/clip.wav`, or `<root>/<speaker>/<emotion>/clip.wav` when clips are grouped by speaker too. */
function folders(file: string, root: string): LabelledFile | undefined {
  const rel = path.relative(root, file).split(path.sep);
  if (rel.length < 2) return undefined;
  const emotion = rel[rel.length - 2].toLowerCase();
  const speaker = rel.length >= 3 ? rel[rel.length - 3] : `file-${stem(file)}`;
  return { file, emotion, speaker, corpus: 'folders' };
}

function stem(file: string): string {
  return path.basename(file, path.extname(file));
}

const PARSERS: Record<Exclude<Corpus, 'folders'>, (f: string) => LabelledFile | undefined> = { ravdess, emodb, tess, savee };

/**
 * The label and speaker of a file from its name (or, for `folders`, its folder). With no corpus given, the corpus
 * naming schemes are tried in turn and the emotion folder is the fallback.
 */
export function labelFile(file: string, root: string, corpus?: Corpus): LabelledFile | undefined {
  if (corpus === 'folders') return folders(file, root);
  if (corpus) return PARSERS[corpus](file);
  for (const parse of Object.values(PARSERS)) {
    const l = parse(file);
    if (l) return l;
  }
  return folders(file, root);
}

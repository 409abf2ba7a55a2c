import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { slug } from '../dataset';
import { SEGMENT_LABELS } from '../formats/segmentTable';

/** A clips.csv path as the stages compare them: forward slashes, no `./`, `..` resolved where it stays inside. */
export const normalRel = (rel: string) => path.posix.normalize(rel.split(path.sep).join('/').replace(/\\/g, '/'));

export interface OwnedClip {
  /** where the file sits: `clips/` as slice wrote it, or `rejected/clips/` after speaker score moved it */
  prefix: '' | 'rejected/';
  label: string;
  n: number;
}

/**
 * Whether `rel` names a clip that slice wrote for source `source` (`[rejected/]clips/<label>/<source>_<nnnn>.wav`):
 * the only files a re-slice may replace or remove. Anything else a row points at is the user's.
 */
export function ownedClip(rel: string, source: string): OwnedClip | undefined {
  const m = /^(rejected\/)?clips\/([^/]+)\/([^/]+)_(\d{4,})\.wav$/.exec(normalRel(rel));
  if (!m || m[3] !== source || !(SEGMENT_LABELS as readonly string[]).includes(m[2])) return undefined;
  return { prefix: (m[1] ?? '') as OwnedClip['prefix'], label: m[2], n: Number(m[4]) };
}

/** Where a dataset-relative path lies: inside the dataset folder, or outside it (`../x`, an absolute path). */
export const insideDataset = (rel: string) => {
  const n = normalRel(rel);
  return !path.isAbsolute(rel) && !path.posix.isAbsolute(n) && n !== '..' && !n.startsWith('../');
};

/**
 * The cleaned file for a clip row's path, always under clean/ and never the input itself: `clips/a/b.wav` ->
 * `clean/a/b.wav` (as before), another path in the dataset keeps its folders under clean/, and a file outside the
 * dataset gets a name from its own plus a hash of its path (two such files never share one output).
 */
export function cleanPathFor(rel: string): string {
  const n = normalRel(rel);
  if (!insideDataset(rel)) return `clean/external/${slug(n)}-${createHash('sha1').update(n).digest('hex').slice(0, 8)}.wav`;
  const inner = n.startsWith('clips/') ? n.slice('clips/'.length) : n;
  return `clean/${inner.replace(/\.[^./]+$/, '')}.wav`;
}

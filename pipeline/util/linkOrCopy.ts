import * as fs from 'node:fs';
import * as path from 'node:path';

/** Places `src` at `dest` as a hard link (no second copy of the audio), or a copy across filesystems. */
export function linkOrCopy(src: string, dest: string): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.rmSync(dest, { force: true });
  try {
    fs.linkSync(src, dest);
  } catch {
    fs.copyFileSync(src, dest);
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256File } from '../util/hash';
import { writeFileAtomic } from '../util/atomic';

/**
 * Content hashes of the files stages read, remembered by size and time stamp (as sources.csv remembers the
 * originals'), so a pipeline rerun with nothing changed reads no audio: only a file that changed is hashed again.
 * A missing file hashes to `missing`.
 */
export class FileHashes {
  private entries: Record<string, [number, number, string]>;
  private changed = false;

  constructor(private readonly file: string) {
    try {
      this.entries = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      this.entries = {};
    }
  }

  async of(file: string): Promise<string> {
    const abs = path.resolve(file);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st?.isFile()) return 'missing';
    const known = this.entries[abs];
    const mtime = Math.round(st.mtimeMs);
    if (known && known[0] === st.size && known[1] === mtime) return known[2];
    const sha = await sha256File(abs);
    this.entries[abs] = [st.size, mtime, sha];
    this.changed = true;
    return sha;
  }

  async save(): Promise<void> {
    if (!this.changed) return;
    // forget files that are gone, so the cache does not grow with every re-slice
    for (const f of Object.keys(this.entries)) if (!fs.existsSync(f)) delete this.entries[f];
    await writeFileAtomic(this.file, JSON.stringify(this.entries));
    this.changed = false;
  }
}

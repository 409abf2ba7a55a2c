import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTable, writeTable, type Row } from './formats/csvTable';
import { sha256File } from './util/hash';
import { writeFileAtomic } from './util/atomic';

export const AUDIO_EXTENSIONS = new Set([
  'wav', 'wave', 'flac', 'mp3', 'ogg', 'oga', 'opus', 'm4a', 'aac', 'wma', 'aif', 'aiff', 'caf', 'amr', 'ac3', 'webm',
  'mka', 'mp4', 'mkv', 'mov', 'avi', 'm4v', 'mpg', 'mpeg', 'ts', '3gp', 'wv', 'ape',
]);

export const SOURCE_COLUMNS = ['id', 'path', 'sha256', 'size', 'mtime', 'duration', 'sample_rate', 'channels'];
/** clips.csv's first columns; stages add theirs after these. */
export const CLIP_COLUMNS = ['path', 'source', 'start', 'end', 'label', 'duration', 'sample_rate'];

/** The dataset folder's layout (docs/dataset.md): one place that knows where each artefact lives. */
export class Dataset {
  constructor(readonly dir: string) {}
  get sourcesCsv() { return path.join(this.dir, 'sources.csv'); }
  get clipsCsv() { return path.join(this.dir, 'clips.csv'); }
  segmentsCsv(id: string) { return path.join(this.dir, 'segments', `${id}.csv`); }
  /** Log energy per 20 ms step, written by segment, read by slice to cut long clips at their quietest point. */
  energyFile(id: string) { return path.join(this.dir, '.sds', 'energy', `${id}.f32`); }
  clipFile(label: string, id: string, n: number) {
    return path.join(this.dir, 'clips', label, `${id}_${String(n).padStart(4, '0')}.wav`);
  }
  private doneFile(stage: string, id: string) { return path.join(this.dir, '.sds', 'done', stage, id); }

  /** True when `stage` already finished `id` with this exact key (input hash + config hash). */
  isDone(stage: string, id: string, key: string): boolean {
    try {
      return fs.readFileSync(this.doneFile(stage, id), 'utf8') === key;
    } catch {
      return false;
    }
  }

  markDone(stage: string, id: string, key: string): Promise<void> {
    return writeFileAtomic(this.doneFile(stage, id), key);
  }

  readSources(): Row[] {
    return readTable(this.sourcesCsv);
  }

  writeSources(rows: Row[]): Promise<void> {
    return writeTable(this.sourcesCsv, rows, SOURCE_COLUMNS);
  }

  /**
   * Gives each input a stable, safe id (`0007_my_show_ep_3`), hashing only files whose size or mtime changed.
   * The original path is kept verbatim in sources.csv; nothing is renamed or copied.
   */
  async register(files: string[]): Promise<Row[]> {
    const rows = this.readSources();
    const byPath = new Map(rows.map((r) => [r.path, r]));
    let nextIndex = rows.reduce((m, r) => Math.max(m, parseInt(r.id, 10) || 0), 0) + 1;
    const out: Row[] = [];
    for (const file of files) {
      const abs = path.resolve(file);
      const st = fs.statSync(abs);
      let row = byPath.get(abs);
      if (!row) {
        row = { id: `${String(nextIndex++).padStart(4, '0')}_${slug(abs)}`, path: abs };
        rows.push(row);
        byPath.set(abs, row);
      }
      if (row.size !== String(st.size) || row.mtime !== String(Math.round(st.mtimeMs))) {
        row.sha256 = await sha256File(abs);
        row.size = String(st.size);
        row.mtime = String(Math.round(st.mtimeMs));
      }
      out.push(row);
    }
    await this.writeSources(rows);
    return out;
  }
}

/** ASCII-only, lower case, at most 40 characters: safe on every filesystem, shell and training script. */
export function slug(file: string): string {
  const base = path.basename(file, path.extname(file));
  const s = base.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return (s || 'audio').slice(0, 40).replace(/_+$/, '');
}

/**
 * Expands files and folders (recursively) into audio/video files, skipping hidden entries and the dataset folder
 * `exclude` (its clips, stems and exports are outputs), except the dataset's own `sources/` (what ingest brought in).
 */
export function expandInputs(inputs: string[], exclude?: string): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const ex = exclude ? path.resolve(exclude) : undefined;
  const inside = (abs: string, dir: string) => abs === dir || abs.startsWith(dir + path.sep);
  const walk = (p: string) => {
    const abs = path.resolve(p);
    if (ex && inside(abs, ex) && !inside(abs, path.join(ex, 'sources')) && !path.join(ex, 'sources').startsWith(abs + path.sep)) return;
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      missing.push(p);
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(abs).sort()) if (!e.startsWith('.')) {
        const child = path.join(abs, e);
        if (fs.statSync(child).isDirectory() || AUDIO_EXTENSIONS.has(path.extname(e).slice(1).toLowerCase())) walk(child);
      }
    } else files.push(abs);
  };
  inputs.forEach(walk);
  return { files: [...new Set(files)], missing };
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { clipsBySource, readClipTable, readTable, writeTable, type Row } from './formats/csvTable';
import { overlayClips, overlaySources, pipelineOrder, readRowFiles, updateRowFile, type RowFile, type RowScope } from './plan/rowFiles';
import { sha256File } from './util/hash';
import { writeFileAtomic } from './util/atomic';

export const AUDIO_EXTENSIONS = new Set([
  'wav', 'wave', 'flac', 'mp3', 'ogg', 'oga', 'opus', 'm4a', 'aac', 'wma', 'aif', 'aiff', 'caf', 'amr', 'ac3', 'webm',
  'mka', 'mp4', 'mkv', 'mov', 'avi', 'm4v', 'mpg', 'mpeg', 'ts', '3gp', 'wv', 'ape',
]);

export const SOURCE_COLUMNS = ['id', 'path', 'sha256', 'size', 'mtime', 'duration', 'sample_rate', 'channels'];
/** clips.csv's first columns; stages add theirs after these. */
export const CLIP_COLUMNS = ['path', 'source', 'start', 'end', 'label', 'duration', 'sample_rate'];

/**
 * The dataset folder's layout (docs/dataset.md): one place that knows where each artefact lives, and the one reader
 * and writer of its tables. With `rows` (a worker's or a shard's view, plan/rowFiles.ts) the tables are read with the
 * row files not yet folded over them, and writing them writes the row files of the sources in scope instead.
 */
export class Dataset {
  /** the row files as this view last read or wrote them (only its own scope's change while it lives) */
  private rowFiles?: RowFile[];
  constructor(readonly dir: string, readonly rows?: RowScope) {}
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
    return this.doneRecord(stage, id, key) !== undefined;
  }

  /**
   * What `markDone` stored with that key ('' when nothing), or undefined when `id` is not done with it: a stage whose
   * results live in a shared table keeps them here too, so a run killed before the table was written resumes.
   */
  doneRecord(stage: string, id: string, key: string): string | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.doneFile(stage, id), 'utf8');
    } catch {
      return undefined;
    }
    return text === key ? '' : text.startsWith(key + '\n') ? text.slice(key.length + 1) : undefined;
  }

  markDone(stage: string, id: string, key: string, record?: string): Promise<void> {
    return writeFileAtomic(this.doneFile(stage, id), record === undefined ? key : `${key}\n${record}`);
  }

  readSources(): Row[] {
    const rows = readTable(this.sourcesCsv);
    return this.rows ? overlaySources(rows, this.pending()) : rows;
  }

  async writeSources(rows: Row[]): Promise<void> {
    if (!this.rows) return writeTable(this.sourcesCsv, rows, SOURCE_COLUMNS);
    for (const r of rows) if (this.rows.has(r.id)) await this.writeRowFile(r.id, { row: r });
  }

  /** clips.csv's rows (refused when edited into a shape the stages cannot read). */
  readClips(): Row[] {
    const rows = readClipTable(this.clipsCsv);
    return this.rows ? overlayClips(rows, this.pending()) : rows;
  }

  async writeClips(rows: Row[]): Promise<void> {
    if (!this.rows) return writeTable(this.clipsCsv, rows, CLIP_COLUMNS);
    const now = clipsBySource(rows);
    const before = clipsBySource(this.readClips());
    // a source in scope whose clips are all gone gets an empty list, not its old rows
    for (const id of new Set([...now.keys(), ...before.keys()])) if (this.rows.has(id)) await this.writeRowFile(id, { clips: now.get(id) ?? [] });
  }

  private pending(): RowFile[] {
    return (this.rowFiles ??= readRowFiles(this.dir));
  }

  private async writeRowFile(source: string, part: Pick<RowFile, 'row' | 'clips'>): Promise<void> {
    const next = await updateRowFile(this.dir, this.rows!, source, part);
    const files = this.pending().filter((f) => !(f.stage === next.stage && f.source === source));
    files.push(next);
    this.rowFiles = files.sort(pipelineOrder);
  }

  /**
   * Gives each input a stable, safe id (`0007_my_show_ep_3`), hashing only files whose size or mtime changed.
   * The original path is kept verbatim in sources.csv; nothing is renamed or copied. A view with `rows` hashes and
   * returns only the sources in its scope (the others get their ids all the same, so every shard agrees on them).
   */
  async register(files: string[], onError?: (file: string, e: unknown) => void): Promise<Row[]> {
    // new ids follow the folded table alone, never another share's row files: every share gives a file the same id
    const table = readTable(this.sourcesCsv);
    const rows = this.rows ? overlaySources(table, this.pending()) : table;
    const byPath = new Map(rows.map((r) => [r.path, r]));
    const folded = new Set(table.map((r) => r.path));
    let nextIndex = table.reduce((m, r) => Math.max(m, parseInt(r.id, 10) || 0), 0) + 1;
    const out: Row[] = [];
    let changed = false;
    for (const file of files) {
      const abs = path.resolve(file);
      try {
        const st = fs.statSync(abs);
        const fresh = folded.has(abs) ? undefined : `${String(nextIndex++).padStart(4, '0')}_${slug(abs)}`;
        let row = byPath.get(abs);
        if (this.rows && !this.rows.has(row?.id ?? fresh!)) continue;
        const sha256 = row?.size === String(st.size) && row.mtime === String(Math.round(st.mtimeMs)) ? row.sha256 : await sha256File(abs);
        if (!row) {
          row = { id: fresh!, path: abs };
          rows.push(row);
          byPath.set(abs, row);
        }
        const now = { sha256, size: String(st.size), mtime: String(Math.round(st.mtimeMs)) };
        if (Object.entries(now).some(([k, v]) => row![k] !== v)) changed = true;
        Object.assign(row, now);
        out.push(row);
      } catch (e) {
        // one unreadable file is reported by the caller; the others are registered
        if (!onError) throw e;
        onError(file, e);
      }
    }
    // unchanged, the table is left alone (a pipeline rerun registers every source again)
    if (changed) await this.writeSources(rows);
    return out;
  }
}

/** ASCII-only, lower case, at most 40 characters: safe on every filesystem, shell and training script. */
export function slug(file: string): string {
  const base = path.basename(file, path.extname(file));
  const s = base.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return (s || 'audio').slice(0, 40).replace(/_+$/, '');
}

/** An input that could not be taken, and why (a dangling link, a loop, a folder or file that cannot be read). */
export interface BadEntry {
  file: string;
  error: string;
}

/**
 * Expands files and folders (recursively) into audio/video files, skipping hidden entries and the dataset folder
 * `exclude` (its clips, stems and exports are outputs), except the dataset's own `sources/` (what ingest brought in).
 * Folders are walked once each (a link back to one already walked is a loop, named in `loops`); an entry that
 * cannot be read goes to `bad` with the reason, and the walk goes on.
 */
export function expandInputs(inputs: string[], exclude?: string): { files: string[]; missing: string[]; bad: BadEntry[]; loops: BadEntry[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const bad: BadEntry[] = [];
  const loops: BadEntry[] = [];
  const walked = new Set<string>();
  const ex = exclude ? path.resolve(exclude) : undefined;
  const inside = (abs: string, dir: string) => abs === dir || abs.startsWith(dir + path.sep);
  const walk = (p: string, top: boolean) => {
    const abs = path.resolve(p);
    if (ex && inside(abs, ex) && !inside(abs, path.join(ex, 'sources')) && !path.join(ex, 'sources').startsWith(abs + path.sep)) return;
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (top && code === 'ENOENT' && !isLink(abs)) missing.push(p);
      else bad.push({ file: p, error: `${p}: ${code === 'ENOENT' ? `dangling symbolic link (to ${linkTarget(abs)})` : code === 'ELOOP' ? 'symbolic link loop' : code === 'EACCES' ? 'permission denied' : (e as Error).message}` });
      return;
    }
    if (st.isDirectory()) {
      const real = fs.realpathSync(abs);
      if (walked.has(real)) {
        loops.push({ file: p, error: `${p}: links back to ${real}, already walked: skipped` });
        return;
      }
      walked.add(real);
      let entries: string[];
      try {
        entries = fs.readdirSync(abs).sort();
      } catch (e) {
        bad.push({ file: p, error: `${p}: cannot list this folder (${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message})` });
        return;
      }
      for (const e of entries) {
        if (e.startsWith('.')) continue;
        const child = path.join(abs, e);
        if (worthWalking(child)) walk(child, false);
      }
    } else if (!st.isFile()) bad.push({ file: p, error: `${p}: not a regular file` });
    else {
      try {
        fs.accessSync(abs, fs.constants.R_OK);
        files.push(abs);
      } catch {
        bad.push({ file: p, error: `${p}: permission denied (cannot read it)` });
      }
    }
  };
  for (const i of inputs) walk(i, true);
  return { files: [...new Set(files)], missing, bad, loops };
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function linkTarget(p: string): string {
  try {
    return fs.readlinkSync(p);
  } catch {
    return '?';
  }
}

/** Media files, folders, links to folders, and links that cannot be followed (walk names those). */
function worthWalking(child: string): boolean {
  if (AUDIO_EXTENSIONS.has(path.extname(child).slice(1).toLowerCase())) return true;
  let l: fs.Stats;
  try {
    l = fs.lstatSync(child);
  } catch {
    return true;
  }
  if (l.isDirectory()) return true;
  if (!l.isSymbolicLink()) return false;
  try {
    return fs.statSync(child).isDirectory();
  } catch {
    return true;
  }
}

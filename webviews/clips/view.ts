import { UNCERTAIN_WORD_P, type Word } from '../../pipeline/asr/wordAlign';
import { parseWhere } from '../../pipeline/stages/exportFilter';
import { escapeHtml } from '../escapeHtml';

export type Row = Record<string, string>;

/** A column the table shows: its header, the cell text, and the value it sorts by. */
export interface Column {
  key: string;
  title: string;
  width: number;
  text: (r: Row) => string;
  sort: (r: Row) => string | number;
}

const num = (v: string | undefined) => (v === undefined || v === '' || !Number.isFinite(Number(v)) ? Number.NEGATIVE_INFINITY : Number(v));
const base = (p: string) => p.split('/').pop() ?? p;

/** The columns worth showing for this table: the fixed ones, then metrics and scores where the table has them. */
export function columnsFor(fields: string[]): Column[] {
  const cols: Column[] = [
    { key: 'path', title: 'clip', width: 200, text: (r) => base(r.path ?? ''), sort: (r) => r.path ?? '' },
    { key: 'label', title: 'label', width: 70, text: (r) => r.label ?? '', sort: (r) => r.label ?? '' },
    { key: 'duration', title: 's', width: 50, text: (r) => (r.duration ? Number(r.duration).toFixed(1) : ''), sort: (r) => num(r.duration) },
  ];
  if (fields.includes('lufs')) cols.push({ key: 'lufs', title: 'LUFS', width: 55, text: (r) => r.lufs ?? '', sort: (r) => num(r.lufs) });
  if (fields.includes('snr')) cols.push({ key: 'snr', title: 'SNR', width: 50, text: (r) => r.snr ?? '', sort: (r) => num(r.snr) });
  if (fields.includes('emotion')) cols.push({ key: 'emotion', title: 'emotion', width: 110, text: (r) => (r.emotion ? `${r.emotion} ${Number(r.emotion_prob || 0).toFixed(2)}` : ''), sort: (r) => `${r.emotion ?? ''}${(1 - num(r.emotion_prob)).toFixed(4)}` });
  for (const f of fields.filter((x) => x.startsWith('similarity_'))) cols.push({ key: f, title: f.slice(11), width: 70, text: (r) => (r[f] ? Number(r[f]).toFixed(2) : ''), sort: (r) => num(r[f]) });
  if (fields.includes('asr_confidence')) cols.push({ key: 'asr_confidence', title: 'conf', width: 50, text: (r) => r.asr_confidence ?? '', sort: (r) => num(r.asr_confidence) });
  if (fields.includes('speaker')) cols.push({ key: 'speaker', title: 'speaker', width: 70, text: (r) => r.speaker ?? '', sort: (r) => r.speaker ?? '' });
  return cols;
}

/**
 * Which rows to show, in what order (indices into the table). The filter is export's --where syntax
 * (`label=female and snr>20`); text without an operator matches clip names and transcripts instead.
 */
export function visibleRows(rows: Row[], filter: string, sortBy: Column | undefined, descending: boolean): { order: number[]; error?: string } {
  let keep: (r: Row) => boolean = () => true;
  let error: string | undefined;
  const f = filter.trim();
  if (f && /[<>=]/.test(f)) {
    try {
      keep = parseWhere(f);
    } catch (e) {
      error = (e as Error).message.replace(/^--where: /, '');
    }
  } else if (f) {
    const needle = f.toLowerCase();
    keep = (r) => (r.path ?? '').toLowerCase().includes(needle) || (r.transcript ?? '').toLowerCase().includes(needle);
  }
  const order = rows.map((_, i) => i).filter((i) => keep(rows[i]));
  if (sortBy) {
    const key = (i: number) => sortBy.sort(rows[i]);
    order.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return (descending ? -c : c) || a - b;
    });
  }
  return { order, error };
}

/** The slice of rows a scroll position shows, with some overscan so fast scrolling does not flash. */
export function windowOf(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 6): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first, last };
}

/** The header row's markup: column names come from clips.csv's header, so they are escaped like every cell. */
export function headHtml(columns: Column[], waveWidth: number, sortBy: Column | undefined, descending: boolean): string {
  const arrow = (key: string) => (sortBy?.key === key ? (descending ? ' ▾' : ' ▴') : '');
  return `<span class="cell play"></span><span class="cell wave" style="width:${waveWidth}px"></span>` +
    columns.map((c) => `<span class="cell sortable" data-key="${escapeHtml(c.key)}" style="width:${c.width}px">${escapeHtml(c.title)}${arrow(c.key)}</span>`).join('') +
    `<span class="cell transcript sortable" data-key="transcript">transcript${arrow('transcript')}</span><span class="cell flag"></span>`;
}

/** A machine transcript worth checking: a flag (no speech, a loop, improbable), or words the model was unsure of. */
export function uncertain(r: Row): boolean {
  return r.text_source === 'asr' && (!!r.asr_flag || Number(r.asr_uncertain) > 0);
}

/**
 * The words of a machine transcript as spans laid behind its text box: uncertain ones underlined, the one being
 * spoken highlighted, the text between them (spaces, a "." Whisper split off) as it is. Undefined when the box no
 * longer holds the text the words were timed for (a person edited it).
 */
export function wordsHtml(text: string, words: Word[], spoken = -1): string | undefined {
  if (!words.length) return undefined;
  const out: string[] = [];
  let at = 0;
  for (const [i, w] of words.entries()) {
    const k = text.indexOf(w.word, at);
    if (k < 0 || text.slice(at, k).trim()) return undefined;
    out.push(escapeHtml(text.slice(at, k)), `<span class="w${w.p < UNCERTAIN_WORD_P ? ' uncertain' : ''}${i === spoken ? ' spoken' : ''}" data-i="${i}">${escapeHtml(w.word)}</span>`);
    at = k + w.word.length;
  }
  return text.slice(at).trim() ? undefined : out.join('') + escapeHtml(text.slice(at));
}

/** The word being spoken at `t` seconds into the clip, or -1 between words. */
export function spokenAt(words: Word[], t: number): number {
  return words.findIndex((w) => t >= w.start && t < Math.max(w.end, w.start + 0.05));
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import Papa from 'papaparse';
import { Dataset } from '../dataset';
import type { Row } from '../formats/csvTable';
import { writeFileAtomic } from '../util/atomic';
import { linkOrCopy } from '../util/linkOrCopy';
import { parseWhere, splitGroups } from './exportFilter';
import type { StageReport } from './types';
import type { EXPORT_FORMATS } from './engines';

export type ExportFormat = (typeof EXPORT_FORMATS)[number]['name'];

export interface ExportOptions {
  format: ExportFormat;
  /** destination folder; default <dataset>/export/<format> */
  to?: string;
  /** fractions for train, validation, test; [1] = no split */
  split: number[];
  /** column that groups clips that must stay in one split (default: speaker, else source) */
  by: string;
  where?: string;
}

const SPLIT_NAMES = ['train', 'validation', 'test'];

interface Item {
  id: string;
  audio: string;
  text: string;
  speaker: string;
  duration: number;
  row: Row;
}

/**
 * Writes the dataset in a format training code reads. Audio is the cleaned clip when there is one, else the raw
 * clip; files are hard-linked (copied across filesystems). Excluded rows and rows the filter rejects are left out;
 * clips missing on disk are reported, never silently dropped.
 */
/** Where an export goes: --to, or <dataset>/export/<format>. */
export const exportFolder = (dir: string, opts: Pick<ExportOptions, 'to' | 'format'>) => path.resolve(opts.to ?? path.join(dir, 'export', opts.format));

export async function runExport(dir: string, opts: ExportOptions): Promise<StageReport> {
  const ds = new Dataset(dir);
  const to = exportFolder(dir, opts);
  const report: StageReport = { stage: 'export', processed: 0, skipped: 0, failed: [], summary: [] };
  const keep = parseWhere(opts.where);
  const items: Item[] = [];
  let noText = 0;
  for (const row of ds.readClips()) {
    if (row.excluded === 'yes' || !keep(row)) {
      report.skipped++;
      continue;
    }
    const rel = row.clean_path || row.path;
    const audio = path.join(dir, rel);
    if (!fs.existsSync(audio)) {
      report.failed.push({ file: audio, error: `${rel} is listed in clips.csv but missing on disk` });
      continue;
    }
    const text = (row.transcript ?? '').replace(/\s+/g, ' ').trim();
    if (!text) noText++;
    const speaker = (row[opts.by] || row.speaker || row.source || 'unknown').replace(/[^\w.-]+/g, '_');
    items.push({ id: path.basename(rel, path.extname(rel)), audio, text, speaker, duration: Number(row.duration) || 0, row });
  }
  const names = SPLIT_NAMES.slice(0, opts.split.length);
  const durations = new Map<string, number>();
  for (const it of items) durations.set(it.speaker, (durations.get(it.speaker) ?? 0) + it.duration);
  const splitOf = opts.split.length > 1 ? splitGroups(durations, opts.split, names) : new Map([...durations.keys()].map((k) => [k, 'train']));
  const bySplit = new Map<string, Item[]>();
  for (const it of items) bySplit.set(splitOf.get(it.speaker)!, [...(bySplit.get(splitOf.get(it.speaker)!) ?? []), it]);

  fs.mkdirSync(to, { recursive: true });
  await WRITERS[opts.format](to, bySplit, opts.split.length > 1);
  report.processed = items.length;
  report.summary = [
    `${items.length} clips exported as ${opts.format} to ${to}`,
    ...[...bySplit].map(([s, its]) => `${s}: ${its.length} clips, ${(its.reduce((a, i) => a + i.duration, 0) / 60).toFixed(1)} min, ${new Set(its.map((i) => i.speaker)).size} speakers`),
    ...(noText ? [`${noText} clips have no transcript (exported with empty text)`] : []),
  ];
  return report;
}

type Writer = (to: string, bySplit: Map<string, Item[]>, split: boolean) => Promise<void>;

const WRITERS: Record<ExportFormat, Writer> = {
  /** LJSpeech: wavs/<id>.wav and metadata.csv `id|text|normalized text`, no header; pipes cannot be escaped there. */
  ljspeech: async (to, bySplit, split) => {
    const line = (i: Item) => { const t = i.text.replace(/\|/g, ' '); return `${i.id}|${t}|${t}`; };
    const all = [...bySplit.values()].flat();
    for (const i of all) linkOrCopy(i.audio, path.join(to, 'wavs', `${i.id}.wav`));
    await writeFileAtomic(path.join(to, 'metadata.csv'), all.map(line).join('\n') + '\n');
    if (split) for (const [s, its] of bySplit) await writeFileAtomic(path.join(to, `metadata_${s}.csv`), its.map(line).join('\n') + '\n');
  },
  /** Hugging Face audiofolder: <split>/<file>.wav with <split>/metadata.csv (file_name first), read by load_dataset. */
  'hf-audiofolder': async (to, bySplit, split) => {
    for (const [s, its] of bySplit) {
      const base = split ? path.join(to, s) : to;
      for (const i of its) linkOrCopy(i.audio, path.join(base, `${i.id}.wav`));
      const extra = ['label', 'source', 'start', 'end', 'lufs', 'snr', 'emotion', 'emotion_prob'];
      const rows = its.map((i) => [`${i.id}.wav`, i.text, i.speaker, i.duration, ...extra.map((c) => i.row[c] ?? '')]);
      await writeFileAtomic(path.join(base, 'metadata.csv'), Papa.unparse({ fields: ['file_name', 'transcription', 'speaker', 'duration', ...extra], data: rows }, { newline: '\n' }) + '\n');
    }
  },
  /** NeMo: one JSON object per line with audio_filepath (absolute), duration, text. */
  nemo: async (to, bySplit) => {
    for (const [s, its] of bySplit) {
      const lines = its.map((i) => JSON.stringify({ audio_filepath: path.resolve(i.audio), duration: i.duration, text: i.text, speaker: i.speaker }));
      await writeFileAtomic(path.join(to, `${s}_manifest.json`), lines.join('\n') + '\n');
    }
  },
  /**
   * Kaldi data dir per split: wav.scp, text, utt2spk, spk2utt, utt2dur, and segments over the clips, every file
   * sorted in C order with utterance ids prefixed by the speaker (as utils/validate_data_dir.sh wants).
   */
  kaldi: async (to, bySplit, split) => {
    for (const [s, its] of bySplit) {
      const base = split ? path.join(to, s) : to;
      const utts = its.map((i) => ({ ...i, utt: `${i.speaker}-${i.id}` })).sort((a, b) => (a.utt < b.utt ? -1 : a.utt > b.utt ? 1 : 0));
      const write = (name: string, lines: string[]) => writeFileAtomic(path.join(base, name), lines.join('\n') + '\n');
      await write('wav.scp', utts.map((u) => `${u.utt} ${path.resolve(u.audio)}`));
      await write('segments', utts.map((u) => `${u.utt} ${u.utt} 0.00 ${u.duration.toFixed(2)}`));
      await write('text', utts.map((u) => `${u.utt} ${u.text}`.trimEnd()));
      await write('utt2spk', utts.map((u) => `${u.utt} ${u.speaker}`));
      await write('utt2dur', utts.map((u) => `${u.utt} ${u.duration.toFixed(3)}`));
      const spk = new Map<string, string[]>();
      for (const u of utts) spk.set(u.speaker, [...(spk.get(u.speaker) ?? []), u.utt]);
      await write('spk2utt', [...spk.keys()].sort().map((k) => `${k} ${spk.get(k)!.join(' ')}`));
    }
  },
};

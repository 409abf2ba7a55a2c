import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../dataset';
import type { Row } from '../formats/csvTable';
import { parseSegmentCsv } from '../formats/segmentTable';
import type { Segment } from '../segmentation/inaSegmenter';
import { readState, type PipelineState } from '../plan/state';

/**
 * What the dataset report shows (report.html, the VS Code webview): made from sources.csv, clips.csv, the segment
 * tables and the pipeline's state, by a pure function; webviews/report/ draws it.
 */
export interface ReportData {
  dataset: string;
  totals: { sources: number; clips: number; kept: number; hours: number };
  labels: { label: string; clips: number; hours: number }[];
  /** seconds of every kept clip */
  durations: number[];
  /** before (the raw cut) and after cleaning, per kept clip that was cleaned */
  loudness: { before: number[]; after: number[] };
  snr: { before: number[]; after: number[] };
  emotions: { emotion: string; clips: number; share: number; hours: number }[];
  similarity: { who: string; values: number[]; threshold?: number }[];
  transcripts: { asr: number; human: number; none: number };
  sources: { id: string; path: string; duration: number; speechShare: number; clips: number; failures: string[]; excluded: number; why: Record<string, number> }[];
}

const SPEECH = new Set(['male', 'female', 'speech']);
const num = (v: string | undefined) => (v === undefined || v === '' ? NaN : Number(v));
const finite = (xs: number[]) => xs.filter(Number.isFinite);

export function reportData(dataset: string, sources: Row[], clips: Row[], segments: Map<string, Segment[]>, state: PipelineState): ReportData {
  const kept = clips.filter((c) => c.excluded !== 'yes');
  const hours = (rows: Row[]) => rows.reduce((s, r) => s + (num(r.duration) || 0), 0) / 3600;
  const group = <K extends string>(rows: Row[], key: (r: Row) => K) => {
    const m = new Map<K, Row[]>();
    for (const r of rows) {
      const k = key(r);
      const mine = m.get(k);
      if (mine) mine.push(r);
      else m.set(k, [r]);
    }
    return m;
  };
  const cleaned = kept.filter((c) => c.clean_path);
  const bySource = group(clips, (c) => c.source);
  const emotions = [...group(kept.filter((c) => c.emotion), (c) => c.emotion)].map(([emotion, rs]) => ({ emotion, clips: rs.length, share: rs.length / Math.max(1, kept.filter((c) => c.emotion).length), hours: hours(rs) }));
  const simColumns = [...new Set(clips.flatMap((c) => Object.keys(c).filter((k) => k.startsWith('similarity_'))))];
  const similarity = simColumns.map((col) => {
    const cut = clips.map((c) => new RegExp(`^${col}<(-?[\\d.]+)$`).exec(c.rejected_by ?? '')?.[1]).find(Boolean);
    return { who: col.slice('similarity_'.length), values: finite(clips.map((c) => num(c[col]))), ...(cut ? { threshold: Number(cut) } : {}) };
  });
  const failuresOf = (id: string) => Object.entries(state.stages).flatMap(([stage, rec]) => {
    const s = rec.sources[id];
    return s && 'failed' in s ? [`${stage}: ${s.failed}`] : [];
  });
  return {
    dataset,
    totals: { sources: sources.length, clips: clips.length, kept: kept.length, hours: hours(kept) },
    labels: [...group(kept, (c) => c.label)].map(([label, rs]) => ({ label, clips: rs.length, hours: hours(rs) })).sort((a, b) => b.hours - a.hours),
    durations: finite(kept.map((c) => num(c.duration))),
    loudness: { before: finite(cleaned.map((c) => num(c.raw_lufs))), after: finite(cleaned.map((c) => num(c.lufs))) },
    snr: { before: finite(cleaned.map((c) => num(c.raw_snr))), after: finite(cleaned.map((c) => num(c.snr))) },
    emotions: emotions.sort((a, b) => b.clips - a.clips),
    similarity,
    transcripts: {
      human: kept.filter((c) => c.text_source === 'human' && c.transcript?.trim()).length,
      asr: kept.filter((c) => c.text_source !== 'human' && c.transcript?.trim()).length,
      none: kept.filter((c) => !c.transcript?.trim()).length,
    },
    sources: sources.map((s) => {
      const mine = bySource.get(s.id) ?? [];
      const segs = segments.get(s.id) ?? [];
      const duration = num(s.duration) || segs[segs.length - 1]?.stop || 0;
      const speech = segs.filter((x) => SPEECH.has(x.label)).reduce((t, x) => t + x.stop - x.start, 0);
      const excluded = mine.filter((c) => c.excluded === 'yes');
      const why: Record<string, number> = {};
      for (const c of excluded) {
        const reason = c.rejected_by ? c.rejected_by.replace(/<.*$/, ' below threshold') : 'by hand';
        why[reason] = (why[reason] ?? 0) + 1;
      }
      return { id: s.id, path: s.path, duration, speechShare: duration ? speech / duration : 0, clips: mine.length, failures: failuresOf(s.id), excluded: excluded.length, why };
    }),
  };
}

/** The report's data as the dataset folder holds it now. */
export function collectReport(dir: string): ReportData {
  const ds = new Dataset(dir);
  const sources = ds.readSources();
  const segments = new Map<string, Segment[]>();
  for (const s of sources) {
    try {
      segments.set(s.id, parseSegmentCsv(fs.readFileSync(ds.segmentsCsv(s.id), 'utf8'), ds.segmentsCsv(s.id)));
    } catch {
      /* not segmented (yet), or a table the timeline will name: the report shows no speech share */
    }
  }
  return reportData(path.basename(path.resolve(dir)), sources, ds.readClips(), segments, readState(dir));
}

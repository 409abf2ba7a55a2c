import type { Seg } from './timeline/tableEdits';

/** Extension -> timeline webview: always a full snapshot, so the view never drifts from the document. */
export interface TimelineSnapshot {
  type: 'snapshot';
  segments: Seg[];
  /** webview URI of the audio (asWebviewUri); absent when the source cannot be found or is outside the workspace */
  audioUrl?: string;
  /** webview URI of the cached peaks JSON (pipeline/audio/peaks.ts) */
  peaksUrl?: string;
  /** webview URI of the cached spectrogram JSON (pipeline/audio/spectrogram.ts); absent for files over 15 min */
  spectrogramUrl?: string;
  duration: number;
  labels: string[];
  title: string;
  notice?: string;
  /** the audio shown: the source itself, or the vocals stem `sds separate` wrote (same times) */
  stem: 'mixture' | 'vocals';
  /** true when the source has a vocals stem to switch to */
  hasVocals: boolean;
  /** the transcript lane: the words (or typed texts) of this source's clips, in source seconds */
  lane: { start: number; end: number; text: string; uncertain?: boolean }[];
}

/** Timeline webview -> extension. The webview never writes files: edits come back as a whole new table. */
export type TimelineMessage =
  | { type: 'ready' }
  | { type: 'edit'; segments: Seg[]; description: string }
  | { type: 'reslice' }
  | { type: 'enroll'; start: number; stop: number }
  | { type: 'stem'; stem: 'mixture' | 'vocals' };

export const TIMELINE_LABELS = ['male', 'female', 'music', 'noise', 'noEnergy', 'speech'];

/** Extension -> clip table webview: the whole of clips.csv, with what the view needs to play and flag rows. */
export interface ClipsSnapshot {
  type: 'clips';
  columns: string[];
  rows: Record<string, string>[];
  /** webview URI of the dataset folder, ending in '/': a clip plays from baseUrl + its path */
  baseUrl: string;
  /** row index -> why it is flagged (lint findings in the Problems panel, clips missing on disk) */
  flags: Record<number, string>;
  notice?: string;
}

/** Clip table webview -> extension: a transcript typed for the clip at `path` (rows are keyed by path). */
export type ClipsMessage =
  | { type: 'ready' }
  | { type: 'transcript'; path: string; text: string }
  /** Ctrl+S / Cmd+S typed in a transcript box: save the table once the text typed so far is in it */
  | { type: 'save' };

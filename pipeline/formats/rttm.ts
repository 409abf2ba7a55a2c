import * as path from 'node:path';
import type { Segment } from '../segmentation/inaSegmenter';
import { fillGaps } from './segmentTable';

/**
 * RTTM speaker turns: `SPEAKER <file> 1 <start> <duration> <NA> <NA> <label> <NA> <NA>`. noEnergy is left out (RTTM
 * lists what is there); reading fills the gaps back with noEnergy, so a round trip is lossless.
 */
export function formatRttm(segments: Segment[], fileId: string): string {
  const id = fileId.replace(/\s+/g, '_');
  return segments.filter((s) => s.label !== 'noEnergy')
    .map((s) => `SPEAKER ${id} 1 ${s.start.toFixed(3)} ${(s.stop - s.start).toFixed(3)} <NA> <NA> ${s.label.replace(/\s+/g, '_')} <NA> <NA>`).join('\n') + '\n';
}

/** RTTM SPEAKER lines as they are (overlapping turns kept, sorted by start): what diarization is scored on. */
export function readRttmTurns(text: string, file = '<rttm>'): Segment[] {
  const out: Segment[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'SPEAKER') return;
    const start = Number(f[3]);
    const dur = Number(f[4]);
    if (!Number.isFinite(start) || !Number.isFinite(dur) || dur < 0 || !f[7]) throw new Error(`${file}: line ${i + 1} is not an RTTM SPEAKER line`);
    out.push({ label: f[7], start, stop: Math.round((start + dur) * 1000) / 1000 });
  });
  return out.sort((a, b) => a.start - b.start);
}

export function parseRttm(text: string, file = '<rttm>', duration?: number): Segment[] {
  const out = readRttmTurns(text, file);
  // overlapping turns (two people at once) cannot live in a contiguous table: the later start wins
  for (let i = 1; i < out.length; i++) if (out[i].start < out[i - 1].stop) out[i - 1].stop = out[i].start;
  return fillGaps(out.filter((s) => s.stop > s.start), duration);
}

export const rttmFileId = (file: string) => path.basename(file, path.extname(file));

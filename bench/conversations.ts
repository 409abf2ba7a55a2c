/**
 * Conversations built from single-reader recordings, for diarization and speaker-counting figures: turns of 2-6 s
 * cut in order from each reader's audio, 0.2-0.6 s apart, the next speaker drawn at random among the others who
 * still have audio (a lone reader just pauses between turns). The turns are the reference. Deterministic for a seed.
 */
import type { Segment } from '../pipeline/segmentation/inaSegmenter';
import { decodeAll } from '../test/helpers';

export const CONVERSATION_RATE = 16000;
/** Seconds: the shortest turn (a reader's last one may be shorter than the 2-6 s drawn, never shorter than this). */
const MIN_TURN = 1.5;

export interface Conversation {
  audio: Float32Array;
  turns: Segment[];
  /** Readers who got at least one turn. */
  speakers: number;
}

/** A linear congruential generator: the same draws on every machine and Node version. */
export function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/**
 * `sources`: one list of files per reader (their audio is read in that order). Stops at `seconds` of audio, or
 * when no other reader has a turn left.
 */
export async function conversation(sources: string[][], seed: number, seconds = 30): Promise<Conversation> {
  const rate = CONVERSATION_RATE;
  const audio = await Promise.all(sources.map(async (files) => {
    const parts = await Promise.all(files.map((f) => decodeAll(f, rate)));
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return all;
  }));
  const rand = lcg(seed);
  const pos = audio.map(() => 0);
  const parts: Float32Array[] = [];
  const turns: Segment[] = [];
  const spoke = new Set<number>();
  let t = 0;
  let who = -1;
  const left = (i: number) => audio[i].length - pos[i];
  while (t < seconds) {
    const draw = Math.round((2 + 4 * rand()) * rate);
    // a reader with under MIN_TURN left is done; whoever has not spoken yet goes first, so every reader is heard
    const open = audio.map((_, i) => i).filter((i) => left(i) >= MIN_TURN * rate && (i !== who || audio.length === 1));
    const fresh = open.filter((i) => !spoke.has(i));
    const able = fresh.length ? fresh : open;
    if (!able.length) break;
    who = able[Math.floor(rand() * able.length)];
    const len = Math.min(draw, left(who));
    spoke.add(who);
    parts.push(audio[who].subarray(pos[who], pos[who] + len));
    turns.push({ label: `reader${who}`, start: t, stop: t + len / rate });
    pos[who] += len;
    const gap = Math.round((0.2 + 0.4 * rand()) * rate);
    parts.push(new Float32Array(gap));
    t += (len + gap) / rate;
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { audio: out, turns, speakers: spoke.size };
}

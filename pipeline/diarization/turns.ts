import { agglomerate, dot, normalise } from '../ml/cluster';
import type { Segment } from '../segmentation/inaSegmenter';

/** One embedded window of speech. */
export interface EmbeddedWindow {
  start: number;
  stop: number;
  /** L2-normalised speaker embedding. */
  emb: Float32Array;
}

export interface TurnOptions {
  /** Fixed speaker count; without it the count is estimated (see `estimateSpeakerCount`). */
  speakers?: number;
  maxSpeakers?: number;
  /** Raw-embedding cosine at or above which two clusters are one voice (the encoder's same-speaker threshold). */
  sameSpeakerMinSim: number;
}

/** Seconds per decision: turns start and end on this grid. */
export const FRAME = 0.05;
/** Windows clustered directly; longer recordings cluster an even subsample and assign the rest to its centroids. */
const MAX_CLUSTERED = 400;
const KMEANS_ROUNDS = 5;
/** In automatic counting, clusters with a smaller share of the windows are outliers (laughs, noise), not voices. */
const MIN_SPEAKER_SHARE = 0.1;

/**
 * Embeddings with the recording's mean removed. What all windows share (channel, room, the encoder's bias towards
 * its training voices) dominates raw cosines; without it, two similar voices in one recording pull apart.
 */
export function centre(embs: Float32Array[]): Float32Array[] {
  const mean = new Float32Array(embs[0].length);
  for (const e of embs) for (let i = 0; i < mean.length; i++) mean[i] += e[i] / embs.length;
  return embs.map((e) => normalise(e.map((v, i) => v - mean[i])));
}

function centroids(embs: Float32Array[], labels: number[], k: number): Float32Array[] {
  const c = Array.from({ length: k }, () => new Float32Array(embs[0].length));
  embs.forEach((e, i) => {
    for (let d = 0; d < e.length; d++) c[labels[i]][d] += e[d];
  });
  return c.map(normalise);
}

const nearest = (e: Float32Array, cents: Float32Array[]) => {
  let best = 0;
  for (let k = 1; k < cents.length; k++) if (dot(e, cents[k]) > dot(e, cents[best])) best = k;
  return best;
};

const evenly = (n: number, m: number) => (n <= m ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: m }, (_, i) => Math.floor((i * n) / m)));

/**
 * How many voices: the raw embeddings are merged (average linkage) while clusters are at least `sameSpeakerMinSim`
 * alike, the same rule `speaker split` uses, and clusters holding under a tenth of the windows are not counted.
 * Conservative: two voices the encoder hears as alike count as one, so pass the count when it is known.
 */
export function estimateSpeakerCount(embs: Float32Array[], opts: TurnOptions): number {
  const pick = evenly(embs.length, MAX_CLUSTERED);
  const labels = agglomerate(pick.map((i) => embs[i]), { minSim: opts.sameSpeakerMinSim });
  const sizes = new Map<number, number>();
  for (const l of labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const voices = [...sizes.values()].filter((n) => n >= MIN_SPEAKER_SHARE * pick.length).length;
  return Math.max(1, Math.min(voices, opts.maxSpeakers ?? 8));
}

/**
 * A speaker per window: the centred embeddings (returned too) are clustered (average-linkage agglomerative to k,
 * on an even subsample for long recordings), then refined by a few rounds of spherical k-means over all windows.
 */
export function clusterWindows(embs: Float32Array[], k: number): { labels: number[]; centroids: Float32Array[]; centred: Float32Array[] } {
  if (k <= 1 || embs.length < 2) return { labels: embs.map(() => 0), centroids: [], centred: embs };
  const centred = centre(embs);
  const pick = evenly(centred.length, MAX_CLUSTERED);
  const seed = agglomerate(pick.map((i) => centred[i]), { k });
  let cents = centroids(pick.map((i) => centred[i]), seed, k);
  let labels = centred.map((e) => nearest(e, cents));
  for (let round = 0; round < KMEANS_ROUNDS; round++) {
    cents = centroids(centred, labels, k);
    const next = centred.map((e) => nearest(e, cents));
    if (next.every((l, i) => l === labels[i])) break;
    labels = next;
  }
  return { labels, centroids: centroids(centred, labels, k), centred };
}

/**
 * Speaker turns from overlapping windows: each FRAME inside speech takes the speaker whose centroid the windows
 * covering it resemble most on average (overlapping windows vote, so a boundary lands between two window
 * starts rather than on one), and runs of one speaker become turns labelled spk1, spk2... by first appearance.
 */
export function turnsFromWindows(windows: EmbeddedWindow[], speech: Segment[], opts: TurnOptions): { turns: Segment[]; speakers: number; counted: boolean } {
  if (!windows.length) return { turns: [], speakers: 0, counted: opts.speakers === undefined };
  const embs = windows.map((w) => w.emb);
  const k = Math.min(opts.speakers ?? estimateSpeakerCount(embs, opts), windows.length);
  const { centroids: cents, centred } = clusterWindows(embs, k);
  const end = Math.max(...speech.map((s) => s.stop), ...windows.map((w) => w.stop));
  const frames = Math.ceil(end / FRAME);
  const votes = new Float32Array(frames * k);
  const covered = new Uint16Array(frames);
  windows.forEach((w, i) => {
    const score = k > 1 ? cents.map((c) => dot(centred[i], c)) : [1];
    for (let f = Math.floor(w.start / FRAME + 1e-9); f < Math.min(frames, Math.ceil(w.stop / FRAME - 1e-9)); f++) {
      covered[f]++;
      for (let c = 0; c < k; c++) votes[f * k + c] += score[c];
    }
  });
  const order = new Map<number, number>();
  const turns: Segment[] = [];
  for (const s of speech) {
    for (let f = Math.floor(s.start / FRAME + 1e-9); f < Math.min(frames, Math.ceil(s.stop / FRAME - 1e-9)); f++) {
      if (!covered[f]) continue;
      let best = 0;
      for (let c = 1; c < k; c++) if (votes[f * k + c] > votes[f * k + best]) best = c;
      if (!order.has(best)) order.set(best, order.size + 1);
      const label = `spk${order.get(best)}`;
      const t0 = Math.max(s.start, f * FRAME);
      const t1 = Math.min(s.stop, (f + 1) * FRAME);
      const last = turns[turns.length - 1];
      if (last && last.label === label && Math.abs(last.stop - t0) < 1e-6) last.stop = t1;
      else turns.push({ label, start: t0, stop: t1 });
    }
  }
  for (const t of turns) {
    t.start = Math.round(t.start * 1000) / 1000;
    t.stop = Math.round(t.stop * 1000) / 1000;
  }
  return { turns, speakers: order.size, counted: opts.speakers === undefined };
}

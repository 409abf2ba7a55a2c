import { forEachFrame } from '../enhance/stft';
import { medianInPlace } from '../util/median';

export const REPET_NFFT = 1024;
export const REPET_HOP = 256;

export interface RepetOptions {
  /** similar frames to take the median of */
  k?: number;
  /** frames closer than this (seconds) are not "repetitions" of each other */
  minGap?: number;
  /** cosine similarity a frame must reach to count */
  minSim?: number;
  /** the background model is scaled by this before it is compared with the mixture */
  scale?: number;
  /** the background mask is raised to this power (above 1: gentler on the voice) */
  power?: number;
  rate: number;
}

/**
 * REPET-SIM (Rafii & Pardo 2012), model-free: music repeats, speech does not. For every frame, the median magnitude
 * of the frames most similar to it (cosine, at least `minGap` apart) models the repeating background; its share of
 * the mixture's magnitude (capped at 1) is a soft background mask, and 1 minus that mask keeps the voice. Works on one
 * block at a time (the caller overlaps blocks), so memory depends on the block, not the file.
 */
export function repetSimMask(mag: Float32Array[], opts: RepetOptions): Float32Array[] {
  const T = mag.length;
  const bins = mag[0]?.length ?? 0;
  const k = opts.k ?? 60;
  const gap = Math.round(((opts.minGap ?? 1) * opts.rate) / REPET_HOP);
  const minSim = opts.minSim ?? 0;
  // similarity on 8-bin bands (64 of them): the same neighbours, an eighth of the work; unit norm so it is a dot product
  const bands = Math.ceil(bins / 8);
  const unit = mag.map((m) => {
    const p = new Float32Array(bands);
    for (let b = 0; b < bins; b++) p[b >> 3] += m[b];
    let n = 0;
    for (let i = 0; i < bands; i++) n += p[i] * p[i];
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < bands; i++) p[i] /= n;
    return p;
  });
  const masks: Float32Array[] = [];
  const column = new Float32Array(k);
  for (let t = 0; t < T; t++) {
    const sims: [number, number][] = [];
    for (let u = 0; u < T; u++) {
      if (Math.abs(u - t) < gap) continue;
      let s = 0;
      const a = unit[t];
      const b = unit[u];
      for (let i = 0; i < bands; i++) s += a[i] * b[i];
      if (s >= minSim) sims.push([u, s]);
    }
    sims.sort((x, y) => y[1] - x[1]);
    const chosen = sims.slice(0, k).map(([u]) => u);
    const mask = new Float32Array(bins);
    if (!chosen.length) {
      masks.push(mask.fill(1));
      continue;
    }
    for (let b = 0; b < bins; b++) {
      for (let j = 0; j < chosen.length; j++) column[j] = mag[chosen[j]][b];
      const med = medianInPlace(column, chosen.length);
      const v = mag[t][b];
      const background = v > 1e-12 ? (Math.min((opts.scale ?? 0.9) * med, v) / v) ** (opts.power ?? 1) : 0;
      mask[b] = 1 - background; // the voice keeps what does not repeat
    }
    masks.push(mask);
  }
  return masks;
}

/** Magnitude spectra of a block, framed as processStft frames it (so masks line up with the frames they scale). */
export function spectra(x: Float32Array, win: Float32Array): { mag: Float32Array[] } {
  const bins = REPET_NFFT / 2 + 1;
  const mag: Float32Array[] = [];
  forEachFrame(x, REPET_NFFT, REPET_HOP, win, (s) => mag.push(Float32Array.from({ length: bins }, (_, b) => Math.hypot(s[2 * b], s[2 * b + 1]))));
  return { mag };
}

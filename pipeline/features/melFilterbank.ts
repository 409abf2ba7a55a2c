import type { Band } from '../wasm/kernels';

/** A triangular filter as a dense run of weights starting at FFT bin `start` (what the band-energy kernel takes). */
export type Filter = Band;

const hz2mel = (f: number) => 2595 * Math.log10(1 + f / 700);
const mel2hz = (m: number) => 700 * (10 ** (m / 2595) - 1);

/**
 * SIDEKIT's HTK-mel filterbank (log filters only), which inaSpeechSegmenter's CNNs were trained on: area-normalised
 * triangles (height 2/(hi-lo)), bin edges from floor(f*nfft/fs)+1, the last right-slope bin left out as SIDEKIT does.
 */
export function sidekitMelFilterbank(fs: number, nfft: number, lowHz: number, highHz: number, nfilt: number): Filter[] {
  const lowMel = hz2mel(lowHz);
  const step = (hz2mel(highHz) - lowMel) / (nfilt + 1);
  const edges = Array.from({ length: nfilt + 2 }, (_, i) => mel2hz(lowMel + i * step));
  const binHz = (k: number) => (k / nfft) * fs;
  const filters: Filter[] = [];
  for (let i = 0; i < nfilt; i++) {
    const [lo, cen, hi] = [edges[i], edges[i + 1], edges[i + 2]];
    const height = 2 / (hi - lo);
    const w = new Map<number, number>();
    for (let k = Math.floor((lo * nfft) / fs) + 1; k < Math.floor((cen * nfft) / fs) + 1; k++) {
      w.set(k, (height / (cen - lo)) * (binHz(k) - lo));
    }
    const rEnd = Math.min(Math.floor((hi * nfft) / fs) + 1, nfft);
    for (let k = Math.floor((cen * nfft) / fs) + 1; k < rEnd - 1; k++) {
      w.set(k, (height / (hi - cen)) * (hi - binHz(k)));
    }
    const bins = [...w.keys()];
    const start = Math.min(...bins);
    const weights = new Float32Array(Math.max(...bins) - start + 1);
    for (const [k, v] of w) weights[k - start] = v;
    filters.push({ start, weights });
  }
  return filters;
}

export function applyFilterbank(power: Float32Array, filters: Filter[], out: Float32Array): void {
  for (let i = 0; i < filters.length; i++) {
    const { start, weights } = filters[i];
    let s = 0;
    for (let j = 0; j < weights.length; j++) s += weights[j] * power[start + j];
    out[i] = s;
  }
}

/** Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above. */
function slaneyHzToMel(f: number): number {
  return f < 1000 ? (3 * f) / 200 : 15 + Math.log(f / 1000) / (Math.log(6.4) / 27);
}
function slaneyMelToHz(m: number): number {
  return m < 15 ? (200 * m) / 3 : 1000 * Math.exp((Math.log(6.4) / 27) * (m - 15));
}

/**
 * librosa.filters.mel with its defaults (Slaney scale, norm='slaney': each triangle scaled by 2/(hi-lo) so the
 * filters have equal area), for the seed's 128-band mel feature.
 */
export function slaneyMelFilterbank(fs: number, nfft: number, nMels: number, fmin = 0, fmax = fs / 2): Filter[] {
  const lo = slaneyHzToMel(fmin);
  const hi = slaneyHzToMel(fmax);
  const edges = Array.from({ length: nMels + 2 }, (_, i) => slaneyMelToHz(lo + ((hi - lo) * i) / (nMels + 1)));
  const bins = nfft / 2 + 1;
  const filters: Filter[] = [];
  for (let i = 0; i < nMels; i++) {
    const [a, c, b] = [edges[i], edges[i + 1], edges[i + 2]];
    const norm = 2 / (b - a);
    const w: number[] = [];
    let start = -1;
    for (let k = 0; k < bins; k++) {
      const f = (k * fs) / nfft;
      const v = Math.max(0, Math.min((f - a) / (c - a), (b - f) / (b - c))) * norm;
      if (v > 0 && start < 0) start = k;
      if (start >= 0) w.push(v);
    }
    while (w.length && w[w.length - 1] === 0) w.pop();
    filters.push({ start: Math.max(0, start), weights: Float32Array.from(w) });
  }
  return filters;
}

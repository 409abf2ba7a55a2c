import { medianInPlace } from '../util/median';
import { matmulRows } from '../wasm/kernels';

/**
 * Chroma as librosa.feature.chroma_stft computes it from a magnitude spectrogram: the tuning is estimated from the
 * spectrogram's own peaks (piptrack + pitch_tuning), Ellis' Gaussian chroma filterbank maps bins to the 12 pitch
 * classes (C first), and each frame is scaled so its largest class is 1.
 */

/** log2(f / C0) in octaves, with A4 = 440 Hz shifted by `tuning` (fractions of a bin). */
const hzToOcts = (f: number, tuning: number, binsPerOctave: number) => Math.log2(f / ((440 * 2 ** (tuning / binsPerOctave)) / 16));

/** librosa.filters.chroma(sr, n_fft, tuning): rows are C, C#, ..., B; columns are the n_fft/2+1 bins. */
export function chromaFilterbank(sr: number, nfft: number, tuning = 0, nChroma = 12): Float64Array[] {
  const frq = new Float64Array(nfft);
  for (let k = 1; k < nfft; k++) frq[k] = nChroma * hzToOcts((k * sr) / nfft, tuning, nChroma);
  frq[0] = frq[1] - 1.5 * nChroma; // the 0 Hz bin: 1.5 octaves under bin 1, broad
  const width = Float64Array.from({ length: nfft }, (_, k) => (k < nfft - 1 ? Math.max(frq[k + 1] - frq[k], 1) : 1));
  const half = Math.round(nChroma / 2);
  const w = Array.from({ length: nChroma }, () => new Float64Array(nfft));
  for (let k = 0; k < nfft; k++) {
    let norm = 0;
    for (let c = 0; c < nChroma; c++) {
      const d = ((((frq[k] - c + half + 10 * nChroma) % nChroma) + nChroma) % nChroma) - half;
      w[c][k] = Math.exp(-0.5 * ((2 * d) / width[k]) ** 2);
      norm += w[c][k] ** 2;
    }
    norm = Math.sqrt(norm);
    // octave weighting: a Gaussian over octaves centred on C5 (ctroct 5, octwidth 2)
    const oct = Math.exp(-0.5 * ((frq[k] / nChroma - 5) / 2) ** 2);
    for (let c = 0; c < nChroma; c++) w[c][k] = (w[c][k] / norm) * oct;
  }
  // base_c: roll so row 0 is C instead of A
  const shift = 3 * Math.floor(nChroma / 12);
  return Array.from({ length: nChroma }, (_, c) => w[(c + shift) % nChroma].slice(0, nfft / 2 + 1));
}

/** librosa.estimate_tuning on a magnitude spectrogram: the most common deviation of spectral peaks from the 12-TET grid. */
export function estimateTuning(mag: Float32Array[], sr: number, nfft: number, resolution = 0.01, binsPerOctave = 12): number {
  const fmin = 150;
  const fmax = Math.min(4000, sr / 2);
  // the bins in [fmin, fmax), found by the same test as a per-bin check would make
  const n = mag[0]?.length ?? 0;
  let from = Math.max(1, Math.ceil((fmin * nfft) / sr));
  while (from < n - 1 && (from * sr) / nfft < fmin) from++;
  let to = from;
  while (to < n - 1 && (to * sr) / nfft < fmax) to++;
  const pitches = new Float64Array(mag.length * (to - from));
  const mags = new Float64Array(pitches.length);
  let count = 0;
  for (const S of mag) {
    let max = 0;
    for (let k = 0; k < n; k++) if (S[k] > max) max = S[k];
    const ref = 0.1 * max;
    for (let k = from; k < to; k++) {
      // local maximum of the thresholded spectrum (strictly above the left neighbour, at least the right one)
      const v = S[k] > ref ? S[k] : 0;
      const left = S[k - 1] > ref ? S[k - 1] : 0;
      const right = S[k + 1] > ref ? S[k + 1] : 0;
      if (!(v > left && v >= right)) continue;
      const a = S[k + 1] + S[k - 1] - 2 * S[k];
      const b = (S[k + 1] - S[k - 1]) / 2;
      const shift = Math.abs(b) >= Math.abs(a) ? 0 : -b / a;
      const grad = (S[k + 1] - S[k - 1]) / 2; // np.gradient, central difference
      pitches[count] = ((k + shift) * sr) / nfft;
      mags[count++] = S[k] + 0.5 * grad * shift;
    }
  }
  // every pitch is positive (librosa drops the rest): bins start at 1 and the parabolic shift stays under one bin
  if (!count) return 0;
  const median = medianInPlace(mags.slice(0, count));
  const bins = Math.ceil(1 / resolution);
  const counts = new Int32Array(bins);
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => -0.5 + i / bins);
  for (let j = 0; j < count; j++) {
    if (mags[j] < median) continue;
    let r = (((binsPerOctave * hzToOcts(pitches[j], 0, binsPerOctave)) % 1) + 1) % 1;
    if (r >= 0.5) r -= 1;
    // np.histogram: half-open bins, the last one closed
    let i = Math.floor((r + 0.5) * bins);
    while (i > 0 && r < edges[i]) i--;
    while (i < bins - 1 && r >= edges[i + 1]) i++;
    counts[Math.min(bins - 1, Math.max(0, i))]++;
  }
  let best = 0;
  for (let i = 1; i < bins; i++) if (counts[i] > counts[best]) best = i;
  return edges[best];
}

/** The 12 x bins filterbank laid out bin by bin, [bin 0: C..B, bin 1: C..B, ...]: a bins x 12 matrix. */
function byBin(fb: Float64Array[]): Float32Array {
  const bins = fb[0].length;
  const out = new Float32Array(bins * 12);
  for (let k = 0; k < bins; k++) for (let c = 0; c < 12; c++) out[k * 12 + c] = fb[c][k];
  return out;
}

const filterbanks = new Map<string, Float32Array>();

/** Per-frame chroma (12 values each), every frame scaled to max 1 (all-zero frames stay zero). */
export function chromaFrames(mag: Float32Array[], sr: number, nfft: number): Float64Array[] {
  // the tuning comes in steps of 0.01 bin, so a corpus needs only a few dozen filterbanks: build each once
  const tuning = estimateTuning(mag, sr, nfft);
  const key = `${sr}:${nfft}:${tuning}`;
  if (!filterbanks.has(key)) filterbanks.set(key, byBin(chromaFilterbank(sr, nfft, tuning)));
  const all = matmulRows(mag, filterbanks.get(key)!, 12);
  return mag.map((_, t) => {
    const c = Float64Array.from(all.subarray(12 * t, 12 * t + 12));
    let max = 0;
    for (let r = 0; r < 12; r++) if (Math.abs(c[r]) > max) max = Math.abs(c[r]);
    if (max > 1e-300) for (let r = 0; r < 12; r++) c[r] /= max;
    return c;
  });
}

import { detectHum } from '../audio/hum';
import type { FilterSpec } from '../audio/zeroPhase';
import { OptionError } from '../errors';

/** What `sds clean` does to each clip, in order: filters (zero-phase), denoiser, loudness. */
export interface CleanOptions {
  /** Low-pass corner (Hz) and slope (dB/octave, a multiple of 12: cascaded 2-pole sections); 0 = off. */
  lowpass: number;
  lowpassDbOct: number;
  highpass: number;
  dehum: (typeof DEHUM)[number];
  /** off | gate | gate-nonstationary | wiener | rnnoise | dtln | gtcrn | path/to/model.onnx (docs/models.md) */
  denoise: string;
  /** Integrated loudness target (LUFS) and true-peak ceiling (dBTP); loudness NaN = leave the level alone. */
  loudness: number;
  truePeak: number;
}

/** Mains-hum notches: where found in the clip, at 50 or 60 Hz harmonics, or none. */
export const DEHUM = ['auto', '50', '60', 'off'] as const;


export const PRESETS: Record<string, CleanOptions> = {
  // the seed's finding: a steep 5 kHz low-pass, then ffmpeg-normalize's default broadcast target
  seed: { lowpass: 5000, lowpassDbOct: 36, highpass: 0, dehum: 'off', denoise: 'off', loudness: -23, truePeak: -1 },
  speech: { lowpass: 0, lowpassDbOct: 36, highpass: 80, dehum: 'auto', denoise: 'dtln', loudness: -23, truePeak: -1 },
  podcast: { lowpass: 0, lowpassDbOct: 36, highpass: 80, dehum: 'auto', denoise: 'dtln', loudness: -16, truePeak: -1 },
};

/** What each preset does, in a line (help, settings, docs). */
export const PRESET_NOTES: Record<keyof typeof PRESETS, string> = {
  seed: 'the seed\'s 5 kHz 36 dB/octave low-pass, no denoiser, -23 LUFS',
  speech: 'high-pass 80 Hz, hum notches where found, DTLN denoiser, -23 LUFS / -1 dBTP',
  podcast: 'as speech, -16 LUFS',
};

export const DEFAULT_PRESET = 'speech';

export function cleanOptions(preset = DEFAULT_PRESET, overrides: Partial<CleanOptions> = {}): CleanOptions {
  const base = PRESETS[preset];
  if (!base) throw new OptionError(`--preset: "${preset}" is not one of ${Object.keys(PRESETS).join(', ')}`);
  const o = { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } as CleanOptions;
  if (o.lowpassDbOct % 12 !== 0 || o.lowpassDbOct <= 0) throw new OptionError(`--lowpass-db-oct must be a multiple of 12, got ${o.lowpassDbOct}`);
  // names, bounds and the denoiser pattern are checked against the registry (checkRequest in dispatch)
  return o;
}

/**
 * The filter part as sections (ffmpeg's highpass, cascaded 2-pole lowpass and bandreject, the same designs), applied
 * zero-phase: the magnitude of those filters without the phase shift that costs SI-SDR against the original.
 */
export function filterSpecs(o: CleanOptions, humHarmonics: number[]): FilterSpec[] {
  const f: FilterSpec[] = [];
  if (o.highpass > 0) f.push({ kind: 'highpass', hz: o.highpass, q: BUTTERWORTH_Q });
  if (o.lowpass > 0) for (let i = 0; i < o.lowpassDbOct / 12; i++) f.push({ kind: 'lowpass', hz: o.lowpass, q: BUTTERWORTH_Q });
  // narrow notches (Q 30) only where hum was found: a fixed comb would cut speech for nothing
  for (const h of humHarmonics) f.push({ kind: 'notch', hz: h, q: 30 });
  return f;
}

/** ffmpeg's default width for its 2-pole highpass and lowpass: Butterworth sections. */
const BUTTERWORTH_Q = 0.707;

/** The hum harmonics to notch out of `x`: found in it (auto), fixed at 50 or 60 Hz and three overtones, or none. */
export function humNotches(o: CleanOptions, x: Float32Array, rate: number): number[] {
  if (o.dehum === 'off') return [];
  if (o.dehum === 'auto') return detectHum(x, rate)?.harmonics ?? [];
  return [50, 100, 150, 200].map((h) => (h * Number(o.dehum)) / 50);
}

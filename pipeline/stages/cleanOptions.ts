import { OptionError } from '../errors';

/** What `sds clean` does to each clip, in order: filters (ffmpeg), denoiser, loudness. */
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

/** The built-in denoisers `--denoise` names (or a .onnx file). */
export const DENOISERS = ['off', 'gate', 'gate-nonstationary', 'wiener', 'rnnoise', 'dtln', 'gtcrn'];

export const PRESETS: Record<string, CleanOptions> = {
  // the seed's finding: a steep 5 kHz low-pass, then ffmpeg-normalize's default broadcast target
  seed: { lowpass: 5000, lowpassDbOct: 36, highpass: 0, dehum: 'off', denoise: 'off', loudness: -23, truePeak: -1 },
  speech: { lowpass: 0, lowpassDbOct: 36, highpass: 80, dehum: 'auto', denoise: 'dtln', loudness: -23, truePeak: -1 },
  podcast: { lowpass: 0, lowpassDbOct: 36, highpass: 80, dehum: 'auto', denoise: 'dtln', loudness: -16, truePeak: -1 },
};

export const DEFAULT_PRESET = 'speech';

export function cleanOptions(preset = DEFAULT_PRESET, overrides: Partial<CleanOptions> = {}): CleanOptions {
  const base = PRESETS[preset];
  if (!base) throw new OptionError(`--preset: unknown preset "${preset}" (use ${Object.keys(PRESETS).join(', ')})`);
  const o = { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } as CleanOptions;
  if (o.lowpassDbOct % 12 !== 0 || o.lowpassDbOct <= 0) throw new OptionError(`--lowpass-db-oct must be a multiple of 12, got ${o.lowpassDbOct}`);
  if (!DEHUM.includes(o.dehum)) throw new OptionError(`--dehum must be ${DEHUM.join(', ')}, got ${o.dehum}`);
  if (!DENOISERS.includes(o.denoise) && !o.denoise.endsWith('.onnx')) {
    throw new OptionError(`--denoise must be ${DENOISERS.join(', ')} or a .onnx file, got ${o.denoise}`);
  }
  for (const [k, v] of [['lowpass', o.lowpass], ['highpass', o.highpass]] as const) if (!(v >= 0)) throw new OptionError(`--${k} must be a frequency >= 0 Hz (0 = off), got ${v}`);
  if (Number.isFinite(o.loudness) && !(o.loudness < 0 && o.loudness >= -70)) throw new OptionError(`--loudness must be a target between -70 and 0 LUFS, got ${o.loudness}`);
  if (Number.isFinite(o.truePeak) && o.truePeak > 0) throw new OptionError(`--true-peak must be <= 0 dBTP, got ${o.truePeak}`);
  return o;
}

/** ffmpeg filter chain for the filter part (empty string: nothing to do). */
export function filterGraph(o: CleanOptions, humHarmonics: number[]): string {
  const f: string[] = [];
  if (o.highpass > 0) f.push(`highpass=f=${o.highpass}:poles=2`);
  if (o.lowpass > 0) for (let i = 0; i < o.lowpassDbOct / 12; i++) f.push(`lowpass=f=${o.lowpass}:poles=2`);
  // narrow notches (Q 30) only where hum was found: a fixed comb would cut speech for nothing
  for (const h of humHarmonics) f.push(`bandreject=f=${h}:width_type=q:w=30`);
  return f.join(',');
}

import { averagePowerSpectrum } from '../features/spectrum';

/**
 * Mains hum present in a signal: for 50 and 60 Hz, the harmonics (up to 8) whose spectral line stands at least
 * `minDb` above the median of its neighbourhood, from an averaged 1 s spectrum (1 Hz resolution at 16 kHz...).
 */
export function detectHum(x: Float32Array, fs: number, minDb = 8): { base: 50 | 60; harmonics: number[] } | undefined {
  let nfft = 1;
  while (nfft < fs) nfft *= 2; // >= 1 s: bins under 1 Hz
  if (x.length < nfft) return undefined;
  const power = averagePowerSpectrum(x, nfft);
  const db = (k: number) => 10 * Math.log10(power[k] + 1e-20);
  const prominence = (hz: number) => {
    const k = Math.round((hz * nfft) / fs);
    const line = Math.max(db(k - 1), db(k), db(k + 1));
    const around: number[] = [];
    for (let j = k - 12; j <= k + 12; j++) if (Math.abs(j - k) > 3 && j > 0 && j < power.length) around.push(db(j));
    around.sort((a, b) => a - b);
    return line - around[Math.floor(around.length / 2)];
  };
  let best: { base: 50 | 60; harmonics: number[] } | undefined;
  for (const base of [50, 60] as const) {
    const harmonics = [];
    for (let h = 1; h <= 8 && base * h < fs / 2 - 50; h++) if (prominence(base * h) >= minDb) harmonics.push(base * h);
    // the fundamental or its second harmonic must be there: one stray line is not hum
    if (harmonics.length && (harmonics.includes(base) || harmonics.includes(2 * base)) && (!best || harmonics.length > best.harmonics.length)) best = { base, harmonics };
  }
  return best;
}

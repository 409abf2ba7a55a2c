/**
 * Gender from pitch: the boundary between typical male (~85-155 Hz) and female (~165-255 Hz) speaking pitch.
 * The default is the value fitted on the 60 LibriSpeech train-clean-100 readers (see bench/eval-gender.ts, which
 * also scores it leave-readers-out).
 */
export const DEFAULT_GENDER_THRESHOLD_HZ = 152;
const SPREAD = 0.08; // log-Hz scale of the logistic: 10% above the boundary is ~75% female
const FLOOR = 0.02; // one frame never carries more than ln(49) nats of evidence

/** Log emission of [female, male] for a pitch value; unvoiced (0) is uninformative. */
export function genderEmission(f0: number, state: number, thresholdHz: number): number {
  let pf = 0.5;
  if (f0 > 0) pf = 1 / (1 + Math.exp(-(Math.log(f0) - Math.log(thresholdHz)) / SPREAD));
  pf = Math.min(1 - FLOOR, Math.max(FLOOR, pf));
  return Math.log(state === 0 ? pf : 1 - pf);
}

/** Majority label of a file from its voiced pitch: median f0 against the boundary. */
export function medianPitch(f0: ArrayLike<number>): number {
  const v = Array.from(f0).filter((x) => x > 0).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : 0;
}

import { forEachFrame } from '../enhance/stft';
import { REPET_HOP, REPET_NFFT, repetSimMask, spectra } from './repetSim';
import { monoOf, SEPARATE_RATE, SEPARATE_WINDOW } from './separator';

/**
 * What auto separation reads off a stereo source before choosing a method. Centre-channel extraction keeps what is
 * identical in left and right: it wins big where a dry voice is panned dead centre and the music is not, and loses
 * 2-4 dB SI-SDR where the voice is not only in the centre (panned, or carrying stereo reverb as sung vocals do),
 * while REPET-SIM gains a little everywhere (docs/figures.md, Separation). So centre runs only when both hold:
 * - enough of the energy sits in bins where the channels agree exactly (a dry, centred source) rather than in bins
 *   where they clearly differ (similarity under 0.9), but not all of it (then the channels are the same and centre
 *   extraction would return the mixture);
 * - what sits there is more voice-like than the rest: REPET-SIM's voice mask (non-repeating content) is higher on
 *   the exactly-centred bins than on the others, so the centred part is the voice, not a centred music bed.
 * The thresholds were chosen on mixes of ten train-clean-100 readers (docs/figures.md), never on the eval's readers.
 */
export const CENTRED_SIMILARITY = 0.99;
/** Below this similarity a bin is off-centre (between the two: neither side of the contrast). */
const OFF_CENTRE = 0.9;
export const MIN_CENTRED_SHARE = 0.25;
export const SAME_CHANNELS_SHARE = 0.98;
export const MIN_VOICE_CONTRAST = 0.2;

export interface StereoImage {
  /** the exactly-centred bins' share of the energy of the bins that are either exactly centred or off-centre */
  centred: number;
  /** REPET-SIM's mean voice mask on the centred bins minus that on the off-centre ones (energy-weighted) */
  voiceContrast: number;
  seconds: number;
}

/** Accumulates the stereo image over excerpts of one source (each excerpt analysed on its own). */
export class StereoMeter {
  private centredEnergy = 0;
  private centredVoice = 0;
  private offEnergy = 0;
  private offVoice = 0;
  private samples = 0;

  add(left: Float32Array, right: Float32Array): void {
    const n = Math.min(left.length, right.length);
    if (n < REPET_NFFT) return;
    const L = left.subarray(0, n);
    const R = right.subarray(0, n);
    const voice = repetSimMask(spectra(monoOf([L, R]), SEPARATE_WINDOW).mag, { rate: SEPARATE_RATE });
    const rightFrames: Float32Array[] = [];
    forEachFrame(R, REPET_NFFT, REPET_HOP, SEPARATE_WINDOW, (s) => rightFrames.push(Float32Array.from(s)));
    let t = 0;
    forEachFrame(L, REPET_NFFT, REPET_HOP, SEPARATE_WINDOW, (l) => {
      const r = rightFrames[t];
      const v = voice[t++];
      if (!r || !v) return;
      for (let k = 0; k < l.length; k += 2) {
        const e = l[k] * l[k] + l[k + 1] * l[k + 1] + r[k] * r[k] + r[k + 1] * r[k + 1];
        if (e < 1e-20) continue;
        const sim = (2 * (l[k] * r[k] + l[k + 1] * r[k + 1])) / e;
        if (sim >= CENTRED_SIMILARITY) {
          this.centredEnergy += e;
          this.centredVoice += e * v[k >> 1];
        } else if (sim < OFF_CENTRE) {
          this.offEnergy += e;
          this.offVoice += e * v[k >> 1];
        }
      }
    });
    this.samples += n;
  }

  result(): StereoImage {
    const mean = (a: number, b: number) => (b > 0 ? a / b : 0);
    return {
      centred: mean(this.centredEnergy, this.centredEnergy + this.offEnergy),
      voiceContrast: mean(this.centredVoice, this.centredEnergy) - mean(this.offVoice, this.offEnergy),
      seconds: this.samples / SEPARATE_RATE,
    };
  }
}

export type AutoMethod = 'centre' | 'repet';

/** auto's choice for a stereo source, and why (the words go into sources.csv's `separation` column). */
export function chooseForStereo(m: StereoImage): { method: AutoMethod; why: string } {
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  const seen = `${pct(m.centred)} of the energy exactly centred, voice contrast ${m.voiceContrast.toFixed(2)}`;
  if (m.centred >= SAME_CHANNELS_SHARE) return { method: 'repet', why: `left and right are the same (${seen})` };
  if (m.centred < MIN_CENTRED_SHARE) return { method: 'repet', why: `little is exactly centred, so the voice is not only in the centre (${seen})` };
  if (m.voiceContrast < MIN_VOICE_CONTRAST) return { method: 'repet', why: `what is centred is no more voice-like than the rest (${seen})` };
  return { method: 'centre', why: `a voice-like centre over off-centre music (${seen})` };
}

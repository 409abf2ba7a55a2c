import { forEachFrame, processStft } from '../enhance/stft';
import { REPET_HOP, REPET_NFFT } from './repetSim';
import { SEPARATE_RATE, SEPARATE_WINDOW, type Separator } from './separator';

/** How sharply the mask falls as left and right disagree: cos(angle)^POWER keeps what is the same in both. */
const POWER = 4;

/**
 * Centre-channel extraction for stereo (model-free): voices are mixed to the centre (the same in left and right),
 * instruments are panned and reverberated apart. Per time-frequency bin the similarity 2 Re(L R*) / (|L|^2 + |R|^2)
 * is 1 exactly where the channels agree in level and phase and falls as they differ (Avendano & Jot's inter-channel
 * similarity, with phase); the vocals are that similarity (clamped at 0, to the power 4) times the channels' mean.
 * It cannot separate what is panned centre too (bass, kick, a mono recording): on mono it returns the mixture.
 */
export function centreSeparator(power = POWER): Separator {
  return {
    name: 'centre',
    rate: SEPARATE_RATE,
    channels: 2,
    vocals: async ([left, right]) => {
      const rightFrames: Float32Array[] = [];
      forEachFrame(right, REPET_NFFT, REPET_HOP, SEPARATE_WINDOW, (spec) => rightFrames.push(spec));
      return processStft(left, REPET_NFFT, REPET_HOP, SEPARATE_WINDOW, (l, t) => {
        const r = rightFrames[t];
        const out = new Float32Array(l.length);
        for (let k = 0; k < l.length; k += 2) {
          const lr = l[k] * r[k] + l[k + 1] * r[k + 1];
          const e = l[k] * l[k] + l[k + 1] * l[k + 1] + r[k] * r[k] + r[k + 1] * r[k + 1];
          const sim = e > 1e-20 ? Math.max(0, (2 * lr) / e) : 0;
          const m = sim ** power / 2; // times L + R: the channels' mean, as monoOf mixes
          out[k] = m * (l[k] + r[k]);
          out[k + 1] = m * (l[k + 1] + r[k + 1]);
        }
        return out;
      });
    },
    release: async () => undefined,
  };
}

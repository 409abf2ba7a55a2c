/**
 * Stereo test mixes for the separation figures: a reader over the music section of musanmix.wav, five stereo
 * images (how the music and the voice sit between left and right), dry or with a stereo reverb on the voice (as sung
 * vocals carry), at a given speech-to-music level. The reference is the dry reader.
 */
import { lcg } from './conversations';

export const MIX_RATE = 16000;
/** Seconds of each of the three music parts (C, A, B) the images are built from. */
export const PART_SECONDS = 7;

type Image = { name: string; music: (C: Float32Array, A: Float32Array, B: Float32Array, n: number) => [Float32Array, Float32Array]; voice: [number, number] };
const delayed = (x: Float32Array, d: number, n: number) => Float32Array.from({ length: n }, (_, i) => (i >= d ? x[i - d] : 0));

export const IMAGES: Image[] = [
  { name: 'music panned apart, voice centred', voice: [1, 1], music: (_C, A, B, n) => [Float32Array.from({ length: n }, (_, i) => A[i] + 0.3 * B[i]), Float32Array.from({ length: n }, (_, i) => B[i] + 0.3 * A[i])] },
  { name: 'mono music in both channels, voice centred', voice: [1, 1], music: (C, _A, _B, n) => [C.slice(0, n), C.slice(0, n)] },
  { name: 'song-like: centred bed + panned parts', voice: [1, 1], music: (C, A, B, n) => [Float32Array.from({ length: n }, (_, i) => C[i] + 0.7 * A[i]), Float32Array.from({ length: n }, (_, i) => C[i] + 0.7 * B[i])] },
  { name: 'spaced pair (music 0.6 ms apart), voice centred', voice: [1, 1], music: (C, _A, _B, n) => [C.slice(0, n), delayed(C, 10, n)] },
  { name: 'voice panned left, music panned apart', voice: [0.9, 0.35], music: (_C, A, B, n) => [Float32Array.from({ length: n }, (_, i) => A[i] + 0.3 * B[i]), Float32Array.from({ length: n }, (_, i) => B[i] + 0.3 * A[i])] },
];

/** A decaying-noise room response (RT60 0.6 s), one per channel, its energy `wet` of the direct sound's. */
export function roomResponses(): [Float32Array, Float32Array] {
  const rand = lcg(3);
  const make = () => {
    const m = Math.round(0.6 * MIX_RATE);
    const h = Float32Array.from({ length: m }, (_, i) => (2 * rand() - 1) * Math.exp(-i / ((0.6 / 6.9) * MIX_RATE)));
    const e = Math.sqrt(h.reduce((a, v) => a + v * v, 0));
    return h.map((v) => (v * 0.7) / e);
  };
  return [make(), make()];
}

/** x plus x convolved with h (direct sound + reverb), x's length. */
export function withReverb(x: Float32Array, h: Float32Array): Float32Array {
  const y = Float32Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!v) continue;
    const top = Math.min(h.length, x.length - i);
    for (let j = 0; j < top; j++) y[i + j] += v * h[j];
  }
  return y;
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));

/** Left and right of one mix: `voice` (dry reference), `wet` its two reverberant versions or undefined. */
export function stereoMix(image: Image, music: Float32Array, voice: Float32Array, wet: [Float32Array, Float32Array] | undefined, db: number): [Float32Array, Float32Array] {
  const p = PART_SECONDS * MIX_RATE;
  const n = Math.min(voice.length, p);
  const [Lm, Rm] = image.music(music.subarray(0, p), music.subarray(p, 2 * p), music.subarray(2 * p, 3 * p), n);
  const g = rms(voice.subarray(0, n)) / rms(Float32Array.from(Lm, (v, i) => (v + Rm[i]) / 2)) / 10 ** (db / 20);
  const [vl, vr] = wet ?? [voice, voice];
  const [gl, gr] = image.voice;
  return [Float32Array.from({ length: n }, (_, i) => gl * vl[i] + g * Lm[i]), Float32Array.from({ length: n }, (_, i) => gr * vr[i] + g * Rm[i])];
}

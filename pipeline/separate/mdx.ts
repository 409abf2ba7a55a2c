import * as fs from 'node:fs';
import { AnySizeFft } from '../enhance/anySizeFft';
import { openSession, ort } from '../models/ortSession';
import { monoOf, type Separator } from './separator';

/**
 * An MDX-Net-style separator (docs/models.md): complex stereo spectrogram chunks in, the target stem's spectrogram
 * out. The numbers are the model's own (UVR lists them per model): `nFft`, `hop`, `dimF` bins kept (those above are
 * zero), `dimT` frames per chunk, `compensate` gain, and which stem it outputs.
 */
export interface MdxSpec {
  kind: 'mdx';
  sampleRate: number;
  nFft: number;
  hop: number;
  dimF: number;
  dimT: number;
  compensate?: number;
  /** what the model outputs: the vocals, or the accompaniment (then the vocals are the mixture minus it) */
  stem?: 'vocals' | 'accompaniment';
}

export function checkMdxSpec(s: MdxSpec, where: string): MdxSpec {
  const bad = (['sampleRate', 'nFft', 'hop', 'dimF', 'dimT'] as const).filter((k) => !(Number.isInteger(s[k]) && s[k] > 0));
  if (bad.length) throw new Error(`${where}: separation.${bad.join(', ')} must be positive whole numbers`);
  if (s.nFft % 2) throw new Error(`${where}: separation.nFft must be even`);
  if (s.dimF > s.nFft / 2 + 1) throw new Error(`${where}: separation.dimF (${s.dimF}) exceeds the ${s.nFft / 2 + 1} bins of nFft ${s.nFft}`);
  if (s.hop * (s.dimT - 1) <= s.nFft) throw new Error(`${where}: a chunk (hop x (dimT - 1) = ${s.hop * (s.dimT - 1)} samples) must be longer than nFft (${s.nFft})`);
  if (s.stem && s.stem !== 'vocals' && s.stem !== 'accompaniment') throw new Error(`${where}: separation.stem must be vocals or accompaniment`);
  return s;
}

/** The MDX spec of a user's ONNX file: `separation` in the JSON sidecar of the same name, if there is one. */
export function sidecarMdxSpec(onnxFile: string): MdxSpec | undefined {
  const side = onnxFile.replace(/\.onnx$/i, '.json');
  if (side === onnxFile || !fs.existsSync(side)) return undefined;
  const s = (JSON.parse(fs.readFileSync(side, 'utf8')) as { separation?: MdxSpec }).separation;
  return s?.kind === 'mdx' ? checkMdxSpec(s, side) : undefined;
}

/** Periodic Hann, as torch.hann_window builds it (and MDX-Net exports were trained with). */
function hann(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
}

/**
 * The STFT MDX-Net models expect (torch.stft with center=True, reflect padding, periodic Hann), of both channels at
 * once: one complex transform of L + iR per frame, split into the two real signals' spectra. Output laid out as
 * the model's input, [4][dimF][dimT]: L real, L imaginary, R real, R imaginary.
 */
export function mdxStft(left: Float32Array, right: Float32Array, s: MdxSpec, fft: AnySizeFft, win: Float64Array): Float32Array {
  const n = s.nFft;
  const half = n / 2;
  const len = left.length;
  const at = (x: Float32Array, i: number) => x[i < 0 ? -i : i >= len ? 2 * (len - 1) - i : i]; // reflect
  const out = new Float32Array(4 * s.dimF * s.dimT);
  const z = new Float64Array(2 * n);
  const Z = new Float64Array(2 * n);
  const plane = s.dimF * s.dimT;
  for (let t = 0; t < s.dimT; t++) {
    const start = t * s.hop - half;
    for (let i = 0; i < n; i++) {
      z[2 * i] = at(left, start + i) * win[i];
      z[2 * i + 1] = at(right, start + i) * win[i];
    }
    fft.transform(Z, z);
    for (let k = 0; k < s.dimF; k++) {
      const j = (n - k) % n;
      const ar = Z[2 * k];
      const ai = Z[2 * k + 1];
      const br = Z[2 * j];
      const bi = -Z[2 * j + 1]; // conj(Z[n - k])
      const idx = k * s.dimT + t;
      out[idx] = (ar + br) / 2;
      out[plane + idx] = (ai + bi) / 2;
      out[2 * plane + idx] = (ai - bi) / 2;
      out[3 * plane + idx] = -(ar - br) / 2;
    }
  }
  return out;
}

/** The inverse (torch.istft, center=True): both channels of one chunk back from the model's layout. */
export function mdxIstft(spec: Float32Array, chunk: number, s: MdxSpec, fft: AnySizeFft, win: Float64Array): [Float32Array, Float32Array] {
  const n = s.nFft;
  const half = n / 2;
  const plane = s.dimF * s.dimT;
  const total = n + s.hop * (s.dimT - 1);
  const accL = new Float64Array(total);
  const accR = new Float64Array(total);
  const env = new Float64Array(total);
  const Z = new Float64Array(2 * n);
  const z = new Float64Array(2 * n);
  for (let t = 0; t < s.dimT; t++) {
    Z.fill(0);
    for (let k = 0; k < s.dimF && k <= half; k++) {
      const idx = k * s.dimT + t;
      const lr = spec[idx];
      const li = k === 0 || k === half ? 0 : spec[plane + idx];
      const rr = spec[2 * plane + idx];
      const ri = k === 0 || k === half ? 0 : spec[3 * plane + idx];
      // full spectrum of L + iR: F_L[k] + i F_R[k], and at n - k the conjugates' combination
      Z[2 * k] = lr - ri;
      Z[2 * k + 1] = li + rr;
      if (k > 0 && k < half) {
        const j = n - k;
        Z[2 * j] = lr + ri;
        Z[2 * j + 1] = -li + rr;
      }
    }
    fft.inverse(z, Z);
    const pos = t * s.hop;
    for (let i = 0; i < n; i++) {
      accL[pos + i] += z[2 * i] * win[i];
      accR[pos + i] += z[2 * i + 1] * win[i];
      env[pos + i] += win[i] * win[i];
    }
  }
  const l = new Float32Array(chunk);
  const r = new Float32Array(chunk);
  for (let i = 0; i < chunk; i++) {
    const e = env[half + i];
    l[i] = e > 1e-11 ? accL[half + i] / e : 0;
    r[i] = e > 1e-11 ? accR[half + i] / e : 0;
  }
  return [l, r];
}

/**
 * Runs an MDX-Net ONNX model over a block: chunks of hop x (dimT - 1) samples step by that minus nFft, and only
 * each chunk's middle (nFft/2 in from either edge) is kept, as MDX-Net's own inference does, so the model never
 * decides the output near a chunk edge. Input `[1, 4, dimF, dimT]`, output the same shape.
 */
export async function mdxSeparator(file: string, spec: MdxSpec, log?: (m: string) => void): Promise<Separator> {
  const s = checkMdxSpec(spec, file);
  const loaded = await openSession(file, { log });
  const session = loaded.session;
  const fft = new AnySizeFft(s.nFft);
  const win = hann(s.nFft);
  const trim = s.nFft / 2;
  const chunk = s.hop * (s.dimT - 1);
  const gen = chunk - 2 * trim;
  return {
    name: file,
    rate: s.sampleRate,
    channels: 2,
    vocals: async ([left, right]) => {
      const n = left.length;
      const steps = Math.ceil(n / gen);
      const padded = [left, right].map((x) => {
        const p = new Float32Array(trim + steps * gen + trim);
        p.set(x, trim);
        return p;
      });
      const outL = new Float32Array(steps * gen);
      const outR = new Float32Array(steps * gen);
      for (let i = 0; i < steps * gen; i += gen) {
        const input = mdxStft(padded[0].subarray(i, i + chunk), padded[1].subarray(i, i + chunk), s, fft, win);
        const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 4, s.dimF, s.dimT]) });
        const y = result[session.outputNames[0]].data as Float32Array;
        if (y.length !== input.length) throw new Error(`${file}: output has ${y.length} values, the contract wants [1, 4, ${s.dimF}, ${s.dimT}] (${input.length})`);
        const [l, r] = mdxIstft(y, chunk, s, fft, win);
        outL.set(l.subarray(trim, trim + gen), i);
        outR.set(r.subarray(trim, trim + gen), i);
      }
      const gain = s.compensate ?? 1;
      const stem = Float32Array.from({ length: n }, (_, i) => ((outL[i] + outR[i]) / 2) * gain); // as monoOf mixes
      if (s.stem === 'accompaniment') {
        const mix = monoOf([left, right]);
        for (let i = 0; i < n; i++) stem[i] = mix[i] - stem[i];
      }
      return stem;
    },
    release: () => session.release(),
  };
}

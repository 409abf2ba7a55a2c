import * as fs from 'node:fs';
import { loadRealFft } from '../features/realFft';
import { readManifest } from './modelPaths';
import { cutModelAt } from './onnxCut';
import { openSession, ort, type LoadedSession } from './ortSession';
import { stftMagnitudes, type StftFrontEnd } from './stftFrontEnd';

/** Shortest input fed to the encoder; shorter audio is tiled up to it so its spectrogram has enough frames. */
const MIN_SECONDS = 1;

/** A speaker (voice timbre) encoder from the model registry: waveform in, L2-normalised embedding out. */
export class SpeakerEncoder {
  private constructor(private readonly loaded: LoadedSession, readonly sampleRate: number, readonly name: string,
    private readonly frontEnd?: StftFrontEnd) {}

  /**
   * `threads`: ORT's intra-op threads (default: the cores); 1 when several workers each hold a session. A manifest
   * with a `frontEnd` gets the model cut where its spectrogram enters, and the host computes that spectrogram.
   */
  static async open(name = 'tone_color_se', log?: (m: string) => void, threads?: number): Promise<SpeakerEncoder> {
    const m = readManifest(name);
    if (!m.frontEnd) return new SpeakerEncoder(await openSession(m.path, { log, threads }), m.sampleRate, m.name);
    await loadRealFft();
    const bytes = cutModelAt(fs.readFileSync(m.path), m.frontEnd.cutAt, [1, 'frames', m.frontEnd.nFft / 2 + 1]);
    return new SpeakerEncoder(await openSession(m.path, { log, threads, bytes }), m.sampleRate, m.name, m.frontEnd);
  }

  async embed(audio: Float32Array): Promise<Float32Array> {
    const min = Math.round(MIN_SECONDS * this.sampleRate);
    let x = audio;
    if (x.length < min && x.length > 0) {
      x = new Float32Array(min);
      for (let o = 0; o < min; o += audio.length) x.set(audio.subarray(0, Math.min(audio.length, min - o)), o);
    }
    const input = this.loaded.session.inputNames[0];
    let feed: ort.Tensor;
    if (this.frontEnd) {
      const spec = stftMagnitudes(x, this.frontEnd);
      feed = new ort.Tensor('float32', spec.data, [1, spec.frames, spec.bins]);
    } else feed = new ort.Tensor('float32', x, [x.length, 1]);
    const out = await this.loaded.session.run({ [input]: feed });
    const e = Float32Array.from(out[this.loaded.session.outputNames[0]].data as Float32Array);
    let norm = 0;
    for (const v of e) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < e.length; i++) e[i] /= norm;
    return e;
  }

  async release(): Promise<void> {
    await this.loaded.session.release();
  }
}

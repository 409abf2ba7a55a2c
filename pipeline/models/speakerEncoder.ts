import { readManifest } from './modelPaths';
import { openSession, ort, type LoadedSession } from './ortSession';

/** Shortest input fed to the encoder; shorter audio is tiled up to it so its spectrogram has enough frames. */
const MIN_SECONDS = 1;

/** A speaker (voice timbre) encoder from the model registry: waveform in, L2-normalised embedding out. */
export class SpeakerEncoder {
  private constructor(private readonly loaded: LoadedSession, readonly sampleRate: number, readonly name: string) {}

  /** `threads`: ORT's intra-op threads (default: the cores); 1 when several workers each hold a session. */
  static async open(name = 'tone_color_se', log?: (m: string) => void, threads?: number): Promise<SpeakerEncoder> {
    const m = readManifest(name);
    return new SpeakerEncoder(await openSession(m.path, { log, threads }), m.sampleRate, m.name);
  }

  async embed(audio: Float32Array): Promise<Float32Array> {
    const min = Math.round(MIN_SECONDS * this.sampleRate);
    let x = audio;
    if (x.length < min && x.length > 0) {
      x = new Float32Array(min);
      for (let o = 0; o < min; o += audio.length) x.set(audio.subarray(0, Math.min(audio.length, min - o)), o);
    }
    const input = this.loaded.session.inputNames[0];
    const out = await this.loaded.session.run({ [input]: new ort.Tensor('float32', x, [x.length, 1]) });
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

import { openSession, ort, type LoadedSession } from '../models/ortSession';

/**
 * The ONNX slot for user enhancers (docs/models.md): one float32 waveform input [1, samples] at 16 kHz, one float32
 * waveform output of the same shape, whole utterance per call (clips are short). Exports of DeepFilterNet or other
 * enhancers wrapped to this interface plug in with `--denoise path/to/model.onnx`.
 */
export class OnnxWaveformEnhancer {
  private constructor(private readonly m: LoadedSession, readonly file: string) {}

  static async open(file: string, log?: (m: string) => void): Promise<OnnxWaveformEnhancer> {
    const loaded = await openSession(file, { log });
    const { inputNames, outputNames } = loaded.session;
    if (inputNames.length !== 1 || outputNames.length < 1) {
      throw new Error(`${file}: an enhancer model needs exactly one input (waveform [1, samples]); it has ${inputNames.join(', ')}`);
    }
    return new OnnxWaveformEnhancer(loaded, file);
  }

  async process(x: Float32Array): Promise<Float32Array> {
    const s = this.m.session;
    const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [1, x.length]) });
    const y = out[s.outputNames[0]].data as Float32Array;
    if (y.length !== x.length) throw new Error(`${this.file}: returned ${y.length} samples for ${x.length} (the contract is same length in and out)`);
    return Float32Array.from(y);
  }

  async release(): Promise<void> {
    await this.m.session.release();
  }
}

import { readManifest } from '../models/modelPaths';
import { openSession, ort, type LoadedSession } from '../models/ortSession';
import { processStft, sqrtHann } from './stft';

/** GTCRN streaming model at 16 kHz: one STFT frame (nfft 512, hop 256, sqrt-Hann) per call, three caches. */
export class Gtcrn {
  private constructor(private readonly m: LoadedSession) {}

  static async open(log?: (m: string) => void): Promise<Gtcrn> {
    return new Gtcrn(await openSession(readManifest('gtcrn_simple').path, { log, threads: 1 }));
  }

  async process(x: Float32Array): Promise<Float32Array> {
    const s = this.m.session;
    let conv = new Float32Array(2 * 16 * 16 * 33);
    let tra = new Float32Array(2 * 3 * 16);
    let inter = new Float32Array(2 * 33 * 16);
    const mix = new Float32Array(257 * 2);
    return processStft(x, 512, 256, sqrtHann(512), async (spec) => {
      mix.set(spec); // [257][2] real/imag interleaved: the model's [1,257,1,2] layout
      const r = await s.run({
        mix: new ort.Tensor('float32', mix, [1, 257, 1, 2]),
        conv_cache: new ort.Tensor('float32', conv, [2, 1, 16, 16, 33]),
        tra_cache: new ort.Tensor('float32', tra, [2, 3, 1, 1, 16]),
        inter_cache: new ort.Tensor('float32', inter, [2, 1, 33, 16]),
      });
      conv = Float32Array.from(r.conv_cache_out.data as Float32Array);
      tra = Float32Array.from(r.tra_cache_out.data as Float32Array);
      inter = Float32Array.from(r.inter_cache_out.data as Float32Array);
      return Float32Array.from(r.enh.data as Float32Array);
    });
  }

  async release(): Promise<void> {
    await this.m.session.release();
  }
}

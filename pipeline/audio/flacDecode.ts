import type { FLACDecoder } from '@wasm-audio-decoders/flac';

let decoder: Promise<FLACDecoder> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * A whole FLAC file decoded in-process (libFLAC compiled to WebAssembly, @wasm-audio-decoders/flac), mixed to mono
 * as ffmpeg's `-ac 1` does ((L + R) / sqrt 2 for stereo; more channels are left to ffmpeg's own matrices). Starting ffmpeg costs ~70 ms a file, more than decoding a short
 * clip takes; corpora such as LibriSpeech and the emotion sets are thousands of short FLACs. Calls are queued: one
 * decoder instance, whose WASM state must not be shared by two decodes at once. Undefined when the data is not
 * decodable here (the caller falls back to ffmpeg, which names the problem).
 */
export function decodeFlac(bytes: Uint8Array): Promise<{ samples: Float32Array; rate: number } | undefined> {
  const run = queue.then(async () => {
    decoder ??= import('@wasm-audio-decoders/flac').then(async (m) => {
      const d = new m.FLACDecoder();
      await d.ready;
      return d;
    });
    const d = await decoder;
    try {
      const r = await d.decodeFile(bytes);
      if (r.errors.length || !r.samplesDecoded || !r.channelData.length || r.channelData.length > 2) return undefined;
      const [left, right] = r.channelData;
      // the decoder scales by 1 / (2^(bits-1) - 1), ffmpeg by 1 / 2^(bits-1): match ffmpeg, as every other path does
      const full = 2 ** (r.bitDepth - 1);
      const scale = ((full - 1) / full) * (right ? Math.SQRT1_2 : 1);
      const samples = Float32Array.from(left.subarray(0, r.samplesDecoded));
      for (let i = 0; i < samples.length; i++) samples[i] = (right ? samples[i] + right[i] : samples[i]) * scale;
      return { samples, rate: r.sampleRate };
    } catch {
      return undefined;
    } finally {
      await d.reset();
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

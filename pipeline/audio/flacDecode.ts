import type CodecParser from 'codec-parser';
import type { FLACDecoder } from '@wasm-audio-decoders/flac';

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  bitDepth: number;
  errors: unknown[];
}
/** The libFLAC instance inside a FLACDecoder: decodes frames, keeps no file state between them. */
interface FrameDecoder {
  decodeFrames(frames: Uint8Array[]): Decoded;
}
interface Flac {
  decoder: FLACDecoder;
  frames?: FrameDecoder;
  Parser: typeof CodecParser;
}

let flac: Promise<Flac> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * A whole FLAC file decoded in-process (libFLAC compiled to WebAssembly, @wasm-audio-decoders/flac), mixed to mono
 * as ffmpeg's `-ac 1` does ((L + R) / sqrt 2 for stereo; more channels are left to ffmpeg's own matrices). Starting
 * ffmpeg costs ~70 ms a file, more than decoding a short clip takes; corpora such as LibriSpeech and the emotion sets
 * are thousands of short FLACs. Calls are queued: one decoder instance, whose WASM state must not be shared by two
 * decodes at once. Undefined when the data is not decodable here (the caller falls back to ffmpeg, which names the
 * problem).
 */
export function decodeFlac(bytes: Uint8Array): Promise<{ samples: Float32Array; rate: number } | undefined> {
  const run = queue.then(async () => {
    flac ??= Promise.all([import('@wasm-audio-decoders/flac'), import('codec-parser')]).then(async ([m, cp]) => {
      const decoder = new m.FLACDecoder();
      await decoder.ready;
      const inner = (decoder as unknown as { _decoder?: Partial<FrameDecoder> })._decoder;
      return { decoder, frames: typeof inner?.decodeFrames === 'function' ? (inner as FrameDecoder) : undefined, Parser: cp.default };
    });
    const f = await flac;
    try {
      const r = decodeFrames(f, bytes) ?? (await f.decoder.decodeFile(bytes) as Decoded);
      if (r.errors.length || !r.samplesDecoded || !r.channelData.length || r.channelData.length > 2) {
        await f.decoder.reset();
        return undefined;
      }
      const [left, right] = r.channelData;
      // the decoder scales by 1 / (2^(bits-1) - 1), ffmpeg by 1 / 2^(bits-1): match ffmpeg, as every other path does
      const full = 2 ** (r.bitDepth - 1);
      const scale = ((full - 1) / full) * (right ? Math.SQRT1_2 : 1);
      const samples = Float32Array.from(left.subarray(0, r.samplesDecoded));
      for (let i = 0; i < samples.length; i++) samples[i] = (right ? samples[i] + right[i] : samples[i]) * scale;
      return { samples, rate: r.sampleRate };
    } catch {
      await f.decoder.reset();
      return undefined;
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Native FLAC through the frame decoder itself: the package's decodeFile rebuilds its WebAssembly instance after
 * every file, which cost five times the decoding on short clips. Frames carry their own headers, so one instance
 * decodes file after file (npm test compares it with ffmpeg). Undefined for what it does not cover (Ogg FLAC), or
 * when the frames' sample count disagrees with what came out.
 */
function decodeFrames(f: Flac, bytes: Uint8Array): Decoded | undefined {
  if (!f.frames || (bytes[0] === 0x4f && bytes[1] === 0x67 && bytes[2] === 0x67 && bytes[3] === 0x53)) return undefined; // OggS
  const frames = [...new f.Parser('audio/flac', { enableFrameCRC32: false }).parseAll(bytes)] as unknown as { data: Uint8Array; samples: number }[];
  const r = f.frames.decodeFrames(frames.map((x) => x.data));
  return r.samplesDecoded === frames.reduce((n, x) => n + x.samples, 0) ? r : { ...r, errors: [...r.errors, 'sample count'] };
}

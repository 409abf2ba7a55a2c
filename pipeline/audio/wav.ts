import * as fs from 'node:fs';

/** A mono PCM WAV (16-bit, or 32-bit float) in one buffer: clips are short, so they are written whole. */
export function encodeWav(x: Float32Array, fs: number, format: 'pcm16' | 'float32' = 'pcm16'): Buffer {
  const bytes = format === 'pcm16' ? 2 : 4;
  // typed-array views over the (4-byte aligned) data: an order of magnitude faster than write*LE per sample
  const body = new ArrayBuffer(x.length * bytes);
  if (format === 'pcm16') {
    const v = new Int16Array(body);
    for (let i = 0; i < x.length; i++) v[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768))); // the scale ffmpeg and every decoder use
  } else new Float32Array(body).set(x);
  return Buffer.concat([wavHeader(body.byteLength, fs, format === 'pcm16' ? 1 : 3, bytes * 8), Buffer.from(body)]);
}

/** A mono integer PCM WAV around samples already in the file's byte order (16- or 24-bit little-endian). */
export function pcmWav(pcm: Buffer, rate: number, bits: 16 | 24): Buffer {
  return Buffer.concat([wavHeader(pcm.length, rate, 1, bits), pcm]);
}

/** The 44-byte header of a mono WAV holding `data` bytes: format tag 1 (integer PCM) or 3 (float). */
function wavHeader(data: number, rate: number, tag: 1 | 3, bits: number): Buffer {
  const bytes = bits / 8;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(tag, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * bytes, 28);
  h.writeUInt16LE(bytes, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data, 40);
  return h;
}

export interface WavFormat {
  /** 1 integer PCM, 3 float (an extensible header's sub-format) */
  tag: number;
  channels: number;
  rate: number;
  bits: number;
}

/**
 * The format and the data bytes (as far as the buffer holds them) of a WAV, whatever other chunks it has (ffmpeg
 * adds a LIST of its version, and writes the extensible header for deep or fast files).
 */
export function wavAudio(b: Buffer): { fmt: WavFormat; data: Buffer } | undefined {
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let fmt: WavFormat | undefined;
  for (let off = 12; off + 8 <= b.length;) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      let tag = b.readUInt16LE(off + 8);
      if (tag === 0xfffe && size >= 40) tag = b.readUInt16LE(off + 32); // WAVE_FORMAT_EXTENSIBLE: sub-format GUID
      fmt = { tag, channels: b.readUInt16LE(off + 10), rate: b.readUInt32LE(off + 12), bits: b.readUInt16LE(off + 22) };
    } else if (id === 'data' && fmt) return { fmt, data: b.subarray(off + 8, Math.min(b.length, off + 8 + size)) };
    off += 8 + size + (size % 2);
  }
  return undefined;
}

/**
 * Reads a PCM (16/24/32-bit integer or 32-bit float) WAV mixed down to mono, or returns undefined for anything
 * else so the caller can fall back to ffmpeg. Our own clips are such files: reading them here saves an ffmpeg
 * start per clip.
 */
export function decodeWav(b: Buffer): { samples: Float32Array; rate: number } | undefined {
  const wav = b.length >= 44 ? wavAudio(b) : undefined;
  if (!wav) return undefined;
  const { fmt: { tag, channels, rate, bits }, data } = wav;
  const bytes = bits / 8;
  const ok = (tag === 1 && [16, 24, 32].includes(bits)) || (tag === 3 && bits === 32);
  if (!ok || !channels) return undefined;
  const frames = Math.floor(data.length / (bytes * channels));
  const out = new Float32Array(frames);
  if (channels === 1 && (bits === 16 || tag === 3)) {
    // the common case, via an aligned copy and a typed view
    const raw = new Uint8Array(frames * bytes);
    raw.set(data.subarray(0, frames * bytes));
    if (tag === 3) out.set(new Float32Array(raw.buffer));
    else {
      const v = new Int16Array(raw.buffer);
      for (let i = 0; i < frames; i++) out[i] = v[i] / 32768;
    }
    return { samples: out, rate };
  }
  for (let i = 0; i < frames; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) {
      const p = (i * channels + c) * bytes;
      s += tag === 3 ? data.readFloatLE(p) : bits === 16 ? data.readInt16LE(p) / 32768 : bits === 24 ? data.readIntLE(p, 3) / 8388608 : data.readInt32LE(p) / 2147483648;
    }
    out[i] = s / channels;
  }
  return { samples: out, rate };
}

/**
 * Sample frames a WAV file on disk really holds: the data chunk's size, capped by the bytes that are there (a write
 * cut short by a full disk can leave a header promising more). Undefined when it is no readable WAV.
 */
export function wavFramesOnDisk(file: string): number | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    fs.readSync(fd, head, 0, head.length, 0);
    if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return undefined;
    let off = 12;
    let blockAlign = 0;
    while (off + 8 <= head.length) {
      const id = head.toString('ascii', off, off + 4);
      const chunk = head.readUInt32LE(off + 4);
      if (id === 'fmt ' && off + 22 <= head.length) blockAlign = head.readUInt16LE(off + 20);
      else if (id === 'data') return blockAlign ? Math.floor(Math.min(chunk, size - off - 8) / blockAlign) : undefined;
      off += 8 + chunk + (chunk % 2);
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

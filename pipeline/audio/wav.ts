import * as fs from 'node:fs';

/** A mono PCM WAV (16-bit, or 32-bit float) in one buffer: clips are short, so they are written whole. */
export function encodeWav(x: Float32Array, fs: number, format: 'pcm16' | 'float32' = 'pcm16'): Buffer {
  const bytes = format === 'pcm16' ? 2 : 4;
  const data = x.length * bytes;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(format === 'pcm16' ? 1 : 3, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(fs, 24);
  b.writeUInt32LE(fs * bytes, 28);
  b.writeUInt16LE(bytes, 32);
  b.writeUInt16LE(bytes * 8, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  // typed-array views over the (4-byte aligned) data: an order of magnitude faster than write*LE per sample
  const body = new ArrayBuffer(data);
  if (format === 'pcm16') {
    const v = new Int16Array(body);
    for (let i = 0; i < x.length; i++) v[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768))); // the scale ffmpeg and every decoder use
  } else new Float32Array(body).set(x);
  Buffer.from(body).copy(b, 44);
  return b;
}

/** A mono integer PCM WAV around samples already in the file's byte order (16- or 24-bit little-endian). */
export function pcmWav(pcm: Buffer, rate: number, bits: 16 | 24): Buffer {
  const bytes = bits / 8;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * bytes, 28);
  h.writeUInt16LE(bytes, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

/**
 * The format (tag, channels, rate, bits) and the data bytes of a WAV, whatever other chunks it has (ffmpeg adds a
 * LIST of its version, and writes the extensible header for deep or fast files): two files with equal ones hold the
 * same audio.
 */
export function wavAudio(b: Buffer): { format: string; data: Buffer } | undefined {
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let format: string | undefined;
  for (let off = 12; off + 8 <= b.length;) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ' && size >= 16) {
      let tag = b.readUInt16LE(off + 8);
      if (tag === 0xfffe && size >= 40) tag = b.readUInt16LE(off + 32);
      format = [tag, b.readUInt16LE(off + 10), b.readUInt32LE(off + 12), b.readUInt16LE(off + 22)].join('/');
    } else if (id === 'data' && format) return { format, data: b.subarray(off + 8, Math.min(b.length, off + 8 + size)) };
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
  if (b.length < 44 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let off = 12;
  let fmt: { tag: number; channels: number; rate: number; bits: number } | undefined;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      let tag = b.readUInt16LE(off + 8);
      if (tag === 0xfffe && size >= 40) tag = b.readUInt16LE(off + 32); // WAVE_FORMAT_EXTENSIBLE: sub-format GUID
      fmt = { tag, channels: b.readUInt16LE(off + 10), rate: b.readUInt32LE(off + 12), bits: b.readUInt16LE(off + 22) };
    } else if (id === 'data' && fmt) {
      const { tag, channels, rate, bits } = fmt;
      const bytes = bits / 8;
      const ok = (tag === 1 && [16, 24, 32].includes(bits)) || (tag === 3 && bits === 32);
      if (!ok || !channels) return undefined;
      const frames = Math.floor(Math.min(size, b.length - off - 8) / (bytes * channels));
      const out = new Float32Array(frames);
      const base = off + 8;
      if (channels === 1 && (bits === 16 || tag === 3)) {
        // the common case, via an aligned copy and a typed view
        const raw = new Uint8Array(frames * bytes);
        raw.set(b.subarray(base, base + frames * bytes));
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
          const p = base + (i * channels + c) * bytes;
          s += tag === 3 ? b.readFloatLE(p) : bits === 16 ? b.readInt16LE(p) / 32768 : bits === 24 ? b.readIntLE(p, 3) / 8388608 : b.readInt32LE(p) / 2147483648;
        }
        out[i] = s / channels;
      }
      return { samples: out, rate };
    }
    off += 8 + size + (size % 2);
  }
  return undefined;
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

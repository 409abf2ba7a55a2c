
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
  for (let i = 0; i < x.length; i++) {
    if (format === 'pcm16') b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i] * 32767))), 44 + 2 * i);
    else b.writeFloatLE(x[i], 44 + 4 * i);
  }
  return b;
}


import * as fs from 'node:fs';
import { encodeWav } from './wav';

/**
 * A 16-bit mono WAV written as it is produced (long stems never sit in memory): the header is written with empty
 * sizes and patched when the writer is closed. Samples use the same 1/32768 scale as decoding, so audio read and
 * written unchanged comes back bit for bit.
 */
export class WavWriter {
  private readonly fd: number;
  private samples = 0;

  constructor(readonly file: string, readonly rate: number) {
    this.fd = fs.openSync(file, 'w');
    fs.writeSync(this.fd, encodeWav(new Float32Array(0), rate));
  }

  write(x: Float32Array): void {
    if (!x.length) return;
    fs.writeSync(this.fd, encodeWav(x, this.rate).subarray(44));
    this.samples += x.length;
  }

  close(): void {
    const sizes = Buffer.alloc(4);
    sizes.writeUInt32LE(36 + this.samples * 2);
    fs.writeSync(this.fd, sizes, 0, 4, 4);
    sizes.writeUInt32LE(this.samples * 2);
    fs.writeSync(this.fd, sizes, 0, 4, 40);
    fs.closeSync(this.fd);
  }
}

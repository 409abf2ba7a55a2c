import * as fs from 'node:fs';
import * as path from 'node:path';

const HASH_BYTES = 32;

/**
 * Feature vectors by the sha256 of the audio file they came from: one append-only binary file per feature kind and
 * version (`<kind>-v<version>.f32`), each record the 32 hash bytes then `dims` float32s. Every vector is appended as
 * it is computed, so an interrupted run resumes with all but the record being written; a record cut short by a
 * crash is dropped when the file is next opened. Reading is one pass over packed floats, where the JSON map this
 * replaces grew to be parsed whole on every run and rewritten whole every 200 clips.
 */
export class FeatureCache {
  private readonly vectors = new Map<string, Float32Array>();
  private fd?: number;

  private constructor(readonly file: string, readonly dims: number) {}

  static open(dir: string, kind: string, version: number, dims: number): FeatureCache {
    fs.mkdirSync(dir, { recursive: true });
    pruneOtherVersions(dir, kind, version);
    const cache = new FeatureCache(path.join(dir, `${kind}-v${version}.f32`), dims);
    cache.load();
    cache.importJson(path.join(dir, `${kind}-v${version}.json`));
    return cache;
  }

  get(hash: string): Float32Array | undefined {
    return this.vectors.get(hash);
  }

  add(hash: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dims) throw new Error(`feature cache ${this.file}: a vector of ${vector.length} values, not ${this.dims}`);
    const record = Buffer.alloc(HASH_BYTES + 4 * this.dims);
    record.write(hash, 0, HASH_BYTES, 'hex');
    const v = Float32Array.from(vector);
    Buffer.from(v.buffer).copy(record, HASH_BYTES);
    this.fd ??= fs.openSync(this.file, 'a');
    fs.writeSync(this.fd, record);
    this.vectors.set(hash, v);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private load(): void {
    if (!fs.existsSync(this.file)) return;
    const bytes = fs.readFileSync(this.file);
    const size = HASH_BYTES + 4 * this.dims;
    const whole = bytes.length - (bytes.length % size);
    for (let o = 0; o < whole; o += size) {
      const v = new Float32Array(this.dims);
      new Uint8Array(v.buffer).set(bytes.subarray(o + HASH_BYTES, o + size));
      this.vectors.set(bytes.toString('hex', o, o + HASH_BYTES), v);
    }
    // a torn last record: cut it off so the next append starts on a record boundary
    if (whole < bytes.length) fs.truncateSync(this.file, whole);
  }

  /** The JSON map of earlier versions of this code, same feature version: taken over once, then removed. */
  private importJson(file: string): void {
    if (!fs.existsSync(file)) return;
    try {
      const old = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number[]>;
      for (const [hash, v] of Object.entries(old)) if (!this.vectors.has(hash) && /^[0-9a-f]{64}$/.test(hash) && v.length === this.dims) this.add(hash, v);
    } catch { /* damaged: its vectors are recomputed */ }
    this.close();
    fs.rmSync(file, { force: true });
  }
}

/** Caches of another definition of a feature can never be read again: remove them. */
function pruneOtherVersions(dir: string, kind: string, version: number): void {
  for (const f of fs.readdirSync(dir)) {
    const m = new RegExp(`^${kind}-v(\\d+)\\.(json|f32)$`).exec(f);
    if (m && Number(m[1]) !== version) fs.rmSync(path.join(dir, f), { force: true });
  }
}

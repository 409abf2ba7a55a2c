/**
 * Ingest under load (`npm run bench:ingest`, also the last part of `npm run bench`): a loopback server serves N files
 * of 1-50 MB (BENCH_INGEST_FILES, default 200) and fails at random (dropped transfers, 503s); `sds ingest` fetches
 * them all. Prints whether every file arrived whole (sha256), the throughput next to what the server manages for a
 * plain client, and the ingest process's peak RSS (flat: downloads stream to disk).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const N = Number(process.env.BENCH_INGEST_FILES ?? 200);
const MB = 1024 * 1024;
const sizeOf = (i: number) => MB * (1 + ((i * 7919) % 50)); // 1..50 MB, deterministic
const CHUNK = 256 * 1024;

/** The bytes of file i from `from` on, as deterministic pseudo-random chunks (never stored). */
function* content(i: number, from: number): Generator<Buffer> {
  const size = sizeOf(i);
  for (let pos = Math.floor(from / CHUNK) * CHUNK; pos < size; pos += CHUNK) {
    const b = Buffer.alloc(Math.min(CHUNK, size - pos));
    let x = (i * 2654435761 + pos / CHUNK * 40503 + 1) >>> 0;
    for (let k = 0; k + 4 <= b.length; k += 4) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      b.writeUInt32LE(x, k);
    }
    yield pos < from ? b.subarray(from - pos) : b;
  }
}

function expectedSha(i: number): string {
  const h = createHash('sha256');
  for (const b of content(i, 0)) h.update(b);
  return h.digest('hex');
}

let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
let failures = true;
const server = http.createServer((req, res) => {
  const m = /^\/f\/(\d+)\.mp3$/.exec(req.url ?? '');
  if (!m) return res.writeHead(404).end();
  const i = Number(m[1]);
  const from = Number(/bytes=(\d+)-/.exec(String(req.headers.range ?? ''))?.[1] ?? 0);
  const r = failures ? rand() : 1;
  if (r < 0.05) return res.writeHead(503).end();
  const dropAt = r < 0.15 ? from + Math.floor(rand() * (sizeOf(i) - from)) : Infinity;
  res.writeHead(from ? 206 : 200, { 'Content-Type': 'audio/mpeg', 'Content-Length': sizeOf(i) - from });
  const it = content(i, from);
  let sent = from;
  const pump = () => {
    for (;;) {
      const n = it.next();
      if (n.done) return res.end();
      if (sent + n.value.length > dropAt) return res.destroy();
      sent += n.value.length;
      if (!res.write(n.value)) return res.once('drain', pump);
    }
  };
  pump();
});

async function main(): Promise<void> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const total = Array.from({ length: N }, (_, i) => sizeOf(i)).reduce((a, b) => a + b, 0);
  // the server's own pace for a plain client, two at a time, no failures
  failures = false;
  const t0 = Date.now();
  let next = 0;
  await Promise.all([0, 1].map(async () => {
    while (next < Math.min(N, 20)) {
      const i = next++;
      await new Promise<void>((resolve) => http.get(`${base}/f/${i}.mp3`, (res) => res.on('data', () => undefined).on('end', resolve)));
    }
  }));
  const plainBytes = Array.from({ length: Math.min(N, 20) }, (_, i) => sizeOf(i)).reduce((a, b) => a + b, 0);
  const plain = plainBytes / MB / ((Date.now() - t0) / 1000);
  failures = true;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sds-bench-ingest-'));
  const list = path.join(dir, 'urls.txt');
  fs.writeFileSync(list, Array.from({ length: N }, (_, i) => `${base}/f/${i}.mp3`).join('\n'));
  const out = path.join(dir, 'ds');
  const t1 = Date.now();
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [path.join(__dirname, '..', 'dist', 'cli.js'), 'ingest', '--out', out, '--urls', list, '-q'], { env: { ...process.env, SDS_REPORT_RSS: '1' } });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.stdout.on('data', () => undefined);
    p.on('close', (c) => resolve({ code: c ?? -1, stderr: err }));
  });
  const wall = (Date.now() - t1) / 1000;
  const rows = fs.readFileSync(path.join(out, 'sources.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const header = fs.readFileSync(path.join(out, 'sources.csv'), 'utf8').split('\n')[0].split(',');
  const shaCol = header.indexOf('sha256');
  const urlCol = header.indexOf('url');
  let whole = 0;
  for (const r of rows) if (r[shaCol] === expectedSha(Number(/\/f\/(\d+)\.mp3/.exec(r[urlCol])![1]))) whole++;
  console.log(`\n| ingest: ${N} files, ${(total / MB).toFixed(0)} MB, ~15% of requests failing | arrived whole (sha256) | wall | throughput | plain client on the same server | peak RSS |`);
  console.log('|---|---|---|---|---|---|');
  console.log(`| sds ingest (exit ${code}) | ${whole}/${N} | ${wall.toFixed(1)} s | ${(total / MB / wall).toFixed(0)} MB/s | ${plain.toFixed(0)} MB/s | ${/peak_rss_mb=(\d+)/.exec(stderr)?.[1]} MB |`);
  fs.rmSync(dir, { recursive: true, force: true });
  server.close();
}

main();

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

export interface DownloadOptions {
  /** refuse (and stop streaming) past this many bytes */
  maxBytes?: number;
  retries?: number;
  timeoutMs?: number;
  redirects?: number;
  signal?: AbortSignal;
  onProgress?: (bytes: number, total?: number) => void;
  log?: (m: string) => void;
  /** take any content type (feeds, pages we mean to read) */
  acceptAny?: boolean;
}

export interface Downloaded {
  finalUrl: string;
  contentType: string;
  bytes: number;
}

/** An error worth another try (server trouble, a dropped or timed-out connection), as opposed to a refusal. */
class Transient extends Error {}

/** Content types that can hold audio; pages, JSON and images cannot. */
export function audioLike(contentType: string): boolean {
  const t = contentType.split(';')[0].trim().toLowerCase();
  return !t || t.startsWith('audio/') || t.startsWith('video/') || t === 'application/octet-stream' || t === 'application/ogg' || t === 'binary/octet-stream' || t === 'application/mp4';
}

/**
 * Downloads `url` into `part`, streamed to disk (never held in memory). Resumable: an existing `part` continues
 * with an HTTP Range request, after a dropped connection or a killed process. Retries 5xx, timeouts and dropped
 * connections with exponential backoff; follows at most `redirects` redirects (a loop runs out of them); refuses
 * HTML and other non-audio content types, bodies over `maxBytes`, and a body that ends short of its
 * Content-Length. The caller renames the finished part.
 */
export async function downloadTo(url: string, part: string, opts: DownloadOptions = {}): Promise<Downloaded> {
  const retries = opts.retries ?? 4;
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(url, part, opts, opts.redirects ?? 5);
    } catch (e) {
      if (!(e instanceof Transient) || attempt >= retries || opts.signal?.aborted) throw e;
      opts.log?.(`${url}: ${e.message}; retrying (${attempt + 1}/${retries})`);
      await new Promise((r) => setTimeout(r, Math.min(4000, 150 * 2 ** attempt)));
    }
  }
}

function once(url: string, part: string, opts: DownloadOptions, redirects: number): Promise<Downloaded> {
  return new Promise((resolve, reject) => {
    const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { headers: { 'User-Agent': 'speech-dataset-studio', ...(have ? { Range: `bytes=${have}-` } : {}) }, timeout: opts.timeoutMs ?? 30000, signal: opts.signal }, (res) => {
      const code = res.statusCode ?? 0;
      const fail = (e: Error) => {
        res.destroy();
        reject(e);
      };
      if (code >= 300 && code < 400 && res.headers.location) {
        res.resume();
        if (redirects <= 0) return reject(new Error(`too many redirects (a loop?) at ${url}`));
        return once(new URL(res.headers.location, url).toString(), part, opts, redirects - 1).then(resolve, reject);
      }
      const contentType = String(res.headers['content-type'] ?? '');
      if (code === 416 && have) return res.resume(), resolve({ finalUrl: url, contentType, bytes: have }); // already complete
      if (code >= 500 || code === 429) return res.resume(), reject(new Transient(`HTTP ${code}`));
      if (code !== 200 && code !== 206) return res.resume(), reject(new Error(`HTTP ${code}`));
      if (!opts.acceptAny && !audioLike(contentType)) return fail(new Error(`served ${contentType.split(';')[0]}, not audio (a web page instead of the file?)`));
      const length = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
      const start = code === 206 ? have : 0; // a server that ignores Range sends the whole file: start over
      const total = length !== undefined ? start + length : undefined;
      if (opts.maxBytes && total !== undefined && total > opts.maxBytes) return fail(new Error(`${total} bytes is over --max-size (${opts.maxBytes})`));
      if (have && code === 206) opts.log?.(`${url}: resuming at ${have} bytes`);
      const out = fs.createWriteStream(part, { flags: code === 206 ? 'a' : 'w' });
      let bytes = start;
      let done = false;
      const finish = (e?: Error) => {
        if (done) return;
        done = true;
        if (e) {
          res.destroy();
          out.destroy();
          return reject(e);
        }
        resolve({ finalUrl: url, contentType, bytes });
      };
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (opts.maxBytes && bytes > opts.maxBytes) finish(new Error(`over --max-size (${opts.maxBytes} bytes) and still coming: stopped`));
        else opts.onProgress?.(bytes, total);
      });
      res.on('aborted', () => finish(new Transient('connection dropped')));
      res.on('error', (e) => finish(new Transient(e.message)));
      out.on('error', (e) => finish(new Error(`cannot write ${part}: ${e.message}`)));
      out.on('finish', () => {
        if (!res.complete) return finish(new Transient('connection dropped'));
        if (total !== undefined && bytes !== total) return finish(new Transient(`got ${bytes} of ${total} bytes`));
        finish();
      });
      res.pipe(out);
    });
    req.on('timeout', () => req.destroy(new Transient('timed out')));
    req.on('error', (e) => reject(e instanceof Transient || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? new Transient(e.message) : e));
  });
}

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
 * What a part file was downloaded as, kept beside it (`<part>.meta`): a transfer resumes only while the server
 * confirms the same entity (If-Range), so a file changed on the server in between is fetched again, never joined.
 */
interface PartMeta {
  url: string;
  etag?: string;
  lastModified?: string;
}

const metaOf = (part: string) => `${part}.meta`;

function readMeta(part: string): PartMeta | undefined {
  try {
    return JSON.parse(fs.readFileSync(metaOf(part), 'utf8')) as PartMeta;
  } catch {
    return undefined;
  }
}

/** If-Range takes a strong ETag or a date; a weak ETag (W/"...") cannot confirm byte ranges. */
function validator(m: PartMeta | undefined): string | undefined {
  if (m?.etag && !m.etag.startsWith('W/')) return m.etag;
  return m?.lastModified;
}

/**
 * What the first bytes are when they are not audio: every audio container starts with binary magic (ID3, 0xFF sync,
 * RIFF, fLaC, OggS, ftyp, EBML), never with '<' or '{'. Servers label error pages audio/mpeg often enough.
 */
export function notAudioContent(head: Buffer): string | undefined {
  const s = head.toString('latin1').replace(/^\xEF\xBB\xBF/, '').trimStart();
  if (/^<(!doctype\s+html|html|head|body)/i.test(s)) return 'an HTML page';
  if (/^<(\?xml|rss|feed)/i.test(s)) return 'an XML document';
  if (s.startsWith('<')) return 'markup (HTML or XML)';
  if (/^[{[]/.test(s)) return 'JSON';
  return undefined;
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
    let have = fs.existsSync(part) ? fs.statSync(part).size : 0;
    const kept = have ? validator(readMeta(part)) : undefined;
    if (have && !kept) {
      // nothing to prove the server still has the same file: start over rather than join two versions
      opts.log?.(`${url}: ${have} bytes from an earlier try cannot be confirmed as the same file: downloading again`);
      have = 0;
    }
    const get = url.startsWith('https:') ? https.get : http.get;
    const range = have ? { Range: `bytes=${have}-`, 'If-Range': kept! } : {};
    const req = get(url, { headers: { 'User-Agent': 'speech-dataset-studio', ...range }, timeout: opts.timeoutMs ?? 30000, signal: opts.signal }, (res) => {
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
      if (code === 416 && have) {
        // already complete, as far as a server that checked If-Range can tell
        res.resume();
        fs.rmSync(metaOf(part), { force: true });
        return resolve({ finalUrl: url, contentType, bytes: have });
      }
      if (code >= 500 || code === 429) return res.resume(), reject(new Transient(`HTTP ${code}`));
      if (code !== 200 && code !== 206) return res.resume(), reject(new Error(`HTTP ${code}`));
      if (!opts.acceptAny && !audioLike(contentType)) return fail(new Error(`served ${contentType.split(';')[0]}, not audio (a web page instead of the file?)`));
      const length = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
      const etag = res.headers.etag;
      const lastModified = res.headers['last-modified'];
      // a 206 of another entity (a server that ignores If-Range): drop what we have and fetch it whole
      if (code === 206 && ((etag && kept?.startsWith('"') && etag !== kept) || !have)) {
        fs.rmSync(part, { force: true });
        return fail(new Transient('the server sent part of a changed file: starting over'));
      }
      const start = code === 206 ? have : 0; // a 200 is the whole file (changed, or Range ignored): start over
      if (code === 200) fs.writeFileSync(metaOf(part), JSON.stringify({ url, etag, lastModified } satisfies PartMeta));
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
        const what = opts.acceptAny ? undefined : notAudioContent(readHead(part));
        if (what) return finish(new Error(`served as ${contentType.split(';')[0] || 'no type'} but the content is ${what}, not audio`));
        fs.rmSync(metaOf(part), { force: true });
        finish();
      });
      res.pipe(out);
    });
    req.on('timeout', () => req.destroy(new Transient('timed out')));
    req.on('error', (e) => reject(e instanceof Transient || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? new Transient(e.message) : e));
  });
}

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(512);
    return b.subarray(0, fs.readSync(fd, b, 0, b.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

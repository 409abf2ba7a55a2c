import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, expandInputs, slug } from '../dataset';
import { downloadTo } from '../ingest/download';
import { parseFeed, type Episode } from '../ingest/feed';
import { parseUrlList } from '../ingest/urlList';
import { needsYtDlp, ytDlpAudio } from '../ingest/ytDlp';
import { linkOrCopy } from '../util/linkOrCopy';
import { forEachEntry } from './forEachEntry';
import { namingFile, type StageContext, type StageReport } from './types';

export interface IngestOptions {
  urls: string[];
  /** files holding URL lists */
  urlLists: string[];
  /** podcast feeds: URLs or local files */
  feeds: string[];
  /** local files and folders */
  files: string[];
  limit?: number;
  since?: string;
  maxBytes?: number;
  /** link local files instead of copying them */
  link?: boolean;
  /** downloads in flight per host */
  perHost?: number;
  /** `auto` (default): yt-dlp for sites that need a browser, plain HTTP otherwise; `yt-dlp` or `http` for every URL */
  via?: (typeof VIA)[number];
}

const EXT_BY_TYPE: Record<string, string> = { 'audio/mpeg': '.mp3', 'audio/mp3': '.mp3', 'audio/mp4': '.m4a', 'audio/x-m4a': '.m4a', 'audio/aac': '.aac', 'audio/ogg': '.ogg',
  'audio/opus': '.opus', 'audio/wav': '.wav', 'audio/x-wav': '.wav', 'audio/wave': '.wav', 'audio/flac': '.flac', 'audio/x-flac': '.flac', 'video/mp4': '.mp4', 'video/webm': '.webm', 'audio/webm': '.webm' };

/** How URLs are fetched: yt-dlp for sites that need a browser (auto), for every URL, or never. */
export const VIA = ['auto', 'yt-dlp', 'http'] as const;

interface Item {
  url: string;
  title?: string;
  published?: string;
  from: string;
}


async function fetchText(url: string, ctx: StageContext, tmp: string): Promise<string> {
  if (!/^https?:/i.test(url)) return fs.readFileSync(url, 'utf8');
  // feeds are small: download like any file (retries, size bound), then read
  const part = `${tmp}.feed`;
  fs.rmSync(part, { force: true });
  try {
    await downloadTo(url, part, { maxBytes: 20 * 1024 * 1024, signal: ctx.signal, log: ctx.log, acceptAny: true });
    return fs.readFileSync(part, 'utf8');
  } finally {
    fs.rmSync(part, { force: true });
  }
}

/**
 * `sds ingest`: downloads (URLs, URL lists, podcast feeds) and local files into <dir>/sources/ under safe names,
 * registered in sources.csv with where they came from. Nothing is written outside <dir>; a rerun fetches only what
 * is new, and a download cut short continues where it stopped.
 */
export async function runIngest(dir: string, o: IngestOptions, ctx: StageContext): Promise<StageReport> {
  const report: StageReport = { stage: 'ingest', processed: 0, skipped: 0, failed: [], summary: [] };
  const ds = new Dataset(dir);
  const srcDir = path.join(dir, 'sources');
  const partsDir = path.join(dir, '.sds', 'parts');
  fs.mkdirSync(srcDir, { recursive: true });
  fs.mkdirSync(partsDir, { recursive: true });
  const items: Item[] = o.urls.map((url) => ({ url, from: 'command line' }));
  for (const list of o.urlLists) {
    try {
      const { urls, junk } = parseUrlList(fs.readFileSync(list, 'utf8'));
      items.push(...urls.map((url) => ({ url, from: list })));
      for (const j of junk) report.failed.push({ file: list, error: `${list}:${j.line}: not an http(s) URL, skipped: ${j.text}` });
    } catch (e) {
      report.failed.push({ file: list, error: namingFile(list, e) });
    }
  }
  // a date that cannot be read is refused with the other options, before anything is written
  const since = o.since ? new Date(o.since) : undefined;
  for (const feed of o.feeds) {
    try {
      const episodes: Episode[] = [];
      let page: string | undefined = feed;
      let title = '';
      for (let pages = 0; page && pages < 20; pages++) {
        const parsed = parseFeed(await fetchText(page, ctx, path.join(partsDir, hashOf(page))), /^https?:/i.test(page) ? page : `file://${path.resolve(page)}`);
        title ||= parsed.title;
        if (parsed.duplicates) report.summary.push(`${page}: ${parsed.duplicates} items with a GUID seen before were skipped`);
        episodes.push(...parsed.episodes.filter((e) => !episodes.some((x) => x.guid === e.guid)));
        const oldest = parsed.episodes[parsed.episodes.length - 1]?.published;
        if ((o.limit && episodes.length >= o.limit) || (since && oldest && oldest < since)) break;
        page = parsed.next;
      }
      const chosen = episodes.filter((e) => !since || !e.published || e.published >= since).slice(0, o.limit ?? Infinity);
      items.push(...chosen.map((e) => ({ url: e.url, title: e.title, published: e.published?.toISOString(), from: feed })));
      report.summary.push(`${feed}: "${title}", ${episodes.length} audio episodes, ${chosen.length} taken (newest first)`);
    } catch (e) {
      report.failed.push({ file: feed, error: namingFile(feed, e) });
    }
  }

  // sources.csv is read, changed and written by one registration at a time
  let registering: Promise<unknown> = Promise.resolve();
  const register = (file: string, extra: Record<string, string>) => {
    const run = registering.then(async () => {
      const [row] = await ds.register([file]);
      const rows = ds.readSources();
      const dup = rows.find((r) => r.id !== row.id && r.sha256 === row.sha256 && fs.existsSync(r.path));
      if (dup) {
        // the same audio under another URL or name: keep the first, drop this copy and its row, and remember where
        // else it came from so a rerun does not fetch it again
        fs.rmSync(file, { force: true });
        const from = extra.url || extra.original;
        if (from) dup.also_from = [...(dup.also_from ? dup.also_from.split(' ') : []), from].filter((v, i, a) => a.indexOf(v) === i).join(' ');
        await ds.writeSources(rows.filter((r) => r.id !== row.id));
        return dup;
      }
      Object.assign(rows.find((r) => r.id === row.id)!, extra);
      await ds.writeSources(rows);
      return undefined;
    });
    registering = run.catch(() => undefined);
    return run;
  };
  /** Registers a downloaded file; true when its audio was there already under another URL (then kept once). */
  const storedOnce = async (it: Item, file: string, extra: { title: string; content_type: string }) => {
    const dup = await register(file, { url: it.url, title: extra.title, published: it.published ?? '', content_type: extra.content_type });
    if (dup) report.summary.push(`${it.url}: same audio as ${dup.url || dup.path}, stored once`);
    return !!dup;
  };
  const known = new Set(ds.readSources().filter((r) => fs.existsSync(r.path)).flatMap((r) => [r.url, ...(r.also_from ?? '').split(' ')]).filter(Boolean));

  // local files: copied (or linked) in, original path kept
  const local = expandInputs(o.files, dir);
  for (const m of local.missing) report.failed.push({ file: m, error: `${m}: no such file or folder` });
  report.failed.push(...local.bad);
  (report.warnings ??= []).push(...local.loops);
  for (const f of local.files) {
    const dest = path.join(srcDir, `${slug(f)}-${hashOf(path.resolve(f))}${path.extname(f).toLowerCase()}`);
    try {
      if (fs.existsSync(dest)) {
        report.skipped++;
        continue;
      }
      if (o.link) linkOrCopy(f, dest);
      else fs.copyFileSync(f, dest);
      const dup = await register(dest, { original: path.resolve(f), title: path.basename(f) });
      if (dup) report.summary.push(`${f}: same audio as ${dup.path}, stored once`);
      else report.processed++;
    } catch (e) {
      fs.rmSync(dest, { force: true });
      report.failed.push({ file: f, error: namingFile(f, e) });
    }
  }

  const unique = items.filter((it, i) => items.findIndex((x) => x.url === it.url) === i);
  const perHost = new Map<string, number>();
  const limit = o.perHost ?? 2;
  const slot = async (host: string) => {
    while ((perHost.get(host) ?? 0) >= limit) await new Promise((r) => setTimeout(r, 50));
    perHost.set(host, (perHost.get(host) ?? 0) + 1);
  };
  await forEachEntry({
    entries: unique, jobs: Math.max(1, ctx.jobs * 2), name: (it) => it.url,
    skip: (it) => known.has(it.url),
    process: async (it) => {
      const host = new URL(it.url).host;
      if (o.via === 'yt-dlp' || (o.via !== 'http' && needsYtDlp(it.url))) {
        const file = await ytDlpAudio(it.url, srcDir, path.join(dir, '.sds', 'yt-dlp-archive.txt'), { signal: ctx.signal, log: ctx.log });
        // yt-dlp's own archive says it was fetched before
        if (!file) return { skipped: true };
        return { skipped: await storedOnce(it, file, { title: it.title ?? path.basename(file), content_type: 'yt-dlp' }) };
      }
      await slot(host);
      const part = path.join(partsDir, `${hashOf(it.url)}.part`);
      try {
        const got = await downloadTo(it.url, part, { maxBytes: o.maxBytes, signal: ctx.signal, log: ctx.log,
          onProgress: (bytes, total) => total && ctx.progress({ kind: 'file-progress', file: it.url, fraction: bytes / total }) });
        const fromUrl = path.extname(new URL(got.finalUrl).pathname).toLowerCase();
        const ext = /^\.[a-z0-9]{2,5}$/.test(fromUrl) ? fromUrl : EXT_BY_TYPE[got.contentType.split(';')[0].trim().toLowerCase()] ?? '.bin';
        const name = slug(it.title || decodeURIComponent(path.basename(new URL(it.url).pathname)) || host);
        const dest = path.join(srcDir, `${name}-${hashOf(it.url)}${ext}`);
        fs.renameSync(part, dest);
        return { skipped: await storedOnce(it, dest, { title: it.title ?? '', content_type: got.contentType }), detail: `${got.bytes} bytes` };
      } catch (e) {
        // a refusal leaves nothing behind; a transfer that failed part way keeps its .part for the next run
        if (/max-size|not audio|HTTP 4/.test((e as Error).message)) fs.rmSync(part, { force: true });
        throw e;
      } finally {
        perHost.set(host, (perHost.get(host) ?? 1) - 1);
      }
    },
  }, report, ctx);
  await registering;
  report.summary.unshift(`${report.processed} new sources in ${srcDir}, ${report.skipped} already there`);
  return report;
}

function hashOf(s: string): string {
  return createHash('sha1').update(s).digest('hex').slice(0, 8);
}


import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { readTable } from '../../pipeline/formats/csvTable';
import { notAudioContent } from '../../pipeline/ingest/download';
import { parseFeed } from '../../pipeline/ingest/feed';
import { parseUrlList } from '../../pipeline/ingest/urlList';
import { CLI, espeak, ffmpeg, tmpDir } from '../helpers';

/** The CLI in a child process, so the loopback server in this process keeps answering. */
const sds = (...args: string[]) => run(process.execPath, [CLI, ...args, '-q'], { ...process.env, SDS_YT_DLP: '/nonexistent/yt-dlp' });
const run = (bin: string, args: string[], env: NodeJS.ProcessEnv) => new Promise<{ status: number; stdout: string }>((resolve) => {
  const p = spawn(bin, args, { env });
  let stdout = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stdout += d));
  p.on('close', (status) => resolve({ status: status ?? -1, stdout }));
});

const audio = fs.readFileSync(espeak('This is episode one of the show.', path.join(tmpDir('sds-ingest-a-'), 'ep1.wav')));
const audio2 = fs.readFileSync(espeak('And this is episode two.', path.join(tmpDir('sds-ingest-b-'), 'ep2.wav')));
const audio3 = fs.readFileSync(espeak('The third one was cut short on the first try.', path.join(tmpDir('sds-ingest-c-'), 'ep3.wav')));
const mp3File = path.join(tmpDir('sds-ingest-d-'), 'show.mp3');
ffmpeg('-i', espeak('A show only a video site would serve.', mp3File.replace(/mp3$/, 'wav')), '-c:a', 'libmp3lame', mp3File);
const showMp3 = fs.readFileSync(mp3File);
const long = Buffer.concat([audio, audio2, audio3, audio, audio2, audio3]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const hits = new Map<string, number>();
let cutOnce = true;
let changed = false;
let base = '';

const rss = (items: string) => `<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Radio &amp; Talk</title>${items}</channel></rss>`;
const item = (title: string, url: string, date: string, guid: string, type = 'audio/mpeg') =>
  `<item><title>${title}</title><guid>${guid}</guid><pubDate>${date}</pubDate><enclosure url="${url}" type="${type}" length="1"/></item>`;

const server = http.createServer((req, res) => {
  const u = req.url ?? '';
  hits.set(u, (hits.get(u) ?? 0) + 1);
  const asked = /bytes=(\d+)-/.exec(String(req.headers.range ?? ''));
  const send = (body: Buffer, type = 'audio/mpeg') => {
    // as RFC 9110 has it: a Range is honoured only while If-Range still names this entity
    const etag = `"${sha(body).slice(0, 16)}"`;
    const range = asked && (req.headers['if-range'] === undefined || req.headers['if-range'] === etag) ? asked : null;
    const from = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, { 'Content-Type': type, 'Content-Length': body.length - from, ETag: etag });
    res.end(body.subarray(from));
  };
  const range = asked;
  /** the first half of `body`, announced whole, then the connection dies */
  const halfThenDrop = (body: Buffer) => {
    res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': body.length, ETag: `"${sha(body).slice(0, 16)}"` });
    res.write(body.subarray(0, body.length >> 1));
    setTimeout(() => res.destroy(), 50);
  };
  if (u === '/ep1.mp3' || u === '/mirror/ep1-copy.mp3') return send(audio);
  if (u === '/ep2.mp3') return send(audio2);
  if (u === '/cut.mp3') {
    // the first transfer dies half way; the next one is asked for the rest (Range) and gets it
    if (cutOnce && !range) {
      cutOnce = false;
      return halfThenDrop(audio3);
    }
    return send(audio3);
  }
  if (u === '/video/show.mp3') return send(showMp3);
  if (u === '/long.wav') return send(long, 'audio/wav');
  if (u === '/500.mp3') return res.writeHead(500).end('boom');
  if (u === '/loop.mp3') return res.writeHead(302, { Location: '/loop.mp3' }).end();
  if (u === '/page.mp3') return res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>Sign in to listen</html>');
  if (u === '/lying.mp3') {
    res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': 100000 });
    res.write(audio.subarray(0, 5000));
    setTimeout(() => res.destroy(), 20);
    return;
  }
  if (u === '/huge.mp3') {
    // endless, chunked: only --max-size stops it
    res.writeHead(200, { 'Content-Type': 'audio/mpeg' });
    const chunk = Buffer.alloc(64 * 1024, 1);
    const pump = () => { while (res.write(chunk)); };
    res.on('drain', pump);
    pump();
    req.on('close', () => res.destroy());
    return;
  }
  if (u === '/feed.xml') {
    res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
    return res.end(rss(item('../../escape attempt', '/ep2.mp3', 'Tue, 02 Jan 2024 10:00:00 GMT', 'g2') + item('Episode One', '/ep1.mp3', 'Mon, 01 Jan 2024 10:00:00 GMT', 'g1') +
      item('Episode One again', '/ep1.mp3', 'Mon, 01 Jan 2024 10:00:00 GMT', 'g1') + item('Show notes', '/notes.pdf', 'Wed, 03 Jan 2024 10:00:00 GMT', 'g3', 'application/pdf')));
  }
  if (u === '/changing.mp3') {
    // version 1 breaks off half way; by the retry the file on the server is version 2
    if (!changed) {
      changed = true;
      return halfThenDrop(audio);
    }
    return send(audio3);
  }
  if (u === '/disguised.mp3') return res.writeHead(200, { 'Content-Type': 'audio/mpeg' }).end('\n  <!DOCTYPE html><html><body>This episode is no longer available</body></html>');
  if (u === '/one-link.xml') {
    // an ordinary podcast feed: exactly one <atom:link rel="self"/>, one item
    res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
    return res.end(`<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Solo</title><atom:link href="${base}/one-link.xml" rel="self" type="application/rss+xml"/><link>${base}/</link>` +
      item('Only episode', '/ep2.mp3', 'Tue, 02 Jan 2024 10:00:00 GMT', 'only') + '</channel></rss>');
  }
  if (u === '/bad.xml') return res.writeHead(200, { 'Content-Type': 'application/xml' }).end('<rss><channel><item></channel></rss>');
  res.writeHead(404).end();
});

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('URL lists: newlines, commas, comments, blank lines; junk reported by line', () => {
  const { urls, junk } = parseUrlList('# episodes\nhttp://a/1.mp3, http://a/2.mp3\n\nnot a url\nftp://x/y  # old\nhttp://a/1.mp3\n');
  assert.deepEqual(urls, ['http://a/1.mp3', 'http://a/2.mp3']);
  assert.deepEqual(junk.map((j) => j.line), [4, 5]);
});

test('feeds: RSS and Atom enclosures newest first, entities never expanded, malformed XML named', () => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>` +
    rss(item('&c;', 'http://h/x.mp3', 'Mon, 01 Jan 2024 10:00:00 GMT', 'x')).replace('<?xml version="1.0"?>', '');
  const f = parseFeed(laughs, 'http://h/feed');
  assert.equal(f.episodes[0].title, '&c;', 'the entity stays as written');
  const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link rel="next" href="/page2"/>
    <entry><id>1</id><title>Old</title><updated>2023-01-01T00:00:00Z</updated><link rel="enclosure" type="audio/ogg" href="/old.ogg"/></entry>
    <entry><id>2</id><title>New</title><updated>2024-01-01T00:00:00Z</updated><link rel="enclosure" type="audio/ogg" href="/new.ogg"/></entry></feed>`;
  const a = parseFeed(atom, 'http://h/atom');
  assert.deepEqual(a.episodes.map((e) => e.url), ['http://h/new.ogg', 'http://h/old.ogg']);
  assert.equal(a.next, 'http://h/page2');
  assert.throws(() => parseFeed('<rss><channel>', 'http://h/broken'), /http:\/\/h\/broken: not well-formed XML/);
});

test('feeds: every list the parser reads holds one element as well as many (atom:link, link, item, enclosure, entry)', () => {
  const one = `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>One</title>
    <atom:link href="http://h/feed" rel="self" type="application/rss+xml"/><link>http://h/</link>${item('Solo', '/a.mp3', 'Mon, 01 Jan 2024 10:00:00 GMT', 'a')}</channel></rss>`;
  assert.deepEqual(parseFeed(one, 'http://h/feed').episodes.map((e) => [e.title, e.url]), [['Solo', 'http://h/a.mp3']]);
  const paged = one.replace('rel="self"', 'rel="next"').replace('http://h/feed"', 'http://h/page2"');
  assert.equal(parseFeed(paged, 'http://h/feed').next, 'http://h/page2');
  const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link rel="next" href="/p2"/>
    <entry><id>1</id><title>Only</title><updated>2024-01-01T00:00:00Z</updated><link rel="enclosure" type="audio/ogg" href="/only.ogg"/></entry></feed>`;
  const a = parseFeed(atom, 'http://h/atom');
  assert.deepEqual([a.episodes.map((e) => e.url), a.next], [['http://h/only.ogg'], 'http://h/p2']);
  assert.deepEqual(parseFeed(rss(''), 'http://h/empty').episodes, []);
  // what servers label audio but is a page
  assert.equal(notAudioContent(Buffer.from('\ufeff  <!DOCTYPE html><html>')), 'an HTML page');
  assert.equal(notAudioContent(Buffer.from('<?xml version="1.0"?><rss>')), 'an XML document');
  assert.equal(notAudioContent(Buffer.from('{"error":"gone"}')), 'JSON');
  for (const magic of ['ID3\x04', 'RIFF', 'fLaC', 'OggS', '\xff\xfb\x90']) assert.equal(notAudioContent(Buffer.from(magic, 'latin1')), undefined, magic);
});

test('ingest over a loopback server: resumes a cut download, dedups by hash, refuses what is not audio, follows feeds, reruns fetch nothing', { timeout: 120000 }, async () => {
  const dir = tmpDir('sds-ingest-');
  const list = path.join(tmpDir('sds-ingest-list-'), 'links.txt');
  fs.writeFileSync(list, `# the show\n${base}/ep1.mp3, ${base}/mirror/ep1-copy.mp3\n${base}/cut.mp3\njunk line here\n${base}/500.mp3\n${base}/404.mp3\n${base}/loop.mp3\n${base}/page.mp3\n${base}/lying.mp3\n${base}/huge.mp3\n`);
  const local = espeak('A local recording.', path.join(tmpDir('sds-ingest-local-'), 'My Recording (final).wav'));
  const r = await sds('ingest', '--out', dir, 'https://www.youtube.com/watch?v=aqz-KE-bpKQ', '--urls', list, '--rss', `${base}/feed.xml`, '--rss', `${base}/bad.xml`, '--limit', '2', '--max-size', '2M', local);
  assert.equal(r.status, 1, r.stdout);
  const errors = (s: string) => assert.match(r.stdout, new RegExp(s));
  errors('links\\.txt:4: not an http\\(s\\) URL, skipped: junk line here');
  errors('500\\.mp3: HTTP 500');
  errors('404\\.mp3: HTTP 404');
  errors('loop\\.mp3: too many redirects');
  errors('page\\.mp3: served text/html, not audio');
  errors('lying\\.mp3: (connection dropped|got \\d+ of 100000 bytes)');
  errors('huge\\.mp3: over --max-size');
  errors('bad\\.xml: not well-formed XML');
  errors('same audio as');
  // a site that needs a browser goes through yt-dlp; without it, a message that says how to get it (here: not on PATH)
  errors('watch\\?v=aqz-KE-bpKQ: this site needs yt-dlp, which is not installed: install it');
  const rows = readTable(path.join(dir, 'sources.csv'));
  const byUrl = new Map(rows.map((x) => [x.url, x]));
  assert.equal(byUrl.get(`${base}/cut.mp3`)?.sha256, sha(audio3), `the resumed download is whole\n${r.stdout}\n${JSON.stringify(rows, null, 1)}`);
  assert.equal(hits.get('/cut.mp3'), 2);
  assert.equal(rows.filter((x) => x.sha256 === sha(audio)).length, 1, 'ep1 from two URLs (and the feed) is stored once');
  assert.equal(byUrl.get(`${base}/ep2.mp3`)?.title, '../../escape attempt');
  assert.ok(byUrl.get(`${base}/ep2.mp3`)?.published.startsWith('2024-01-02'));
  assert.ok(rows.some((x) => x.original === path.resolve(local) && x.title === 'My Recording (final).wav'));
  for (const x of rows) assert.ok(path.resolve(x.path).startsWith(path.join(dir, 'sources') + path.sep), `${x.path} stays in sources/`);
  // only the transfer that broke part way keeps its .part for the next run; refusals (HTML, --max-size) keep nothing
  const parts = fs.readdirSync(path.join(dir, '.sds', 'parts')).filter((f) => f.endsWith('.part'));
  assert.ok(parts.length <= 1, parts.join(', '));
  const sizes = (d: string): number[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sizes(path.join(d, e.name)) : [fs.statSync(path.join(d, e.name)).size]));
  assert.ok(Math.max(...sizes(dir)) < 2 * 1024 * 1024, 'the endless download was stopped at --max-size and dropped');
  assert.ok(!fs.existsSync(path.join(dir, '..', 'escape attempt')));

  const before = new Map(hits);
  const again = await sds('ingest', '--out', dir, `${base}/ep1.mp3`, `${base}/mirror/ep1-copy.mp3`, `${base}/ep2.mp3`, `${base}/cut.mp3`);
  assert.equal(again.status, 0, again.stdout);
  assert.match(again.stdout, /0 new sources/);
  for (const u of ['/ep1.mp3', '/mirror/ep1-copy.mp3', '/ep2.mp3', '/cut.mp3']) assert.equal(hits.get(u), before.get(u), `${u} not fetched again`);

  // the sources are ready for the pipeline: segment the folder
  const seg = await sds('segment', path.join(dir, 'sources'), '--out', dir, '--no-gender');
  assert.equal(seg.status, 0, seg.stdout);
  assert.match(seg.stdout, new RegExp(`segment: ${rows.length} processed`));
  for (const x of rows) assert.ok(fs.existsSync(path.join(dir, 'segments', `${x.id}.csv`)));
  assert.equal(readTable(path.join(dir, 'sources.csv')).length, rows.length, 'segment reuses the ingested ids');
});

const hasYtDlp = run('yt-dlp', ['--version'], process.env).then((r) => r.status === 0);

test('--via yt-dlp: the real yt-dlp fetches a page URL, its archive makes a rerun skip it', { timeout: 120000 }, async (t) => {
  if (!(await hasYtDlp)) return t.skip('yt-dlp is not installed (scripts/setup.sh installs it)');
  const dir = tmpDir('sds-ingest-ytdlp-');
  const env = { ...process.env, SDS_YT_DLP: '' };
  const r = await run(process.execPath, [CLI, 'ingest', '--out', dir, '--via', 'yt-dlp', `${base}/video/show.mp3`, '-q'], env);
  assert.equal(r.status, 0, r.stdout);
  const rows = readTable(path.join(dir, 'sources.csv'));
  assert.equal(rows.length, 1, r.stdout);
  assert.equal(rows[0].content_type, 'yt-dlp');
  assert.equal(rows[0].sha256, sha(showMp3), 'what yt-dlp stored is what was served');
  assert.ok(path.resolve(rows[0].path).startsWith(path.join(dir, 'sources') + path.sep));
  assert.match(fs.readFileSync(path.join(dir, '.sds', 'yt-dlp-archive.txt'), 'utf8'), /^generic show$/m);
  const served = hits.get('/video/show.mp3');
  const again = await run(process.execPath, [CLI, 'ingest', '--out', dir, '--via', 'yt-dlp', `${base}/video/show.mp3`, '-q'], env);
  assert.equal(again.status, 0, again.stdout);
  assert.equal(hits.get('/video/show.mp3'), served, 'not fetched again');
  assert.equal(readTable(path.join(dir, 'sources.csv')).length, 1);
});

test('a write that fails part way (file size limit: EFBIG) names the URL, keeps the .part, and the next run resumes it', { timeout: 60000 }, async () => {
  const dir = tmpDir('sds-ingest-efbig-');
  // bash ignores SIGXFSZ so writes past `ulimit -f` (KiB) fail with EFBIG instead of killing node; the limit is inherited
  const limited = await run('bash', ['-c', `trap '' XFSZ; ulimit -f ${Math.floor(long.length / 1024 / 2)}; exec "$0" "$@"`, process.execPath, CLI, 'ingest', '--out', dir, `${base}/long.wav`, '-q'], process.env);
  assert.equal(limited.status, 1, limited.stdout);
  assert.match(limited.stdout, /long\.wav: .*(EFBIG|file too large)/i);
  const parts = fs.readdirSync(path.join(dir, '.sds', 'parts')).filter((f) => f.endsWith('.part'));
  assert.equal(parts.length, 1, 'the partial download is kept');
  const partial = fs.statSync(path.join(dir, '.sds', 'parts', parts[0])).size;
  assert.ok(partial > 0 && partial < long.length, `${partial} of ${long.length} bytes`);
  assert.equal(readTable(path.join(dir, 'sources.csv')).length, 0, 'nothing half-written is registered');
  const resumed = await sds('ingest', '--out', dir, `${base}/long.wav`);
  assert.equal(resumed.status, 0, resumed.stdout);
  const rows = readTable(path.join(dir, 'sources.csv'));
  assert.equal(rows.length, 1);
  assert.equal(rows[0].sha256, sha(long), 'the resumed file is whole');
});

test('hostile HTTP: a file changed between two tries is fetched again whole, HTML labelled audio/mpeg is refused, a feed with one atom:link is read', { timeout: 60000 }, async () => {
  const dir = tmpDir('sds-ingest-hostile-');
  const r = await sds('ingest', '--out', dir, `${base}/changing.mp3`, `${base}/disguised.mp3`, '--rss', `${base}/one-link.xml`);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /disguised\.mp3: served as audio\/mpeg but the content is an HTML page, not audio/);
  assert.match(r.stdout, /one-link\.xml: "Solo", 1 audio episodes, 1 taken/, 'the feed is read');
  const rows = readTable(path.join(dir, 'sources.csv'));
  const byUrl = new Map(rows.map((x) => [x.url, x]));
  // never half of version 1 joined to the rest of version 2
  assert.equal(byUrl.get(`${base}/changing.mp3`)?.sha256, sha(audio3), JSON.stringify(rows, null, 1));
  assert.equal(byUrl.get(`${base}/ep2.mp3`)?.title, 'Only episode');
  assert.ok(!rows.some((x) => x.url === `${base}/disguised.mp3`), 'the page is not a source');
  assert.deepEqual(fs.readdirSync(path.join(dir, '.sds', 'parts')).filter((f) => f.endsWith('.part')), [], 'the refused page leaves no part');
});

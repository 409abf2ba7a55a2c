import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface Episode {
  url: string;
  title: string;
  published?: Date;
  type?: string;
  length?: number;
  guid: string;
}

export interface ParsedFeed {
  title: string;
  episodes: Episode[];
  /** the next page of a paged feed (rel="next"), when there is one */
  next?: string;
  duplicates: number;
}

// entities are never expanded (no billion laughs, no external entities): text keeps its &name; as written
// every element a feed may repeat is read as a list, one occurrence or many (a single <atom:link/> is no object)
const LISTS = new Set(['channel', 'item', 'entry', 'link', 'atom:link', 'enclosure']);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: false, htmlEntities: false, parseTagValue: false, trimValues: true,
  isArray: (name) => LISTS.has(name) });

/** A value as a list whatever the XML held: absent, one element, or many. */
const list = (v: unknown): any[] => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);

const text = (v: unknown): string => Array.isArray(v) ? text(v[0]) : (v === undefined || v === null ? '' : typeof v === 'object' ? String((v as Record<string, unknown>)['#text'] ?? '') : String(v)).trim();
const AUDIO = /^(audio|video)\//i;
const AUDIO_EXT = /\.(mp3|m4a|aac|ogg|opus|oga|wav|flac|mp4|m4v|webm)(\?|$)/i;

/** A few XML entities that titles carry, decoded by hand (the parser expands none). */
function unescape(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (m, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()];
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
  });
}

/**
 * Podcast feeds, RSS 2.0 (with iTunes tags) and Atom: audio enclosures, newest first, with titles and dates.
 * Malformed XML is an error naming the feed; duplicate GUIDs are counted and dropped.
 */
export function parseFeed(xml: string, base: string): ParsedFeed {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`${base}: not well-formed XML (${valid.err.msg}, line ${valid.err.line})`);
  const doc = parser.parse(xml) as Record<string, any>;
  const abs = (u: string) => new URL(unescape(u), base).toString();
  const out: Episode[] = [];
  let title = '';
  let next: string | undefined;
  const nextLink = (links: unknown) => list(links).find((l) => typeof l === 'object' && l?.['@rel'] === 'next')?.['@href'];
  const ch = list(doc.rss?.channel)[0];
  if (ch) {
    title = unescape(text(ch.title));
    next = nextLink(ch['atom:link']) ?? nextLink(ch.link);
    for (const it of list(ch.item)) {
      const enc = list(it.enclosure).find((e: any) => e?.['@url'] && (AUDIO.test(e['@type'] ?? '') || AUDIO_EXT.test(e['@url'])));
      if (!enc) continue;
      const date = text(it.pubDate) || text(it['dc:date']);
      out.push({ url: abs(enc['@url']), title: unescape(text(it['itunes:title']) || text(it.title)), published: date ? new Date(date) : undefined,
        type: enc['@type'], length: Number(enc['@length']) || undefined, guid: text(it.guid) || enc['@url'] });
    }
  } else if (doc.feed) {
    const f = doc.feed;
    title = unescape(text(f.title));
    next = nextLink(f.link);
    for (const e of list(f.entry)) {
      const enc = list(e.link).find((l: any) => l?.['@rel'] === 'enclosure' && l['@href'] && (AUDIO.test(l['@type'] ?? '') || AUDIO_EXT.test(l['@href'])));
      if (!enc) continue;
      const date = text(e.published) || text(e.updated);
      out.push({ url: abs(enc['@href']), title: unescape(text(e.title)), published: date ? new Date(date) : undefined, type: enc['@type'],
        length: Number(enc['@length']) || undefined, guid: text(e.id) || enc['@href'] });
    }
  } else throw new Error(`${base}: neither an RSS 2.0 nor an Atom feed`);
  const seen = new Set<string>();
  const episodes = out.filter((e) => (seen.has(e.guid) ? false : (seen.add(e.guid), true)));
  episodes.sort((a, b) => (b.published?.getTime() || 0) - (a.published?.getTime() || 0));
  return { title, episodes, next: next ? abs(next) : undefined, duplicates: out.length - episodes.length };
}

/**
 * A list of URLs as people keep them (the seed's link files): one per line or comma separated, `#` comments, blank
 * lines. Anything that is not an http(s) URL is reported with its line number, never fetched.
 */
/** An http(s) address, as opposed to a local file or folder. */
export const isUrl = (s: string) => /^https?:\/\//i.test(s);

export function parseUrlList(text: string): { urls: string[]; junk: { line: number; text: string }[] } {
  const urls: string[] = [];
  const junk: { line: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    for (const part of line.split(',').map((p) => p.trim()).filter(Boolean)) {
      let ok = false;
      try {
        const u = new URL(part);
        ok = u.protocol === 'http:' || u.protocol === 'https:';
      } catch { /* junk */ }
      if (ok) {
        if (!urls.includes(part)) urls.push(part);
      } else junk.push({ line: i + 1, text: part.slice(0, 120) });
    }
  });
  return { urls, junk };
}

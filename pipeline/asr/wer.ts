const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen',
  'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ABBREVIATIONS: Record<string, string> = { mr: 'mister', mrs: 'missus', ms: 'miss', dr: 'doctor', st: 'saint', ok: 'okay' };

/** A whole number as English words, as LibriSpeech's references spell them ("twenty three"). */
export function numberWords(n: number): string {
  if (n < 20) return ONES[n];
  if (n < 100) return TENS[Math.floor(n / 10)] + (n % 10 ? ` ${ONES[n % 10]}` : '');
  if (n < 1000) return `${ONES[Math.floor(n / 100)]} hundred` + (n % 100 ? ` ${numberWords(n % 100)}` : '');
  if (n < 1e6) return `${numberWords(Math.floor(n / 1000))} thousand` + (n % 1000 ? ` ${numberWords(n % 1000)}` : '');
  return String(n);
}

/**
 * English text as word error rate compares it: lower case, punctuation gone (apostrophes inside words kept), common
 * abbreviations written out ("mr" = "mister") and numbers as words, so "Mr. Hale, 23" scores equal to
 * "MISTER HALE TWENTY THREE".
 */
export function normaliseText(text: string): string[] {
  return text.toLowerCase().replace(/[’‘]/g, '\'').replace(/\d+/g, (d) => ` ${numberWords(Number(d))} `)
    .replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).map((w) => w.replace(/^'+|'+$/g, '')).filter(Boolean)
    .map((w) => ABBREVIATIONS[w] ?? w).join(' ').split(' ').filter(Boolean);
}

/** Word-level edit distance (substitutions, deletions, insertions) of a hypothesis against a reference, both normalised. */
export function wordErrors(reference: string, hypothesis: string): { errors: number; words: number } {
  const r = normaliseText(reference);
  const h = normaliseText(hypothesis);
  let prev = Array.from({ length: h.length + 1 }, (_, j) => j);
  for (let i = 1; i <= r.length; i++) {
    const cur = [i];
    for (let j = 1; j <= h.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1));
    prev = cur;
  }
  return { errors: prev[h.length], words: r.length };
}

/** A word of a transcript: its text, when it is spoken (seconds from the start of the clip), and how sure the model is. */
export interface Word {
  word: string;
  start: number;
  end: number;
  /** mean probability of the word's tokens */
  p: number;
}

/** A word the model gave less than this probability is worth a listen: the clip table marks it, and counts them per clip. */
export const UNCERTAIN_WORD_P = 0.5;

/** Encoder frames per second: 1500 frames for 30 s. */
export const ATTENTION_FRAMES_PER_SECOND = 50;
const MEDIAN_WIDTH = 7;
const PREPEND = new Set(['"', '\'', '“', '¿', '(', '[', '{', '-']);
const APPEND = new Set(['"', '\'', '.', '。', ',', '，', '!', '！', '?', '？', ':', '：', '”', ')', ']', '}', '、']);

/** Dynamic time warping of a cost matrix (rows x cols), as openai/whisper's dtw_cpu: the monotonic path from corner to corner. */
export function dtw(cost: Float32Array, rows: number, cols: number): { row: number[]; col: number[] } {
  const W = cols + 1;
  const acc = new Float64Array((rows + 1) * W).fill(Infinity);
  const trace = new Int8Array((rows + 1) * W).fill(-1);
  acc[0] = 0;
  for (let j = 1; j <= cols; j++) {
    for (let i = 1; i <= rows; i++) {
      const c0 = acc[(i - 1) * W + j - 1];
      const c1 = acc[(i - 1) * W + j];
      const c2 = acc[i * W + j - 1];
      let c: number;
      let t: number;
      if (c0 < c1 && c0 < c2) [c, t] = [c0, 0];
      else if (c1 < c0 && c1 < c2) [c, t] = [c1, 1];
      else [c, t] = [c2, 2];
      acc[i * W + j] = cost[(i - 1) * cols + j - 1] + c;
      trace[i * W + j] = t;
    }
  }
  for (let j = 0; j <= cols; j++) trace[j] = 2;
  for (let i = 0; i <= rows; i++) trace[i * W] = 1;
  const row: number[] = [];
  const col: number[] = [];
  let i = rows;
  let j = cols;
  while (i > 0 || j > 0) {
    row.push(i - 1);
    col.push(j - 1);
    const t = trace[i * W + j];
    if (t === 0) {
      i--;
      j--;
    } else if (t === 1) i--;
    else j--;
  }
  return { row: row.reverse(), col: col.reverse() };
}

/** Median over a sliding window along each row, reflect-padded at the ends (scipy's and openai/whisper's). */
export function medianFilterRows(x: Float32Array, rows: number, cols: number, width = MEDIAN_WIDTH): Float32Array {
  const half = width >> 1;
  const out = new Float32Array(x.length);
  const win = new Float32Array(width);
  const at = (r: number, c: number) => {
    let k = c < 0 ? -c : c >= cols ? 2 * (cols - 1) - c : c;
    k = Math.max(0, Math.min(cols - 1, k));
    return x[r * cols + k];
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // insertion sort: seven numbers, far cheaper than TypedArray.sort's call
      for (let k = 0; k < width; k++) {
        const v = at(r, c + k - half);
        let j = k;
        while (j > 0 && win[j - 1] > v) {
          win[j] = win[j - 1];
          j--;
        }
        win[j] = v;
      }
      out[r * cols + c] = win[half];
    }
  }
  return out;
}

/**
 * Token-to-time alignment from the alignment heads' cross-attention (as openai/whisper's `find_alignment` and
 * transformers' token timestamps): each head's weights over the frames that hold audio, standardised over the tokens,
 * median-filtered, averaged over heads, then DTW. `maps`: per head, [tokens x 1500] rows for the positions that
 * predict each text token and the end token. Returns the time (s) each of those tokens starts.
 */
export function tokenStartTimes(maps: Float32Array[], tokens: number, frames: number, stride = 1500): number[] {
  const matrix = new Float32Array(tokens * frames);
  for (const m of maps) {
    const w = new Float32Array(tokens * frames);
    for (let t = 0; t < tokens; t++) for (let f = 0; f < frames; f++) w[t * frames + f] = m[t * stride + f];
    for (let f = 0; f < frames; f++) {
      let mean = 0;
      for (let t = 0; t < tokens; t++) mean += w[t * frames + f];
      mean /= tokens;
      let v = 0;
      for (let t = 0; t < tokens; t++) v += (w[t * frames + f] - mean) ** 2;
      const sd = Math.sqrt(v / tokens) || 1;
      for (let t = 0; t < tokens; t++) w[t * frames + f] = (w[t * frames + f] - mean) / sd;
    }
    const filtered = medianFilterRows(w, tokens, frames);
    for (let i = 0; i < matrix.length; i++) matrix[i] -= filtered[i] / maps.length; // DTW minimises: the negated mean
  }
  const { row, col } = dtw(matrix, tokens, frames);
  const starts: number[] = [];
  for (let k = 0; k < row.length; k++) if (k === 0 || row[k] !== row[k - 1]) starts.push(col[k] / ATTENTION_FRAMES_PER_SECOND);
  return starts;
}

/** Tokens grouped into words as openai/whisper does for languages with spaces: a token that starts with a space (or is punctuation) starts a word. */
export function splitWords(pieces: string[]): { text: string; tokens: number[] }[] {
  const words: { text: string; tokens: number[] }[] = [];
  pieces.forEach((p, i) => {
    const punct = p.trim().length > 0 && [...p.trim()].every((ch) => PREPEND.has(ch) || APPEND.has(ch));
    if (!words.length || p.startsWith(' ') || punct) words.push({ text: p, tokens: [i] });
    else {
      words[words.length - 1].text += p;
      words[words.length - 1].tokens.push(i);
    }
  });
  return words;
}

const SENTENCE_END = new Set(['.', '。', '!', '！', '?', '？']);

/**
 * Words with times and probabilities from token pieces, each token's start time (one more: the end token's) and
 * probability. As openai/whisper: a word longer than twice the median (a sentence's full stop that DTW stretches
 * over the pause after it) is cut at a sentence boundary; then opening punctuation joins the word after it and
 * closing punctuation the word before.
 */
export function wordsOf(pieces: string[], starts: number[], probs: number[], offset = 0): Word[] {
  const units = splitWords(pieces).map((w) => ({ text: w.text, start: starts[w.tokens[0]], end: starts[w.tokens[w.tokens.length - 1] + 1], tokens: w.tokens }));
  const durations = units.map((u) => u.end - u.start).filter((d) => d > 0).sort((a, b) => a - b);
  if (durations.length) {
    const mid = durations.length >> 1;
    const median = Math.min(0.7, durations.length % 2 ? durations[mid] : (durations[mid - 1] + durations[mid]) / 2);
    const max = 2 * median;
    for (let i = 1; i < units.length; i++) {
      if (units[i].end - units[i].start <= max) continue;
      if (SENTENCE_END.has(units[i].text.trim())) units[i].end = units[i].start + max;
      else if (SENTENCE_END.has(units[i - 1].text.trim())) units[i].start = units[i].end - max;
    }
  }
  const merge = (a: (typeof units)[number], b: (typeof units)[number]) => ({ text: a.text + b.text, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end), tokens: [...a.tokens, ...b.tokens] });
  for (let i = units.length - 2; i >= 0; i--) {
    if (units[i].text.startsWith(' ') && PREPEND.has(units[i].text.trim())) units.splice(i, 2, merge(units[i], units[i + 1]));
  }
  for (let i = 1; i < units.length; i++) {
    if (!units[i - 1].text.endsWith(' ') && APPEND.has(units[i].text.trim())) units.splice(--i, 2, merge(units[i], units[i + 1]));
  }
  return units.filter((u) => u.text.trim()).map((u) => ({
    word: u.text.trim(), start: +(offset + u.start).toFixed(2), end: +(offset + u.end).toFixed(2),
    p: +(u.tokens.reduce((sum, i) => sum + probs[i], 0) / u.tokens.length).toFixed(3),
  }));
}

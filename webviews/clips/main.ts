/**
 * The clip table: every clip of clips.csv with play, a small waveform, metrics and scores, and its transcript,
 * in a virtualised list (only the rows in view exist in the DOM). Typed transcripts go back to the extension, which
 * edits the document; the table re-renders from the snapshot that follows.
 */
import type { ClipsMessage, ClipsSnapshot } from '../protocol';
import { columnsFor, headHtml, spokenAt, uncertain, visibleRows, windowOf, wordsHtml, type Column, type Row } from './view';
import { transcriptPathOf } from '../../pipeline/asr/transcriptPath';
import type { Word } from '../../pipeline/asr/wordAlign';
import { escapeHtml } from '../escapeHtml';

declare function acquireVsCodeApi(): { postMessage(m: ClipsMessage): void };
const vscode = acquireVsCodeApi();
const ROW_H = 36;
const WAVE_W = 96;

let snap: ClipsSnapshot | undefined;
let columns: Column[] = [];
let order: number[] = [];
let sortBy: Column | undefined;
let descending = false;
let selected: string | undefined; // path of the selected clip
let playing: string | undefined;
const drafts = new Map<string, string>(); // typed, not yet in the document
const waves = new Map<string, Float32Array | 'pending' | 'failed'>();
// transcripts/<clip>.json of machine transcripts, fetched for rows in view; again when the clip's transcript changes
const words = new Map<string, { text: string; words: Word[] | 'pending' }>();

document.getElementById('app')!.innerHTML = `
  <div class="bar">
    <input id="filter" class="filter" placeholder="Filter: text, or label=female and snr>20" spellcheck="false">
    <span id="count" class="count"></span>
  </div>
  <div class="help"><kbd>Enter</kbd> on a row plays it and focuses its transcript &middot; in a transcript, <kbd>Tab</kbd> / <kbd>Shift+Tab</kbd>
    saves it and plays the next / previous clip, <kbd>Enter</kbd> saves and replays, <kbd>Esc</kbd> undoes the typing &middot;
    <kbd>F8</kbd> / <kbd>Shift+F8</kbd> the next / previous clip with <span class="uncertain-sample">uncertain words</span> &middot;
    <kbd>&uarr;</kbd> <kbd>&darr;</kbd> select &middot; <kbd>Space</kbd> play / stop &middot; click a header to sort &middot; <kbd>Ctrl+S</kbd> saves clips.csv</div>
  <div id="notice" class="notice" hidden></div>
  <div id="head" class="head"></div>
  <div id="scroller" class="scroller"><div id="spacer" class="spacer"></div></div>
  <audio id="player" preload="none"></audio>`;
const scroller = document.getElementById('scroller')!;
const spacer = document.getElementById('spacer')!;
const player = document.getElementById('player') as HTMLAudioElement;
const filterInput = document.getElementById('filter') as HTMLInputElement;

const rows = (): Row[] => snap?.rows ?? [];
const rowByPath = (p: string | undefined) => rows().find((r) => r.path === p);
const audioUrl = (r: Row) => (snap?.baseUrl ?? '') + (r.clean_path || r.path).split('/').map(encodeURIComponent).join('/');

function refilter(): void {
  const v = visibleRows(rows(), filterInput.value, sortBy, descending);
  order = v.order;
  filterInput.classList.toggle('invalid', !!v.error);
  filterInput.title = v.error ?? '';
  document.getElementById('count')!.textContent = `${order.length} of ${rows().length} clips` +
    ` · ${rows().filter((r) => r.transcript).length} transcribed${v.error ? ` · filter: ${v.error}` : ''}`;
  spacer.style.height = `${order.length * ROW_H}px`;
  renderHead();
  render();
}

function renderHead(): void {
  const head = document.getElementById('head')!;
  head.innerHTML = headHtml(columns, WAVE_W, sortBy, descending);
}

const TRANSCRIPT_COLUMN: Column = { key: 'transcript', title: 'transcript', width: 0, text: (r) => r.transcript ?? '', sort: (r) => r.transcript ?? '' };

document.getElementById('head')!.addEventListener('click', (e) => {
  const key = (e.target as HTMLElement).closest<HTMLElement>('.sortable')?.dataset.key;
  if (!key) return;
  const col = key === 'transcript' ? TRANSCRIPT_COLUMN : columns.find((c) => c.key === key);
  descending = sortBy?.key === key ? !descending : false;
  sortBy = col;
  refilter();
});

let rerendering = false;
function render(): void {
  // activeElement outlives the frame's focus: restoring it while the workbench (say a quick pick) has the focus
  // would pull the focus back into the webview and close what the user is typing into
  const focused = document.hasFocus() ? (document.activeElement as HTMLInputElement | null) : null;
  const focusPath = focused?.classList.contains('transcript') ? focused.dataset.path : undefined;
  const caret = focusPath ? [focused!.selectionStart, focused!.selectionEnd] : undefined;
  const { first, last } = windowOf(scroller.scrollTop, scroller.clientHeight, ROW_H, order.length);
  const html: string[] = [];
  for (let k = first; k < last; k++) {
    const i = order[k];
    const r = rows()[i];
    const flag = snap?.flags[i];
    const cls = ['row', r.path === selected ? 'selected' : '', r.path === playing ? 'playing' : '', flag ? 'flagged' : '', r.excluded === 'yes' ? 'excluded' : ''].join(' ');
    html.push(`<div class="${cls}" data-path="${esc(r.path)}" style="top:${k * ROW_H}px">` +
      `<button class="cell play" title="Play / stop">${r.path === playing ? '■' : '▶'}</button>` +
      `<canvas class="cell wave" width="${WAVE_W}" height="24" data-path="${esc(r.path)}"></canvas>` +
      columns.map((c) => `<span class="cell" style="width:${c.width}px" title="${esc(c.key === 'path' ? r.path : c.text(r))}">${esc(c.text(r))}</span>`).join('') +
      `<span class="cell tcell"><span class="words${r.text_source === 'asr' ? ' asr' : ''}" data-path="${esc(r.path)}"></span>` +
      `<input class="transcript${r.text_source === 'asr' ? ' asr' : ''}" data-path="${esc(r.path)}" spellcheck="true" placeholder="transcript" title="${r.text_source === 'asr' ? `machine transcript${r.asr_flag ? ` (${esc(r.asr_flag)})` : ''}: edit to confirm` : ''}"></span>` +
      `<span class="cell flag" title="${esc(flag ?? '')}">${flag ? '⚠' : ''}</span></div>`);
  }
  // Chromium fires focusout on the focused box as it leaves the DOM: that is not the user leaving it, and committing
  // there would put half a typed word into the document as an undo step of its own
  rerendering = true;
  spacer.innerHTML = html.join('');
  rerendering = false;
  for (const input of Array.from(spacer.querySelectorAll<HTMLInputElement>('input.transcript'))) {
    const r = rowByPath(input.dataset.path);
    input.value = drafts.get(input.dataset.path!) ?? r?.transcript ?? '';
    if (r?.text_source === 'asr') showWords(input);
  }
  for (const c of Array.from(spacer.querySelectorAll<HTMLCanvasElement>('canvas.wave'))) drawWave(c);
  if (focusPath) {
    const again = spacer.querySelector<HTMLInputElement>(`input.transcript[data-path="${CSS.escape(focusPath)}"]`);
    if (again) {
      again.focus();
      if (caret) again.setSelectionRange(caret[0], caret[1]);
    }
  }
}

const esc = escapeHtml;

/** The word spans behind a machine transcript's box, fetched once per clip; hidden as soon as the text differs. */
function showWords(input: HTMLInputElement): void {
  const p = input.dataset.path!;
  const layer = input.previousElementSibling as HTMLElement;
  const text = rowByPath(p)?.transcript ?? '';
  const cached = words.get(p);
  if (cached?.text !== text) {
    const entry = { text, words: 'pending' as Word[] | 'pending' };
    words.set(p, entry);
    fetch((snap?.baseUrl ?? '') + transcriptPathOf(p).split('/').map(encodeURIComponent).join('/'))
      .then((res) => (res.ok ? res.json() : { words: [] })).then((j: { words?: Word[] }) => (entry.words = j.words ?? []))
      .catch(() => (entry.words = [])).finally(requestRender);
    return;
  }
  const w = cached.words;
  if (w === 'pending') return;
  const html = wordsHtml(input.value, w, p === playing ? spokenAt(w, player.currentTime) : -1);
  layer.innerHTML = html ?? '';
  input.classList.toggle('over-words', !!html);
  layer.scrollLeft = input.scrollLeft;
}

/** While a clip plays, the word being spoken follows the audio. */
function followSpeech(): void {
  if (!playing || player.paused) return;
  const input = spacer.querySelector<HTMLInputElement>(`input.transcript[data-path="${CSS.escape(playing)}"]`);
  const w = words.get(playing)?.words;
  if (input && Array.isArray(w)) {
    const i = spokenAt(w, player.currentTime);
    for (const span of Array.from((input.previousElementSibling as HTMLElement).querySelectorAll<HTMLElement>('.w'))) span.classList.toggle('spoken', Number(span.dataset.i) === i);
  }
  requestAnimationFrame(followSpeech);
}
player.addEventListener('playing', () => requestAnimationFrame(followSpeech));

/** The next (or previous) clip in view order whose machine transcript is worth checking. */
function nextUncertain(from: string | undefined, step: 1 | -1): string | undefined {
  const k = from ? order.findIndex((i) => rows()[i].path === from) : -1;
  for (let j = k + step; j >= 0 && j < order.length; j += step) if (uncertain(rows()[order[j]])) return rows()[order[j]].path;
  return undefined;
}

function jumpUncertain(from: string | undefined, step: 1 | -1): void {
  const next = nextUncertain(from, step);
  if (!next) return;
  focusTranscript(next);
  play(next);
}

let audioCtx: AudioContext | undefined;
let inFlight = 0;
/** A clip's envelope, decoded in the webview and kept: only rows in view ask, a few at a time. */
function drawWave(canvas: HTMLCanvasElement): void {
  const p = canvas.dataset.path!;
  const w = waves.get(p);
  const g = canvas.getContext('2d')!;
  if (w instanceof Float32Array) {
    g.fillStyle = getComputedStyle(document.body).getPropertyValue('--vscode-editor-foreground') || '#888';
    for (let x = 0; x < w.length; x++) {
      const h = Math.max(1, w[x] * canvas.height);
      g.fillRect(x, (canvas.height - h) / 2, 1, h);
    }
    return;
  }
  if (w || inFlight >= 3) return;
  const r = rowByPath(p);
  if (!r) return;
  waves.set(p, 'pending');
  inFlight++;
  audioCtx ??= new AudioContext();
  fetch(audioUrl(r)).then((res) => res.arrayBuffer()).then((buf) => audioCtx!.decodeAudioData(buf)).then((audio) => {
    const x = audio.getChannelData(0);
    const env = new Float32Array(WAVE_W);
    const step = x.length / WAVE_W;
    let max = 1e-6;
    for (let b = 0; b < WAVE_W; b++) {
      let m = 0;
      for (let i = Math.floor(b * step); i < Math.floor((b + 1) * step); i++) m = Math.max(m, Math.abs(x[i]));
      env[b] = m;
      max = Math.max(max, m);
    }
    waves.set(p, env.map((v) => v / max));
  }).catch(() => waves.set(p, 'failed')).finally(() => {
    inFlight--;
    requestRender();
  });
}

let queued = false;
function requestRender(): void {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    render();
  });
}
scroller.addEventListener('scroll', requestRender, { passive: true });
new ResizeObserver(requestRender).observe(scroller);

function play(p: string | undefined, toggle = false): void {
  const r = rowByPath(p);
  if (!r) return;
  if (toggle && playing === p && !player.paused) {
    player.pause();
    return;
  }
  playing = p;
  player.src = audioUrl(r);
  player.currentTime = 0;
  void player.play().catch(() => undefined);
  requestRender();
}
player.addEventListener('pause', () => {
  playing = undefined;
  requestRender();
});
player.addEventListener('ended', () => {
  playing = undefined;
  requestRender();
});

function select(p: string | undefined, reveal = true): void {
  selected = p;
  if (reveal && p) {
    const k = order.findIndex((i) => rows()[i].path === p);
    if (k >= 0 && (k * ROW_H < scroller.scrollTop || (k + 1) * ROW_H > scroller.scrollTop + scroller.clientHeight)) scroller.scrollTop = Math.max(0, k * ROW_H - scroller.clientHeight / 2);
  }
  render();
}

const sent = new Map<string, string>(); // last text sent per clip, so a blur after Tab does not send it twice
function commit(p: string, value: string): void {
  const r = rowByPath(p);
  if (!r || (r.transcript ?? '') === value) {
    drafts.delete(p);
    return;
  }
  drafts.set(p, value);
  if (sent.get(p) === value) return;
  sent.set(p, value);
  vscode.postMessage({ type: 'transcript', path: p, text: value });
}

function focusTranscript(p: string): void {
  select(p);
  spacer.querySelector<HTMLInputElement>(`input.transcript[data-path="${CSS.escape(p)}"]`)?.focus();
}

/** The clip `step` rows away from `p` in the current order. */
function neighbour(p: string, step: number): string | undefined {
  const k = order.findIndex((i) => rows()[i].path === p);
  const j = order[k + step];
  return j === undefined ? undefined : rows()[j].path;
}

spacer.addEventListener('click', (e) => {
  const t = e.target as HTMLElement;
  const p = t.closest<HTMLElement>('.row')?.dataset.path;
  if (!p) return;
  if (t.classList.contains('play')) play(p, true);
  if (!t.classList.contains('transcript')) select(p, false);
  else selected = p;
});
spacer.addEventListener('input', (e) => {
  const t = e.target as HTMLInputElement;
  if (t.classList.contains('transcript')) {
    drafts.set(t.dataset.path!, t.value);
    if (rowByPath(t.dataset.path)?.text_source === 'asr') showWords(t);
  }
});
// a long transcript scrolls inside its box: the words behind it follow
spacer.addEventListener('keyup', (e) => {
  const t = e.target as HTMLInputElement;
  if (t.classList.contains('transcript') && t.previousElementSibling) (t.previousElementSibling as HTMLElement).scrollLeft = t.scrollLeft;
});
spacer.addEventListener('focusout', (e) => {
  const t = e.target as HTMLInputElement;
  if (!rerendering && t.classList.contains('transcript') && drafts.has(t.dataset.path!)) commit(t.dataset.path!, t.value);
});
spacer.addEventListener('keydown', (e) => {
  const t = e.target as HTMLInputElement;
  if (!t.classList.contains('transcript')) return;
  const p = t.dataset.path!;
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
    // the box's text first, then the save (VS Code's own save could overtake the edit)
    e.preventDefault();
    e.stopPropagation();
    commit(p, t.value);
    vscode.postMessage({ type: 'save' });
    return;
  }
  // VS Code's other keybindings (the palette, undo, quick open) reach the workbench
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === 'F8') {
    e.preventDefault();
    e.stopPropagation();
    commit(p, t.value);
    jumpUncertain(p, e.shiftKey ? -1 : 1);
    return;
  }
  if (e.key === 'Tab') {
    e.preventDefault();
    commit(p, t.value);
    const next = neighbour(p, e.shiftKey ? -1 : 1);
    if (next) {
      focusTranscript(next);
      play(next);
    }
  } else if (e.key === 'Enter') {
    e.preventDefault();
    commit(p, t.value);
    play(p);
  } else if (e.key === 'Escape') {
    drafts.delete(p);
    t.value = rowByPath(p)?.transcript ?? '';
  }
  e.stopPropagation();
});
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || (e.target as HTMLElement).tagName === 'INPUT') return;
  if (e.key === 'F8') {
    e.preventDefault();
    return jumpUncertain(selected, e.shiftKey ? -1 : 1);
  }
  const cur = selected ?? (order.length ? rows()[order[0]].path : undefined);
  if (!cur) return;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') select(neighbour(cur, e.key === 'ArrowDown' ? 1 : -1) ?? cur);
  else if (e.key === 'Enter') {
    focusTranscript(cur);
    play(cur);
  } else if (e.key === ' ') play(cur, true);
  else return;
  e.preventDefault();
});
filterInput.addEventListener('input', refilter);

window.addEventListener('message', (e: MessageEvent<ClipsSnapshot>) => {
  if (e.data?.type !== 'clips') return;
  snap = e.data;
  columns = columnsFor(snap.columns);
  if (sortBy) sortBy = sortBy.key === 'transcript' ? TRANSCRIPT_COLUMN : columns.find((c) => c.key === sortBy!.key);
  for (const [p, v] of drafts) if ((rowByPath(p)?.transcript ?? '') === v) drafts.delete(p);
  for (const [p, v] of sent) if ((rowByPath(p)?.transcript ?? '') === v) sent.delete(p);
  const notice = document.getElementById('notice')!;
  notice.hidden = !snap.notice;
  notice.textContent = snap.notice ?? '';
  refilter();
});
vscode.postMessage({ type: 'ready' });

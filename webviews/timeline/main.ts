/**
 * The timeline view: renders the snapshot it is given with wavesurfer.js and turns gestures and keys into table
 * edits (tableEdits.ts) sent back to the extension. It holds no truth of its own: every change returns as a new
 * snapshot from the document.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import WaveSurfer from 'wavesurfer.js';
import HoverPlugin from 'wavesurfer.js/plugins/hover';
import MinimapPlugin from 'wavesurfer.js/plugins/minimap';
import RegionsPlugin, { type Region } from 'wavesurfer.js/plugins/regions';
import SpectrogramPlugin from 'wavesurfer.js/plugins/spectrogram';
import TimelinePlugin from 'wavesurfer.js/plugins/timeline';
import ZoomPlugin from 'wavesurfer.js/plugins/zoom';
import type { TimelineMessage, TimelineSnapshot } from '../protocol';
import { add, indexAt, mergeNext, moveBoundary, relabel, remove, shownIndices, splitAt, toggled, totals, type Seg } from './tableEdits';
import { escapeHtml } from '../escapeHtml';

declare function acquireVsCodeApi(): { postMessage(m: TimelineMessage): void };
const vscode = acquireVsCodeApi();

const COLOURS: Record<string, string> = {
  male: 'rgba(66, 133, 244, 0.35)', female: 'rgba(219, 68, 160, 0.35)', speech: 'rgba(52, 168, 83, 0.35)',
  music: 'rgba(251, 188, 4, 0.35)', noise: 'rgba(150, 150, 150, 0.35)', noEnergy: 'rgba(0, 0, 0, 0.06)',
};
const colour = (label: string) => COLOURS[label] ?? 'rgba(120, 80, 200, 0.3)';
const css = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

let snap: TimelineSnapshot | undefined;
let segs: Seg[] = [];
let selected = -1;
let loop = false;
let ws: WaveSurfer | undefined;
let regions: ReturnType<typeof RegionsPlugin.create> | undefined;
/** the transcript lane: words (or typed texts) of the source's clips, a strip along the bottom of the waveform */
let lane: ReturnType<typeof RegionsPlugin.create> | undefined;
let laneItems: TimelineSnapshot['lane'] = [];
let loaded = '';
let spectrogram: unknown;
let spectrogramUrl: string | undefined;
let loading: Promise<void> = Promise.resolve();

const app = document.getElementById('app')!;
app.innerHTML = `
  <div class="bar">
    <vscode-button id="play" title="Play / pause (Space)">Play</vscode-button>
    <vscode-button id="playRegion" secondary title="Play the selected region (P)">Play region</vscode-button>
    <vscode-checkbox id="loop" title="Loop the selected region (L)">Loop</vscode-checkbox>
    <vscode-single-select id="rate" title="Playback rate">
      <vscode-option value="0.5">0.5x</vscode-option><vscode-option value="1" selected>1x</vscode-option>
      <vscode-option value="1.5">1.5x</vscode-option><vscode-option value="2">2x</vscode-option>
    </vscode-single-select>
    <vscode-button id="zoomRegion" secondary title="Zoom to the selected region (Z)">Zoom to region</vscode-button>
    <vscode-button id="reslice" secondary title="Save the table and cut this file's clips again from it (Shift+R)">Slice this file again</vscode-button>
    <vscode-button id="enroll" secondary title="Use the selected region as a speaker's clean reference (E)">Enroll selection as speaker</vscode-button>
    <vscode-single-select id="stem" title="Hear and see the original, or the vocals stem from sds separate (V)" hidden>
      <vscode-option value="mixture" selected>Mixture</vscode-option><vscode-option value="vocals">Vocals</vscode-option>
    </vscode-single-select>
    <span id="time" class="time"></span>
  </div>
  <div id="notice" class="notice" hidden></div>
  <div id="wave"></div>
  <div id="legend" class="legend"></div>
  <div class="help">Click a region to select it. Drag an edge to move a boundary (neighbours follow).
    <kbd>1</kbd>-<kbd>6</kbd> relabel &middot; <kbd>S</kbd> split at cursor &middot; <kbd>M</kbd> merge with next &middot;
    <kbd>Del</kbd> delete (merge into previous) &middot; <kbd>[</kbd> <kbd>]</kbd> previous/next region &middot;
    <kbd>I</kbd> mark in, <kbd>O</kbd> add a speech region from the mark to the cursor &middot;
    <kbd>Space</kbd> play &middot; <kbd>P</kbd> play region &middot; <kbd>L</kbd> loop &middot; <kbd>Z</kbd> zoom to region &middot;
    <kbd>+</kbd>/<kbd>-</kbd> zoom &middot; <kbd>E</kbd> enroll the selection as a speaker (asks for a name) &middot; <kbd>Shift+R</kbd> save and slice this file again &middot; <kbd>V</kbd> mixture / vocals stem &middot; <kbd>Ctrl+Z</kbd> undo, <kbd>Ctrl+S</kbd> save (VS Code's own).</div>`;

function edit(next: Seg[], description: string): void {
  if (next === segs) return;
  segs = next; // optimistic, the snapshot that follows confirms it
  vscode.postMessage({ type: 'edit', segments: next, description });
}

/**
 * The selected region's look: an outline in the theme's focus colour and a selection-coloured wash over its label's
 * tint. Regions live in wavesurfer's shadow DOM, reachable by their `part` names (region seg-N), and wavesurfer
 * rewrites an element's part and inline colour on every update, so the rule names the region instead of marking it.
 */
const selectionStyle = document.head.appendChild(document.createElement('style'));
// a share of the theme's selection colour: high-contrast themes make it opaque white, which would hide the waveform
document.documentElement.style.setProperty('--sds-selection-wash', 'color-mix(in srgb, var(--vscode-editor-selectionBackground) 45%, transparent)');

function select(i: number, seek = true): void {
  selected = Math.max(-1, Math.min(segs.length - 1, i));
  selectionStyle.textContent = selected < 0 ? '' : `#wave ::part(seg-${selected}) {
    outline: 2px solid var(--vscode-focusBorder); outline-offset: -2px; z-index: 1;
    background-image: linear-gradient(var(--sds-selection-wash), var(--sds-selection-wash));
  }`;
  if (selected >= 0 && seek) ws?.setTime(segs[selected].start);
  renderLegend();
}

let markIn: number | undefined;
/** labels switched off in the legend: not drawn (a view setting, never written to the table) */
let hidden: ReadonlySet<string> = new Set();

function renderLegend(): void {
  const t = totals(segs);
  const labels = snap?.labels ?? [];
  document.getElementById('legend')!.innerHTML = labels.map((l, k) =>
    `<span class="chip${hidden.has(l) ? ' off' : ''}" role="button" aria-pressed="${!hidden.has(l)}" title="${hidden.has(l) ? 'show' : 'hide'} ${escapeHtml(l)} regions (key ${k + 1} relabels the selected one)" data-label="${escapeHtml(l)}"><span class="swatch" style="background:${colour(l)}"></span>${k + 1} ${escapeHtml(l)} <b>${(t.get(l) ?? 0).toFixed(1)} s</b></span>`).join('') +
    `<span class="count" id="count">${segs.length} segments${selected >= 0 ? ` &middot; selected #${selected + 1}: ${escapeHtml(segs[selected].label)} ${segs[selected].start}-${segs[selected].stop} s` : ''}</span>`;
}

let laneDrawn: TimelineSnapshot['lane'] | undefined;
function renderLane(): void {
  if (!lane || laneDrawn === laneItems) return;
  laneDrawn = laneItems;
  lane.clearRegions();
  laneItems.forEach((w, i) => {
    const r = lane!.addRegion({ id: `word-${i}`, start: w.start, end: w.end, content: w.text, drag: false, resize: false, color: 'transparent' });
    // a strip under the label regions: the words' captions never cover the waveform's segments
    Object.assign(r.element!.style, { top: 'auto', bottom: '0', height: '18px', pointerEvents: 'none', overflow: 'hidden', whiteSpace: 'nowrap', fontSize: '11px' });
    r.element!.setAttribute('part', 'word'); // not a label region: selections, counts and styles of regions skip it
    if (w.uncertain) r.element!.style.textDecoration = `underline wavy ${css('--vscode-editorWarning-foreground', '#cca700')}`;
    r.element!.title = w.text;
  });
  document.body.dataset.laneWords = String(laneItems.length); // for the e2e tests
}

function renderRegions(): void {
  renderLane();
  if (!regions) return renderLegend();
  regions.clearRegions();
  // region labels make wavesurfer lay out overlapping captions pairwise (quadratic): colour alone past a few hundred
  const captions = segs.length <= 300;
  for (const i of shownIndices(segs, hidden)) {
    const s = segs[i];
    regions.addRegion({ id: `seg-${i}`, start: s.start, end: s.stop, color: colour(s.label), content: captions ? s.label : undefined, drag: false, resize: true, minLength: 0.02 });
  }
  select(selected);
}

async function load(s: TimelineSnapshot): Promise<void> {
  const key = `${s.audioUrl}|${s.peaksUrl}`;
  if (ws && key === loaded) return;
  loaded = key;
  let peaks: number[] | undefined;
  if (s.peaksUrl) peaks = await fetchPeaks(s.peaksUrl);
  const duration = s.duration;
  peaks ??= new Array(Math.max(1, Math.round(duration * 10))).fill(0);
  if (!ws) {
    regions = RegionsPlugin.create();
    lane = RegionsPlugin.create();
    ws = WaveSurfer.create({
      container: '#wave', height: 140, normalize: true, waveColor: css('--vscode-editor-foreground', '#888'),
      progressColor: css('--vscode-progressBar-background', '#0a84ff'), cursorColor: css('--vscode-editorCursor-foreground', '#fff'),
      plugins: [regions, lane, TimelinePlugin.create(), MinimapPlugin.create({ height: 24 }), HoverPlugin.create(), ZoomPlugin.create({ scale: 0.5, maxZoom: 2000 })],
    });
    wireEvents();
  }
  await ws.load(s.audioUrl ?? '', [peaks], duration).catch(() => undefined);
  document.body.dataset.audio = s.audioUrl ?? ''; // what is loaded, for the e2e tests
  if (s.spectrogramUrl !== spectrogramUrl) {
    // pre-computed by the host: the plugin only draws it (files over 15 min get none); a stem switch redraws it
    (spectrogram as { destroy(): void } | undefined)?.destroy();
    spectrogram = undefined;
    spectrogramUrl = s.spectrogramUrl;
    if (s.spectrogramUrl) spectrogram = ws.registerPlugin(SpectrogramPlugin.create({ frequenciesDataUrl: s.spectrogramUrl, sampleRate: 16000, fftSamples: 512, height: 120, labels: true }));
  }
}

/** The host's cached peaks; a failed fetch (the webview's resource loader can drop one) is retried, then drawn flat. */
async function fetchPeaks(url: string): Promise<number[] | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const r = await fetch(url);
      if (r.ok) return (await r.json()).peaks;
    } catch (e) {
      console.warn(`peaks fetch failed (attempt ${attempt + 1}): ${(e as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
  }
  showNotice('The waveform could not be loaded; segments are shown on a flat line.');
  return undefined;
}

function showNotice(text: string | undefined): void {
  const notice = document.getElementById('notice')!;
  notice.hidden = !text;
  notice.textContent = text ?? '';
}

function wireEvents(): void {
  // a click selects the region under it; wavesurfer itself moves the cursor to the clicked point
  regions!.on('region-clicked', (r: Region) => select(Number(r.id.slice(4)), false));
  // live feedback: the neighbour's edge follows the dragged one
  regions!.on('region-update', (r: Region, side?: 'start' | 'end') => {
    const i = Number(r.id.slice(4));
    const n = regions!.getRegions().find((x) => x.id === `seg-${side === 'start' ? i - 1 : i + 1}`);
    if (n) n.setOptions(side === 'start' ? { end: r.start } : { start: r.end });
  });
  regions!.on('region-updated', (r: Region, side?: 'start' | 'end') => {
    const i = Number(r.id.slice(4));
    const next = side === 'start' ? moveBoundary(segs, i, r.start) : moveBoundary(segs, i + 1, r.end);
    selected = i;
    edit(next, 'Move boundary');
    renderRegions();
  });
  // the button says what it will do
  ws!.on('play', () => (document.getElementById('play')!.textContent = 'Pause'));
  ws!.on('pause', () => (document.getElementById('play')!.textContent = 'Play'));
  ws!.on('timeupdate', (t) => {
    document.getElementById('time')!.textContent = `${t.toFixed(2)} / ${ws!.getDuration().toFixed(2)} s`;
    if (loop && selected >= 0 && t >= segs[selected].stop) ws!.setTime(segs[selected].start);
  });
}

const actions: Record<string, () => void> = {
  play: () => ws?.playPause(),
  playRegion: () => selected >= 0 && ws?.play(segs[selected].start, loop ? undefined : segs[selected].stop),
  zoomRegion: () => {
    if (selected < 0 || !ws) return;
    const s = segs[selected];
    ws.zoom(Math.max(1, (document.getElementById('wave')!.clientWidth * 0.9) / Math.max(0.05, s.stop - s.start)));
    ws.setTime(s.start);
    // a zoom keeps the scroll where it was: bring the region into view, a twentieth of it before its start
    ws.setScrollTime(Math.max(0, s.start - (s.stop - s.start) / 20));
  },
  reslice: () => vscode.postMessage({ type: 'reslice' }),
  enroll: () => selected >= 0 && vscode.postMessage({ type: 'enroll', start: segs[selected].start, stop: segs[selected].stop }),
  split: () => ws && edit(splitAt(segs, ws.getCurrentTime()), 'Split'),
  merge: () => selected >= 0 && edit(mergeNext(segs, selected), 'Merge with next'),
  remove: () => {
    if (selected < 0) return;
    edit(remove(segs, selected), 'Delete region');
    select(selected - 1);
  },
};
for (const id of ['play', 'playRegion', 'zoomRegion', 'reslice', 'enroll']) {
  const button = document.getElementById(id)!;
  // the focus leaves the button, or Space would both press it again and reach the key handler (play, then pause)
  button.addEventListener('click', () => {
    actions[id]();
    button.blur();
  });
}
document.getElementById('loop')!.addEventListener('change', (e) => (loop = (e.target as HTMLInputElement).checked));
const stemSelect = document.getElementById('stem') as HTMLSelectElement;
const switchStem = (stem: 'mixture' | 'vocals') => vscode.postMessage({ type: 'stem', stem });
stemSelect.addEventListener('change', () => switchStem(stemSelect.value as 'mixture' | 'vocals'));
document.getElementById('rate')!.addEventListener('change', (e) => ws?.setPlaybackRate(Number((e.target as HTMLSelectElement).value)));
// as in every audio tool, a legend click shows or hides that label's regions; relabelling is the keys' (1-9)
document.getElementById('legend')!.addEventListener('click', (e) => {
  const l = (e.target as HTMLElement).closest<HTMLElement>('.chip')?.dataset.label;
  if (!l) return;
  hidden = toggled(hidden, l);
  renderRegions();
});

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return; // undo, save, ... are VS Code's
  const labels = snap?.labels ?? [];
  const k = e.key;
  // Space and Enter on a focused control are that control's (a button reached with Tab presses itself)
  if ((k === ' ' || k === 'Enter') && (e.target as HTMLElement).closest?.('vscode-button, button, vscode-checkbox, vscode-single-select, select, input')) return;
  if (/^[1-9]$/.test(k) && labels[Number(k) - 1] && selected >= 0) edit(relabel(segs, selected, labels[Number(k) - 1]), `Relabel as ${labels[Number(k) - 1]}`);
  else if (k === ' ') actions.play();
  else if (k === 'p' || k === 'P') actions.playRegion();
  else if (k === 's' || k === 'S') actions.split();
  else if (k === 'm' || k === 'M') actions.merge();
  else if (k === 'Delete' || k === 'Backspace') actions.remove();
  else if (k === 'z' || k === 'Z') actions.zoomRegion();
  // a key that starts a pipeline job takes Shift: a stray R must not re-cut a file's clips
  else if (k === 'R' && e.shiftKey) actions.reslice();
  else if (k === 'e' || k === 'E') actions.enroll();
  else if ((k === 'v' || k === 'V') && snap?.hasVocals) switchStem(snap.stem === 'vocals' ? 'mixture' : 'vocals');
  else if (k === 'i' || k === 'I') markIn = ws?.getCurrentTime();
  else if ((k === 'o' || k === 'O') && markIn !== undefined && ws) {
    const [a, b] = [markIn, ws.getCurrentTime()];
    const next = add(segs, a, b, 'speech');
    markIn = undefined;
    edit(next, 'Add region');
    renderRegions();
    select(indexAt(next, (a + b) / 2), false);
  }
  else if (k === 'l' || k === 'L') {
    loop = !loop;
    (document.getElementById('loop') as HTMLInputElement).checked = loop;
  } else if (k === '[' || k === ']') select(selected < 0 ? indexAt(segs, ws?.getCurrentTime() ?? 0) : selected + (k === ']' ? 1 : -1));
  else if (k === '+' || k === '=') ws?.zoom((ws.options.minPxPerSec || 10) * 1.5);
  else if (k === '-') ws?.zoom((ws.options.minPxPerSec || 10) / 1.5);
  else return;
  e.preventDefault();
});

window.addEventListener('message', (e: MessageEvent<TimelineSnapshot>) => {
  if (e.data?.type !== 'snapshot') return;
  snap = e.data;
  segs = e.data.segments;
  laneItems = e.data.lane ?? [];
  showNotice(e.data.notice);
  stemSelect.hidden = !e.data.hasVocals;
  if (stemSelect.value !== e.data.stem) stemSelect.value = e.data.stem;
  if (selected >= segs.length) selected = segs.length - 1;
  const next = e.data;
  // snapshots load one after another, and the regions are drawn even when loading the audio failed
  loading = loading.then(() => load(next)).catch((err) => console.error(`timeline load: ${(err as Error).message}`)).then(() => renderRegions());
});
vscode.postMessage({ type: 'ready' });

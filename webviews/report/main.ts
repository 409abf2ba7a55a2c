import * as Plot from '@observablehq/plot';
import type { ReportData } from '../../pipeline/report/reportData';
import { escapeHtml } from '../escapeHtml';

// The dataset report, drawn with Observable Plot from the data embedded in the page (report.html and the VS Code
// webview are the same page): no remote loads, colours from the theme (VS Code's variables, or the system's).

const data = JSON.parse(document.getElementById('sds-report-data')!.textContent!) as ReportData;

function colours() {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { fg: v('--vscode-foreground', v('--fg', '#222')), a: v('--vscode-charts-blue', v('--blue', '#1f77b4')), b: v('--vscode-charts-orange', v('--orange', '#e8710a')),
    rule: v('--vscode-charts-red', v('--red', '#d62728')) };
}

const h = (n: number) => (n >= 1 ? `${n.toFixed(2)} h` : `${(n * 60).toFixed(1)} min`);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function section(root: HTMLElement, title: string, note?: string): HTMLElement {
  const s = document.createElement('section');
  s.innerHTML = `<h2>${escapeHtml(title)}</h2>${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}`;
  root.append(s);
  return s;
}

function chart(into: HTMLElement, make: () => Element | undefined, empty: string): void {
  const el = make();
  if (el) into.append(el);
  else into.insertAdjacentHTML('beforeend', `<p class="empty">${escapeHtml(empty)}</p>`);
}

/** Two distributions on one axis (before / after), overlaid, not stacked: the same bins for both. */
function beforeAfter(c: ReturnType<typeof colours>, x: { before: number[]; after: number[] }, label: string) {
  if (!x.after.length) return undefined;
  const all = [...x.before, ...x.after];
  const [lo, hi] = [Math.floor(Math.min(...all)), Math.ceil(Math.max(...all))];
  const step = Math.max(0.5, (hi - lo) / 30);
  const thresholds = Array.from({ length: Math.ceil((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
  const bars = (values: number[], fill: string) => Plot.rectY(values, Plot.binX<Plot.RectYOptions>({ y: 'count' }, { x: (d: number) => d, thresholds, fill, fillOpacity: 0.55 }));
  return Plot.plot({ height: 220, marginLeft: 50, x: { label }, y: { label: 'clips', grid: true }, color: { domain: ['before', 'after'], range: [c.b, c.a], legend: true },
    marks: [bars(x.before, c.b), bars(x.after, c.a), Plot.ruleY([0])] });
}

function render(): void {
  const root = document.getElementById('app')!;
  root.replaceChildren();
  const c = colours();
  root.style.color = c.fg;
  const t = data.totals;
  root.insertAdjacentHTML('beforeend', `<h1>${escapeHtml(data.dataset)}</h1><p class="totals">${t.sources} sources · ${t.clips} clips (${t.kept} kept) · ${h(t.hours)} kept</p>`);

  chart(section(root, 'Hours and clips per label'), () => data.labels.length ? Plot.plot({ height: 40 + 28 * data.labels.length, marginLeft: 80, x: { label: 'hours', grid: true }, y: { label: null },
    marks: [Plot.barX(data.labels, { x: 'hours', y: 'label', fill: c.a, sort: { y: '-x' } }), Plot.text(data.labels, { x: 'hours', y: 'label', text: (d: { clips: number }) => `${d.clips} clip${d.clips === 1 ? "" : "s"}`, dx: 4, textAnchor: 'start', fill: c.fg })] }) : undefined,
  'No clips yet: run the slice stage.');

  chart(section(root, 'Clip durations'), () => data.durations.length ? Plot.plot({ height: 220, marginLeft: 50, x: { label: 'seconds' }, y: { label: 'clips', grid: true },
    marks: [Plot.rectY(data.durations, Plot.binX<Plot.RectYOptions>({ y: 'count' }, { x: (d: number) => d, fill: c.a })), Plot.ruleY([0])] }) : undefined, 'No clips yet.');

  chart(section(root, 'Loudness before and after cleaning', 'integrated loudness, LUFS (EBU R128)'), () => beforeAfter(c, data.loudness, 'LUFS'), 'No cleaned clips yet: run the clean stage.');
  chart(section(root, 'SNR before and after cleaning', 'estimated signal-to-noise ratio, dB'), () => beforeAfter(c, data.snr, 'dB'), 'No cleaned clips yet: run the clean stage.');

  const emo = section(root, 'Emotion classes');
  if (data.emotions.length) {
    emo.insertAdjacentHTML('beforeend', `<table><thead><tr><th>class</th><th>clips</th><th>share</th><th>hours</th></tr></thead><tbody>${data.emotions.map((e) =>
      `<tr><td>${escapeHtml(e.emotion)}</td><td>${e.clips}</td><td>${pct(e.share)}</td><td>${e.hours.toFixed(3)}</td></tr>`).join('')}</tbody></table>`);
    chart(emo, () => Plot.plot({ height: 40 + 26 * data.emotions.length, marginLeft: 90, x: { label: 'clips', grid: true }, y: { label: null }, marks: [Plot.barX(data.emotions, { x: 'clips', y: 'emotion', fill: c.a, sort: { y: '-x' } })] }), '');
  } else emo.insertAdjacentHTML('beforeend', '<p class="empty">No emotion scores yet: run the tone-classify stage.</p>');

  const sim = section(root, 'Speaker similarity');
  if (!data.similarity.length) sim.insertAdjacentHTML('beforeend', '<p class="empty">No speaker scores yet: run the speaker-score stage.</p>');
  for (const s of data.similarity) {
    chart(sim, () => Plot.plot({ height: 220, marginLeft: 50, title: `similarity to ${s.who}${s.threshold !== undefined ? `, threshold ${s.threshold}` : ''}`, x: { label: 'cosine', domain: [-0.2, 1] }, y: { label: 'clips', grid: true },
      marks: [Plot.rectY(s.values, Plot.binX<Plot.RectYOptions>({ y: 'count' }, { x: (d: number) => d, fill: c.a, thresholds: 40 })), Plot.ruleY([0]), ...(s.threshold !== undefined ? [Plot.ruleX([s.threshold], { stroke: c.rule, strokeWidth: 2 })] : [])] }), '');
  }

  const tr = data.transcripts;
  const cover = [{ who: 'by a person', clips: tr.human }, { who: 'speech-to-text', clips: tr.asr }, { who: 'none', clips: tr.none }];
  chart(section(root, 'Transcripts', `${tr.human + tr.asr} of ${tr.human + tr.asr + tr.none} kept clips have one`), () => Plot.plot({ height: 120, marginLeft: 110, x: { label: 'clips', grid: true }, y: { label: null, domain: cover.map((d) => d.who) },
    marks: [Plot.barX(cover, { x: 'clips', y: 'who', fill: c.a }), Plot.text(cover, { x: 'clips', y: 'who', text: (d: { clips: number }) => String(d.clips), dx: 4, textAnchor: 'start', fill: c.fg })] }), '');

  const src = section(root, 'Sources');
  src.insertAdjacentHTML('beforeend', `<table><thead><tr><th>source</th><th>duration</th><th>speech</th><th>clips</th><th>excluded</th><th>failures</th></tr></thead><tbody>${data.sources.map((s) =>
    `<tr${s.failures.length ? ' class="failed"' : ''}><td title="${escapeHtml(s.path)}">${escapeHtml(s.id)}</td><td>${s.duration.toFixed(1)} s</td><td>${pct(s.speechShare)}</td><td>${s.clips}</td>` +
    `<td>${s.excluded}${s.excluded ? ` (${escapeHtml(Object.entries(s.why).map(([k, n]) => `${n} ${k}`).join(', '))})` : ''}</td><td>${escapeHtml(s.failures.join('; '))}</td></tr>`).join('')}</tbody></table>`);
  document.body.dataset.rendered = String(root.querySelectorAll('svg').length);
}

render();
// VS Code changes the body's theme class when the user switches themes: draw again in the new colours
new MutationObserver(render).observe(document.body, { attributes: true, attributeFilter: ['class'] });

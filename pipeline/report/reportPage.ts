import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic';
import type { StageReport } from '../stages/types';
import { collectReport, type ReportData } from './reportData';

/**
 * The report page, one for both places: `<dataset>/report.html` carries its script and styles inline (it opens
 * offline, from anywhere), the VS Code webview loads them from dist/ under its nonce. The data is a JSON block.
 */
export interface PageAssets {
  script: { inline: string } | { src: string; nonce: string };
  css: { inline: string } | { href: string };
  csp?: string;
}

const json = (d: ReportData) => JSON.stringify(d).replace(/</g, '\\u003c');

export function reportPage(data: ReportData, a: PageAssets): string {
  const script = 'inline' in a.script ? `<script>${a.script.inline.replace(/<\/script/gi, '<\\/script')}</script>` : `<script nonce="${a.script.nonce}" src="${a.script.src}"></script>`;
  const css = 'inline' in a.css ? `<style>${a.css.inline}</style>` : `<link rel="stylesheet" href="${a.css.href}">`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">${a.csp ? `<meta http-equiv="Content-Security-Policy" content="${a.csp}">` : ''}
<meta name="viewport" content="width=device-width, initial-scale=1.0">${css}<title>Dataset report: ${data.dataset.replace(/[<&]/g, '')}</title></head>
<body><div id="app"></div><script id="sds-report-data" type="application/json">${json(data)}</script>${script}</body></html>
`;
}

/** dist/report.js and report.css: beside the running bundle (dist/cli.js, dist/host.js), or built under the project. */
function asset(name: string): string {
  for (const dir of [__dirname, path.resolve(__dirname, '..', '..', 'dist')]) {
    const f = path.join(dir, name);
    if (fs.existsSync(f)) return fs.readFileSync(f, 'utf8');
  }
  throw new Error(`${name} not found beside ${__dirname}: build the project (node build.mjs)`);
}

export const reportFile = (dir: string) => path.join(dir, 'report.html');
export const reportJson = (dir: string) => path.join(dir, '.sds', 'report.json');

/** Writes report.html (and the data for VS Code's webview) when what it shows changed; the report says where it is. */
export async function writeReport(dir: string): Promise<StageReport> {
  const data = collectReport(dir);
  const file = reportFile(dir);
  const html = reportPage(data, { script: { inline: asset('report.js') }, css: { inline: asset('report.css') } });
  const same = fs.existsSync(file) && fs.readFileSync(file, 'utf8') === html;
  if (!same) {
    await writeFileAtomic(reportJson(dir), JSON.stringify(data));
    await writeFileAtomic(file, html);
  }
  return { stage: 'report', processed: same ? 0 : 1, skipped: same ? 1 : 0, failed: [],
    summary: [`${file} (${data.totals.kept} clips, ${data.totals.hours >= 1 ? `${data.totals.hours.toFixed(2)} h` : `${(data.totals.hours * 60).toFixed(1)} min`} kept)${same ? ': unchanged' : ''}`] };
}

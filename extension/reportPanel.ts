import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ReportData } from '../pipeline/report/reportData';
import { reportJson, reportPage } from '../pipeline/report/reportPage';
import { runWithProgress, type CommandDeps } from './commands';
import { datasetDir, readConfig } from './config';

/**
 * `SDS: Show Dataset Report`: the host brings report.html up to date, then the same page opens in a webview, its
 * script from dist/ under a nonce, its colours VS Code's theme's (it redraws when the theme changes).
 */
export function registerReportPanel(ctx: vscode.ExtensionContext, deps: CommandDeps): void {
  let panel: vscode.WebviewPanel | undefined;
  ctx.subscriptions.push(vscode.commands.registerCommand('sds.report.show', async (dir?: string) => {
    const out = dir ?? datasetDir(readConfig());
    if (!out) return vscode.window.showErrorMessage('Open a folder first: the report is the dataset\'s (setting sds.outputFolder).');
    if (!(await runWithProgress(deps, 'Dataset report', { stage: 'report', out }))) return;
    const data = JSON.parse(fs.readFileSync(reportJson(out), 'utf8')) as ReportData;
    panel ??= vscode.window.createWebviewPanel('sds.report', 'Dataset Report', vscode.ViewColumn.Active, {
      enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist')],
    });
    panel.onDidDispose(() => (panel = undefined));
    panel.title = `Report: ${data.dataset}`;
    const w = panel.webview;
    const nonce = crypto.randomBytes(16).toString('base64');
    const dist = (f: string) => w.asWebviewUri(vscode.Uri.joinPath(ctx.extensionUri, 'dist', f)).toString();
    w.html = reportPage(data, { script: { src: dist('report.js'), nonce }, css: { href: dist('report.css') },
      csp: [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${w.cspSource} 'unsafe-inline'`, `img-src ${w.cspSource} data:`, `font-src ${w.cspSource}`].join('; ') });
    panel.reveal();
  }));
}

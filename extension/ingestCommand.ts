import * as vscode from 'vscode';
import type { IngestOptions } from '../pipeline/stages/ingest';
import { runWithProgress, type CommandDeps } from './commands';
import { datasetDir, readConfig } from './config';

/** `SDS: Ingest Audio`: URLs pasted, a URL list file, a podcast feed or local files, into the dataset's sources/. */
export function registerIngestCommand(ctx: vscode.ExtensionContext, deps: CommandDeps): void {
  ctx.subscriptions.push(vscode.commands.registerCommand('sds.ingest.run', async () => {
    const dir = datasetDir(readConfig());
    if (!dir) return vscode.window.showErrorMessage('Open a folder first: sources are downloaded into the dataset (setting sds.outputFolder).');
    const how = await vscode.window.showQuickPick([
      { label: '$(link) Paste URLs…', how: 'urls' },
      { label: '$(list-unordered) A file listing URLs…', how: 'list' },
      { label: '$(rss) A podcast feed (RSS or Atom)…', how: 'feed' },
      { label: '$(files) Local files or folders…', how: 'files' },
    ], { title: 'Ingest audio into the dataset' });
    if (!how) return;
    const o: Partial<IngestOptions> = {};
    if (how.how === 'urls') {
      const text = await vscode.window.showInputBox({ title: 'URLs (separated by spaces or commas)', ignoreFocusOut: true });
      if (!text) return;
      o.urls = text.split(/[\s,]+/).filter(Boolean);
    } else if (how.how === 'feed') {
      const feed = await vscode.window.showInputBox({ title: 'Feed URL', placeHolder: 'https://example.com/podcast.xml', ignoreFocusOut: true });
      if (!feed) return;
      const limit = await vscode.window.showInputBox({ title: 'How many episodes (newest first)?', value: '10', validateInput: (v) => (/^\d*$/.test(v) ? undefined : 'a number, or empty for all') });
      if (limit === undefined) return;
      o.feeds = [feed];
      o.limit = limit ? Number(limit) : undefined;
    } else {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: true, canSelectFolders: how.how === 'files', canSelectFiles: true, openLabel: 'Ingest',
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
      if (!picked?.length) return;
      if (how.how === 'list') o.urlLists = picked.map((u) => u.fsPath);
      else o.files = picked.map((u) => u.fsPath);
    }
    return runWithProgress(deps, 'Ingest', { stage: 'ingest', out: dir, options: o });
  }));
}

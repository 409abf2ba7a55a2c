import * as vscode from 'vscode';
import { Dataset } from '../pipeline/dataset';
import { listModels } from '../pipeline/models/modelPaths';
import type { IngestOptions } from '../pipeline/stages/ingest';
import { runWithProgress, type CommandDeps } from './commands';
import { datasetDir, readConfig } from './config';
import { SEPARATORS } from '../pipeline/stages/engines';

/**
 * Commands that bring sources in and prepare them: `SDS: Ingest Audio` (URLs pasted, a URL list file, a podcast
 * feed or local files, into the dataset's sources/) and `SDS: Separate Vocals`.
 */
export function registerSourceCommands(ctx: vscode.ExtensionContext, deps: CommandDeps): void {
  ctx.subscriptions.push(vscode.commands.registerCommand('sds.separate.run', async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
    const dir = datasetDir(readConfig());
    if (!dir) return vscode.window.showErrorMessage('Open a folder first: stems are written into the dataset (setting sds.outputFolder).');
    const inputs = (selected?.length ? selected : clicked ? [clicked] : []).map((u) => u.fsPath);
    const title = inputs.length ? `Separate ${inputs.length} file(s)` : 'Separate every source of the dataset';
    const models = [
      ...SEPARATORS.map((s) => ({ label: s.name, description: s.description, model: s.name as string })),
      ...listModels().filter((m) => m.task === 'separate').map((m) => ({ label: m.name, description: m.present ? `${m.sampleRate} Hz model` : 'model, not downloaded yet', model: m.name })),
      { label: '$(file) An ONNX model…', description: 'mask or MDX-Net contract (docs/models.md)', model: '' },
    ];
    const picked = await vscode.window.showQuickPick(models, { title: `${title}: with what?` });
    if (!picked) return;
    let model = picked.model;
    if (!model) {
      const file = await vscode.window.showOpenDialog({ filters: { 'ONNX model': ['onnx'] }, openLabel: 'Separate with this model' });
      if (!file?.length) return;
      model = file[0].fsPath;
    }
    const stems = await vscode.window.showQuickPick([{ label: 'vocals', stems: ['vocals'] }, { label: 'vocals and accompaniment', stems: ['vocals', 'accompaniment'] }], { title });
    if (!stems) return;
    const r = await runWithProgress(deps, 'Separate', { stage: 'separate', out: dir, inputs, options: { model, stems: stems.stems as ('vocals' | 'accompaniment')[] } });
    if (r && !r[0].failed.length) {
      const next = await vscode.window.showInformationMessage('Vocals written. Segment and slice the vocals stems now?', 'Segment and slice vocals');
      if (next) await runWithProgress(deps, 'Segment and slice (vocals)', { stage: 'run', inputs: inputs.length ? inputs : new Dataset(dir).readSources().map((row) => row.path), out: dir, options: { ...readConfig().segment, ...readConfig().slice, on: 'vocals' } });
    }
    return r;
  }));
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

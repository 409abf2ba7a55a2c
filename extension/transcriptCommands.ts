import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClipsEditorProvider } from './clipsEditor';
import { runWithProgress, type CommandDeps } from './commands';
import { datasetDir, readConfig } from './config';
import { listModels } from '../pipeline/models/modelPaths';

/** The clip table, speech-to-text and transcript side files. */
export function registerTranscriptCommands(ctx: vscode.ExtensionContext, deps: CommandDeps): void {
  const dataset = () => {
    const dir = datasetDir(readConfig());
    if (!dir) vscode.window.showErrorMessage('Open a folder first: the dataset lives in the workspace (setting sds.outputFolder).');
    return dir;
  };
  ctx.subscriptions.push(
    vscode.window.registerCustomEditorProvider(ClipsEditorProvider.viewType, new ClipsEditorProvider(ctx), { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.commands.registerCommand('sds.clips.open', (uri?: vscode.Uri) => {
      const dir = uri ? undefined : dataset();
      const target = uri ?? (dir ? vscode.Uri.file(path.join(dir, 'clips.csv')) : undefined);
      if (target) return vscode.commands.executeCommand('vscode.openWith', target, ClipsEditorProvider.viewType);
    }),
    vscode.commands.registerCommand('sds.transcribe.run', async () => {
      const dir = dataset();
      if (!dir) return;
      const settings = readConfig().transcribe;
      // the registry's Whisper models (installed, or Fetch… first), the configured one first, or a folder of one's own
      const asr = listModels().filter((m) => m.task === 'asr');
      const items = [
        ...asr.map((m) => ({ label: m.name, description: m.present ? (m.name === settings.model ? 'installed · the setting' : 'installed') : 'Fetch… (download, sha256-checked)', model: m.name, fetch: !m.present })),
        ...(settings.model && !asr.some((m) => m.name === settings.model) ? [{ label: path.basename(settings.model), description: settings.model, model: settings.model, fetch: false }] : []),
        { label: '$(folder) A Whisper ONNX folder…', description: 'encoder, merged or plain decoder, tokenizer.json (docs/models.md)', model: '', fetch: false },
      ].sort((a, b) => Number(b.model === settings.model) - Number(a.model === settings.model));
      const picked = await vscode.window.showQuickPick(items, { title: 'Transcribe clips with which model?' });
      if (!picked) return;
      let model = picked.model;
      if (!model) {
        const pick = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Folder of a Whisper ONNX export', openLabel: 'Use this model' });
        if (!pick?.[0]) return;
        model = pick[0].fsPath;
      }
      if (picked.fetch) await runWithProgress(deps, `Fetch ${model}`, { stage: 'models-fetch', name: model });
      if (model !== settings.model) await vscode.workspace.getConfiguration('sds.transcribe').update('model', model, vscode.ConfigurationTarget.Workspace);
      return runWithProgress(deps, 'Transcribe', { stage: 'transcribe', out: dir, options: { ...settings, model } });
    }),
    vscode.commands.registerCommand('sds.sideFiles.write', async () => {
      const dir = dataset();
      if (!dir) return;
      const ext = await vscode.window.showQuickPick([{ label: 'txt', exts: ['txt'] }, { label: 'lab', exts: ['lab'] }, { label: 'txt and lab', exts: ['txt', 'lab'] }], { title: 'Transcript side files beside each clip' });
      if (ext) return runWithProgress(deps, 'Side files', { stage: 'side-files', out: dir, exts: ext.exts as ('txt' | 'lab')[] });
    }),
  );
}

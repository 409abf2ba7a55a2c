import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClipsEditorProvider } from './clipsEditor';
import { runWithProgress, type CommandDeps } from './commands';
import { datasetDir, readConfig } from './config';

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
      let model = settings.model;
      if (!model) {
        // no model set: offer to pick the folder of a Whisper ONNX export and remember it
        const pick = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Folder of a Whisper ONNX export (encoder_model.onnx, decoder_model.onnx, tokenizer.json)', openLabel: 'Use this model' });
        if (!pick?.[0]) return;
        model = pick[0].fsPath;
        await vscode.workspace.getConfiguration('sds.transcribe').update('model', model, vscode.ConfigurationTarget.Workspace);
      }
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

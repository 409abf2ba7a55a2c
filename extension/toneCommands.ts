import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runWithProgress, type CommandDeps } from './commands';
import { datasetDir, readConfig } from './config';

/** Tone models the user can pick: sidecar'd ONNX files in the workspace's models/ and the dataset, or one browsed to. */
async function pickModel(title: string): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/*.onnx', '**/{node_modules,.checkpoints}/**', 200);
  const tone = found.map((u) => u.fsPath).filter((f) => {
    try {
      return JSON.parse(fs.readFileSync(f.replace(/\.onnx$/i, '.json'), 'utf8')).format === 'sds-tone/1';
    } catch {
      return false;
    }
  });
  const items = [...tone.map((f) => ({ label: path.basename(f), description: vscode.workspace.asRelativePath(f), file: f as string | undefined })),
    { label: '$(folder-opened) Browse…', description: '', file: undefined }];
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: tone.length ? 'A tone model (ONNX with its .json sidecar)' : 'No tone model in the workspace yet: train one, or browse' });
  if (!pick) return undefined;
  if (pick.file) return pick.file;
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Tone model': ['onnx'] }, openLabel: 'Use model' });
  return uris?.[0]?.fsPath;
}

async function pickDataFolders(title: string): Promise<string[] | undefined> {
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: true, title, openLabel: 'Use as labelled data',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
  return uris?.map((u) => u.fsPath);
}

export function registerToneCommands(ctx: vscode.ExtensionContext, deps: CommandDeps): void {
  ctx.subscriptions.push(
    // (folder clicked in the Explorer, selection) or the palette
    vscode.commands.registerCommand('sds.tone.train', async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
      const data = selected?.length ? selected.map((u) => u.fsPath) : clicked ? [clicked.fsPath] : await pickDataFolders('Labelled audio: RAVDESS/EmoDB/TESS/SAVEE names, or <emotion>/ folders');
      if (!data?.length) return;
      const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!ws) return vscode.window.showErrorMessage('Open a folder first: the model is written into the workspace.');
      const name = await vscode.window.showInputBox({ title: 'Model name', value: path.basename(data[0]).toLowerCase().replace(/[^\w-]+/g, '-'), prompt: 'Written as models/tone-<name>.onnx with its .json sidecar',
        validateInput: (v) => (/^[\w-]+$/.test(v) ? undefined : 'letters, digits, _ and - only') });
      if (!name) return;
      const emotions = await vscode.window.showInputBox({ title: 'Emotions to learn', prompt: 'Comma separated (e.g. neutral,angry,sad); empty: every emotion in the data', value: '' });
      if (emotions === undefined) return;
      const out = path.join(ws, 'models', `tone-${name}.onnx`);
      const r = await runWithProgress(deps, 'Train tone classifier', { stage: 'tone-train', options: {
        data, out, features: readConfig().tone.features, emotions: emotions.trim() ? emotions.split(',').map((e) => e.trim()).filter(Boolean) : undefined,
      } });
      if (r) {
        const next = await vscode.window.showInformationMessage(r[0].summary.find((l) => l.startsWith(out)) ?? `Trained ${out}`, 'Benchmark by speaker');
        if (next) await vscode.commands.executeCommand('sds.tone.benchmark', { model: out, data });
      }
      return r;
    }),
    vscode.commands.registerCommand('sds.tone.classify', async () => {
      const dir = datasetDir(readConfig());
      if (!dir || !fs.existsSync(path.join(dir, 'clips.csv'))) return vscode.window.showErrorMessage('No clips yet: segment and slice first (SDS: Segment and Slice).');
      const model = await pickModel('Classify clips with');
      if (!model) return;
      const { minProb, place } = readConfig().tone;
      return runWithProgress(deps, 'Classify by tone', { stage: 'tone-classify', out: dir, options: { model, minProb, place } });
    }),
    // from the palette, or after training: { model, data }
    vscode.commands.registerCommand('sds.tone.benchmark', async (arg?: { model: string; data: string[] }) => {
      const model = arg?.model ?? (await pickModel('Benchmark which model'));
      if (!model) return;
      const data = arg?.data ?? (await pickDataFolders('Labelled audio to benchmark on (speakers are kept apart across folds)'));
      if (!data?.length) return;
      const dir = datasetDir(readConfig()) ?? path.dirname(model);
      const report = path.join(dir, 'reports', `tone-benchmark-${path.basename(model, '.onnx')}.md`);
      const r = await runWithProgress(deps, 'Benchmark tone classifier', { stage: 'tone-benchmark', options: { model, data, bySpeaker: true, folds: 4, report } });
      if (r && fs.existsSync(report)) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(report));
      return r;
    }),
  );
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_CONFIG, PIPELINE_PRESETS } from '../pipeline/plan/presets';
import { activeResource, runWithProgress, type CommandDeps } from './commands';

/**
 * sds.json in VS Code: `SDS: Run Pipeline` (palette, the button on an open sds.json, the Explorer) runs the file
 * through the host as `sds run --config` does; `SDS: New Pipeline File` writes one from a preset. The schema and the
 * snippets that complete the file are package.json's (jsonValidation, snippets).
 */
export function registerPipelineCommands(ctx: vscode.ExtensionContext, deps: CommandDeps): void {
  ctx.subscriptions.push(
    vscode.commands.registerCommand('sds.pipeline.runFile', async (uri?: vscode.Uri) => {
      const file = await pipelineFile(uri);
      if (!file) return;
      // what the editor shows is what runs (files.autoSave may be off)
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
      if (open?.isDirty && !(await open.save())) return;
      deps.diagnostics.clearFile(file);
      return runWithProgress(deps, 'Pipeline', { stage: 'pipeline', file });
    }),
    // the Dataset view's source items: the pipeline for that source only (the dataset-wide stages still run)
    vscode.commands.registerCommand('sds.pipeline.runSource', async (node?: { row?: { id: string } }) => {
      const file = node?.row ? await pipelineFile() : undefined;
      if (file) return runWithProgress(deps, `Pipeline for ${node!.row!.id}`, { stage: 'pipeline', file, sources: [node!.row!.id] });
    }),
    vscode.commands.registerCommand('sds.pipeline.init', async () => {
      const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!ws) return vscode.window.showErrorMessage('Open a folder first: sds.json goes into the workspace.');
      const preset = await vscode.window.showQuickPick(Object.entries(PIPELINE_PRESETS).map(([label, p]) => ({ label, detail: p.description + (p.needs ? ` (needs ${p.needs})` : '') })), { title: 'Pipeline preset' });
      if (!preset) return;
      const file = path.join(ws, DEFAULT_CONFIG);
      if (fs.existsSync(file) && (await vscode.window.showWarningMessage(`${DEFAULT_CONFIG} exists. Replace it?`, { modal: true }, 'Replace')) !== 'Replace') return;
      const r = await runWithProgress(deps, 'New pipeline', { stage: 'init', dir: ws, preset: preset.label, force: true });
      if (r) await vscode.window.showTextDocument(vscode.Uri.file(file));
    }),
  );
}

/** The clicked or open sds.json, else the workspace's; none: offer to write one. */
async function pipelineFile(uri?: vscode.Uri): Promise<string | undefined> {
  const given = uri ?? activeResource();
  if (given && path.basename(given.fsPath) === DEFAULT_CONFIG) return given.fsPath;
  const found = await vscode.workspace.findFiles(`**/${DEFAULT_CONFIG}`, '**/node_modules/**', 10);
  if (found.length === 1) return found[0].fsPath;
  if (found.length > 1) {
    const pick = await vscode.window.showQuickPick(found.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f.fsPath })), { title: 'Which pipeline?' });
    return pick?.file;
  }
  const make = await vscode.window.showInformationMessage(`No ${DEFAULT_CONFIG} in the workspace.`, 'New Pipeline File…');
  if (make) await vscode.commands.executeCommand('sds.pipeline.init');
  return undefined;
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { HostClient } from '../host/client';
import { activeResource, registerCommands } from './commands';
import { datasetDir, readConfig } from './config';
import { DatasetTree } from './datasetTree';
import { DatasetDiagnostics } from './diagnostics';
import { TimelineEditorProvider } from './timelineEditor';
import { registerPipelineCommands } from './pipelineCommands';
import { registerReportPanel } from './reportPanel';
import { registerSourceCommands } from './sourceCommands';
import { registerToneCommands } from './toneCommands';
import { registerTranscriptCommands } from './transcriptCommands';

/** Glue only: the host process does the audio work; this wires commands, the tree view and the log. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Speech Dataset Studio', { log: true });
  let host: HostClient | undefined;
  const getHost = () =>
    (host ??= new HostClient({
      hostScript: path.join(context.extensionPath, 'dist', 'host.js'),
      log: (level, m) => (level === 'error' ? log.error(m) : level === 'warn' ? log.warn(m) : log.info(m)),
    }));
  const tree = new DatasetTree(() => datasetDir(readConfig()));
  context.subscriptions.push(
    log,
    tree,
    vscode.window.createTreeView('sdsDataset', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('sds.outputFolder') && tree.refresh()),
    { dispose: () => host?.dispose() },
  );
  const diagnostics = new DatasetDiagnostics();
  context.subscriptions.push(diagnostics);
  const deps = { host: getHost, log, refresh: () => tree.refresh(), diagnostics };
  registerCommands(context, deps);
  registerSourceCommands(context, deps);
  registerPipelineCommands(context, deps);
  registerReportPanel(context, deps);
  registerToneCommands(context, deps);
  registerTranscriptCommands(context, deps);
  const timeline = new TimelineEditorProvider(context, getHost, log);
  for (const viewType of TimelineEditorProvider.viewTypes) {
    context.subscriptions.push(vscode.window.registerCustomEditorProvider(viewType, timeline, { webviewOptions: { retainContextWhenHidden: true } }));
  }
  context.subscriptions.push(vscode.commands.registerCommand('sds.timeline.open', (uri?: vscode.Uri) => {
    const target = uri ?? activeResource();
    if (target) return vscode.commands.executeCommand('vscode.openWith', target, 'sds.timeline.any');
  }));
}

export function deactivate(): void {
  /* the host is disposed with the context's subscriptions */
}

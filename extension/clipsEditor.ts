import * as fs from 'node:fs';
import { CLIP_COLUMNS } from '../pipeline/dataset';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatTable, parseTable } from '../pipeline/formats/csvTable';
import { webviewHtml } from './webviewHtml';
import type { ClipsMessage, ClipsSnapshot } from '../webviews/protocol';

/**
 * clips.csv as a table to listen and transcribe in. As with the timeline, the TextDocument is the truth: a typed
 * transcript becomes a WorkspaceEdit of the whole table (undo, redo, dirty state and save are VS Code's), and every
 * change of the document, the Problems panel or the files goes back to the view as a fresh snapshot.
 */
export class ClipsEditorProvider implements vscode.CustomTextEditorProvider {
  static readonly viewType = 'sds.clips';

  constructor(private readonly context: vscode.ExtensionContext) {}

  async resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): Promise<void> {
    const dir = path.dirname(document.uri.fsPath);
    const roots = [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.file(dir), ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri)];
    panel.webview.options = { enableScripts: true, localResourceRoots: roots };
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, 'clips', 'Clips');
    let ready = false;
    let edits: Promise<void> = Promise.resolve();

    const snapshot = (): ClipsSnapshot => {
      let columns: string[] = [];
      let rows: Record<string, string>[] = [];
      let notice: string | undefined;
      try {
        ({ fields: columns, rows } = parseTable(document.getText(), document.uri.fsPath));
        const missing = CLIP_COLUMNS.slice(0, 2).filter((c) => !columns.includes(c));
        if (missing.length) notice = `${path.basename(document.uri.fsPath)} has no ${missing.join(' or ')} column: is it a clip table?`;
      } catch (e) {
        notice = (e as Error).message;
      }
      const flags: Record<number, string> = {};
      for (const d of vscode.languages.getDiagnostics(document.uri)) {
        const i = d.range.start.line - 1;
        if (i >= 0) flags[i] = flags[i] ? `${flags[i]}; ${d.message}` : d.message;
      }
      rows.forEach((r, i) => {
        if (r.path && !fs.existsSync(path.join(dir, r.path))) flags[i] = flags[i] ?? `${r.path} is listed but missing on disk`;
      });
      return { type: 'clips', columns, rows, flags, notice, baseUrl: panel.webview.asWebviewUri(vscode.Uri.file(dir)).toString().replace(/\/?$/, '/') };
    };
    const post = () => ready && panel.webview.postMessage(snapshot());

    const subs = [
      vscode.workspace.onDidChangeTextDocument((e) => e.document.uri.toString() === document.uri.toString() && e.contentChanges.length && post()),
      vscode.languages.onDidChangeDiagnostics((e) => e.uris.some((u) => u.toString() === document.uri.toString()) && post()),
      panel.webview.onDidReceiveMessage(async (m: ClipsMessage) => {
        if (m.type === 'ready') {
          ready = true;
          post();
        } else if (m.type === 'transcript') {
          // one edit at a time, each computed from the document as the previous one left it
          edits = edits.then(() => setTranscript(document, m.path, m.text)).catch((e) => console.error(e));
          await edits;
        } else if (m.type === 'save') {
          await edits;
          await document.save();
        }
      }),
    ];
    panel.onDidDispose(() => subs.forEach((s) => s.dispose()));
  }

}

/** One transcript edit: the row's `transcript`, and `text_source` becomes human (a person has checked it). */
async function setTranscript(document: vscode.TextDocument, clip: string, text: string): Promise<void> {
  const { fields, rows } = parseTable(document.getText(), document.uri.fsPath);
  const row = rows.find((r) => r.path === clip);
  if (!row || (row.transcript ?? '') === text) return;
  row.transcript = text;
  row.text_source = 'human';
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), formatTable(rows, fields), { needsConfirmation: false, label: `Transcript of ${path.basename(clip)}` });
  await vscode.workspace.applyEdit(edit);
}

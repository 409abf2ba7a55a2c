import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatTable, parseTable } from '../pipeline/formats/csvTable';
import type { ErrorData } from '../pipeline/errors';
import type { LintDiagnostic } from '../pipeline/stages/lint';

const SEVERITY = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information };

/** Lint findings as Problems on the rows of clips.csv, with quick fixes: exclude the clip, clean it again. */
export class DatasetDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('sds');
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor() {
    this.disposables.push(
      vscode.languages.registerCodeActionsProvider({ pattern: '**/clips.csv' }, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.commands.registerCommand('sds.clip.exclude', (uri: vscode.Uri, line: number) => excludeRow(uri, line)),
    );
  }

  show(datasetDir: string, findings: LintDiagnostic[]): void {
    const uri = vscode.Uri.file(path.join(datasetDir, 'clips.csv'));
    this.collection.set(uri, findings.map((f) => {
      const d = new vscode.Diagnostic(new vscode.Range(f.line - 1, 0, f.line - 1, 10000), `${f.path}: ${f.message}`, SEVERITY[f.severity]);
      d.source = 'sds lint';
      d.code = f.code;
      return d;
    }));
  }

  /** A pipeline file's problems (sds.json), each at its line; cleared by the next run that reads the file. */
  showFile(file: string, problems: NonNullable<ErrorData['problems']>): void {
    this.collection.set(vscode.Uri.file(file), problems.map((p) => {
      const at = Math.max(0, (p.line ?? 1) - 1);
      const d = new vscode.Diagnostic(new vscode.Range(at, Math.max(0, (p.column ?? 1) - 1), at, 10000), `${p.path ? `${p.path}: ` : ''}${p.message}`, vscode.DiagnosticSeverity.Error);
      d.source = 'sds run';
      return d;
    }));
  }

  clearFile(file: string): void {
    this.collection.delete(vscode.Uri.file(file));
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    return ctx.diagnostics.filter((d) => d.source === 'sds lint' && d.range.start.line > 0).flatMap((d) => {
      const line = d.range.start.line;
      const clip = doc.lineAt(line).text.split(',')[0];
      const exclude = new vscode.CodeAction(`Exclude ${path.basename(clip)} from the dataset`, vscode.CodeActionKind.QuickFix);
      exclude.command = { command: 'sds.clip.exclude', title: 'Exclude', arguments: [doc.uri, line] };
      exclude.diagnostics = [d];
      const clean = new vscode.CodeAction(`Clean ${path.basename(clip)} again`, vscode.CodeActionKind.QuickFix);
      clean.command = { command: 'sds.clean.run', title: 'Clean', arguments: [{ out: path.dirname(doc.uri.fsPath), only: [clip] }] };
      clean.diagnostics = [d];
      return ['missing', 'duplicate', 'silent'].includes(String(d.code)) ? [exclude] : [exclude, clean];
    });
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

/** Marks a row `excluded=yes` as an undoable edit of clips.csv (nothing is deleted; export skips excluded rows). */
async function excludeRow(uri: vscode.Uri, line: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const { fields, rows } = parseTable(doc.getText(), uri.fsPath);
  const row = rows[line - 1];
  if (!row) return;
  row.excluded = 'yes';
  const text = formatTable(rows, fields);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  await vscode.workspace.applyEdit(edit);
}

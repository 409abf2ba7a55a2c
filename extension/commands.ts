import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostClient } from '../host/client';
import type { StageRequest } from '../pipeline/stages/requests';
import type { StageReport } from '../pipeline/stages/types';
import { convertTable } from '../pipeline/formats/convert';
import { datasetDir, readConfig } from './config';
import type { DatasetDiagnostics } from './diagnostics';
import type { ErrorData } from '../pipeline/errors';
import { EXPORT_FORMATS, TABLE_FORMATS } from '../pipeline/stages/engines';
import { elapsedAndLeft } from '../pipeline/util/eta';

export interface CommandDeps {
  host: () => HostClient;
  log: vscode.LogOutputChannel;
  refresh: () => void;
  diagnostics: DatasetDiagnostics;
}

/** The file in the active tab, text or custom editor (a timeline is not a TextEditor). */
export function activeResource(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

/** Explorer context menus pass (clicked, selection); the palette passes nothing and we ask. */
async function pickInputs(clicked?: vscode.Uri, selected?: vscode.Uri[]): Promise<string[] | undefined> {
  const uris = selected?.length ? selected : clicked ? [clicked] : undefined;
  if (uris) return uris.map((u) => u.fsPath);
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (ws) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: '$(folder) Whole workspace', description: ws.fsPath, whole: true },
        { label: '$(files) Choose files or folders…', whole: false },
      ],
      { title: 'Audio to process', placeHolder: 'The dataset folder itself is always skipped' },
    );
    if (!choice) return undefined;
    if (choice.whole) return [ws.fsPath];
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true, canSelectFolders: true, canSelectMany: true, defaultUri: ws, openLabel: 'Segment',
    filters: { Audio: ['wav', 'flac', 'mp3', 'ogg', 'opus', 'm4a', 'aac', 'mp4', 'mkv', 'webm'], All: ['*'] },
  });
  return picked?.map((u) => u.fsPath);
}

export async function runWithProgress(deps: CommandDeps, title: string, req: StageRequest): Promise<StageReport[] | undefined> {
  const cfg = readConfig();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let done = 0;
    let total = 0;
    // a pipeline's stages share the bar: each its part, its files that part's steps
    let share = 100;
    let stage: { name: string; started: number; done: number } | undefined;
    try {
      const reports = await deps.host().runStage(req, { ffmpegPath: cfg.ffmpegPath || undefined, jobs: cfg.jobs || undefined }, (e) => {
        if (e.kind === 'waiting') {
          progress.report({ message: e.detail });
          deps.log.info(`${title}: ${e.detail}`);
        }
        else if (e.kind === 'stage') {
          share = 100 / e.total;
          total = 0;
          stage = { name: `${e.stage} (${e.index + 1}/${e.total})`, started: Date.now(), done: 0 };
          progress.report({ message: `${e.stage} (${e.index + 1}/${e.total}): ${e.detail}`, ...(e.todo ? {} : { increment: share }) });
          deps.log.info(`${title}: ${e.stage} (${e.index + 1}/${e.total}): ${e.detail}`);
        } else if (e.kind === 'file-start') {
          total = e.total;
          const when = stage ? `${stage.name}: ` : '';
          const time = stage ? ` · ${elapsedAndLeft((Date.now() - stage.started) / 1000, stage.done / e.total)}` : '';
          progress.report({ message: `${when}${e.index + 1}/${e.total} ${path.basename(e.file)}${time}` });
        } else if (e.kind === 'file-done' || e.kind === 'file-error') {
          done++;
          if (stage) stage.done++;
          if (total) progress.report({ increment: share / total });
          if (e.kind === 'file-done' && !e.skipped) deps.refresh();
        }
      }, abort.signal);
      report(deps, title, reports);
      return reports;
    } catch (e) {
      if (abort.signal.aborted) {
        vscode.window.showWarningMessage(`${title}: cancelled after ${done} file(s); finished files are kept, a rerun resumes.`);
        return undefined;
      }
      deps.log.error(String((e as Error).stack ?? e));
      const data = (e as { data?: ErrorData }).data;
      const missing = data?.reason === 'missing-model' ? data.model : undefined;
      if (missing) {
        // a stage that needs a model the user has not got: offer to fetch it or to point at a copy
        // (answered after this progress notification has closed)
        void vscode.window.showErrorMessage(`${title}: the model "${missing}" is not downloaded.`, 'Fetch it', 'Pick a file…').then(async (choice) => {
          if (choice === 'Fetch it') await runWithProgress(deps, `Fetch ${missing}`, { stage: 'models-fetch', name: missing });
          else if (choice === 'Pick a file…') {
            const file = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'ONNX model': ['onnx'] }, openLabel: `Use as ${missing}` });
            if (file?.[0]) await runWithProgress(deps, `Install ${missing}`, { stage: 'models-install', name: missing, file: file[0].fsPath });
          }
        });
        return undefined;
      }
      if (data?.problems && data.file) {
        // a pipeline file that cannot run: each problem at its place in the file
        deps.diagnostics.showFile(data.file, data.problems);
        void vscode.window.showErrorMessage(`${title}: ${path.basename(data.file)} has ${data.problems.length} problem(s), nothing ran: ${data.problems[0].path} ${data.problems[0].message}`, 'Show Problems')
          .then((a) => a && vscode.commands.executeCommand('workbench.actions.view.problems'));
        return undefined;
      }
      vscode.window.showErrorMessage(`${title} failed: ${(e as Error).message}`);
      return undefined;
    } finally {
      deps.refresh();
    }
  });
}

function report(deps: CommandDeps, title: string, reports: StageReport[]): void {
  const failed = reports.flatMap((r) => r.failed);
  for (const r of reports) deps.log.info(`${r.stage}: ${r.processed} processed, ${r.skipped} up to date, ${r.failed.length} failed; ${r.summary.join('; ')}`);
  for (const r of reports) for (const w of r.warnings ?? []) deps.log.warn(w.error);
  const line = reports.map((r) => `${r.stage}: ${r.processed} done, ${r.skipped} up to date`).join(' · ');
  if (failed.length) {
    failed.forEach((f) => deps.log.error(f.error));
    vscode.window.showWarningMessage(`${title}: ${line}; ${failed.length} failed: ${failed[0].error}`, 'Show Log').then((a) => a && deps.log.show());
  } else vscode.window.showInformationMessage(`${title}: ${line}`);
}

export function registerCommands(ctx: vscode.ExtensionContext, deps: CommandDeps): void {
  const out = () => {
    const dir = datasetDir(readConfig());
    if (!dir) vscode.window.showErrorMessage('Open a folder first: the dataset is written into the workspace (setting sds.outputFolder).');
    return dir;
  };
  const options = () => {
    const cfg = readConfig();
    return { ...cfg.segment, ...cfg.slice };
  };
  /** A command over picked audio (Explorer selection, else asked): segment, or segment and slice. */
  const onInputs = (title: string, stage: 'segment' | 'run') => async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
    const dir = out();
    const inputs = dir ? await pickInputs(clicked, selected) : undefined;
    if (dir && inputs?.length) return runWithProgress(deps, title, { stage, inputs, out: dir, options: options() });
  };
  ctx.subscriptions.push(
    vscode.commands.registerCommand('sds.segment.run', onInputs('Segment', 'segment')),
    // from the palette: the configured dataset; from the timeline: { out, sources } to re-slice one file
    vscode.commands.registerCommand('sds.slice.run', async (only?: { out: string; sources: string[] }) => {
      const dir = only?.out ?? out();
      if (dir) return runWithProgress(deps, 'Slice', { stage: 'slice', out: dir, options: options(), sources: only?.sources });
    }),
    vscode.commands.registerCommand('sds.pipeline.run', onInputs('Segment and slice', 'run')),
    // from the palette: every clip; from a quick fix: { out, only: [clip path] }
    vscode.commands.registerCommand('sds.clean.run', async (target?: { out: string; only: string[] }) => {
      const dir = target?.out ?? out();
      if (!dir) return;
      const cfg = readConfig();
      const r = await runWithProgress(deps, 'Clean', { stage: 'clean', out: dir, preset: cfg.clean.preset, only: target?.only,
        options: { denoise: cfg.clean.denoise, loudness: cfg.clean.loudness, truePeak: cfg.clean.truePeak } });
      if (r) await vscode.commands.executeCommand('sds.lint.run', dir);
      return r;
    }),
    vscode.commands.registerCommand('sds.clean.sources', async () => {
      const dir = out();
      if (!dir) return;
      const cfg = readConfig();
      return runWithProgress(deps, 'Clean recordings', { stage: 'clean', out: dir, preset: cfg.clean.preset, sources: true,
        options: { denoise: cfg.clean.denoise, loudness: cfg.clean.loudness, truePeak: cfg.clean.truePeak } });
    }),
    vscode.commands.registerCommand('sds.lint.run', async (target?: string) => {
      const dir = target ?? out();
      if (!dir) return;
      const reports = await runWithProgress(deps, 'Lint', { stage: 'lint', out: dir });
      const findings = reports?.[0]?.diagnostics ?? [];
      deps.diagnostics.show(dir, findings);
      if (!target) vscode.window.showInformationMessage(`Lint: ${reports?.[0]?.summary[0] ?? 'nothing'} (see Problems)`);
      return reports;
    }),
    vscode.commands.registerCommand('sds.export.run', async () => {
      const dir = out();
      if (!dir) return;
      const format = await vscode.window.showQuickPick(EXPORT_FORMATS.map((f) => ({ label: f.name, description: f.description })), { title: 'Export format' });
      if (!format) return;
      const split = await vscode.window.showInputBox({ title: 'Split by speaker (train,validation,test fractions; empty: no split)', value: '0.9,0.05,0.05' });
      if (split === undefined) return;
      return runWithProgress(deps, 'Export', { stage: 'export', out: dir, options: { format: format.label as 'ljspeech', split: split.trim() ? split.split(',').map(Number) : [1] } });
    }),
    // segment tables between formats, written beside the input (pure file work: no host needed)
    vscode.commands.registerCommand('sds.convert.run', async (uri?: vscode.Uri) => {
      const input = uri ?? activeResource();
      if (!input) return vscode.window.showErrorMessage('Pick a segment table (.csv, .txt, .TextGrid, .rttm) in the Explorer.');
      const target = await vscode.window.showQuickPick(TABLE_FORMATS.map((f) => ({ label: f.name, ext: f.ext, description: f.description })), { title: `Convert ${path.basename(input.fsPath)} to` });
      if (!target) return;
      const out = input.fsPath.replace(/\.[^.]+$/, '') + (path.extname(input.fsPath).toLowerCase() === target.ext.toLowerCase() ? `.converted${target.ext}` : target.ext);
      try {
        const n = await convertTable(input.fsPath, out);
        vscode.window.showInformationMessage(`Wrote ${path.basename(out)} (${n} segments)`);
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(out));
      } catch (e) {
        vscode.window.showErrorMessage((e as Error).message);
      }
    }),
    // Explorer: (clicked, selection) audio files; timeline: { spans: ['file@start-stop'], out }
    vscode.commands.registerCommand('sds.speaker.enroll', async (arg?: vscode.Uri | { spans: string[]; out?: string }, selected?: vscode.Uri[]) => {
      const dir = (arg && !(arg instanceof vscode.Uri) && arg.out) || out();
      if (!dir) return;
      const spans = arg && !(arg instanceof vscode.Uri) ? arg.spans : await pickInputs(arg, selected);
      if (!spans?.length) return;
      // whole files may be clean references, or long recordings to pick the cleanest stretches of one voice from
      const fromFiles = !(arg && !(arg instanceof vscode.Uri));
      const how = fromFiles ? await vscode.window.showQuickPick([
        { label: 'Use the whole files', description: 'they are clean recordings of the speaker', auto: false },
        { label: 'Pick the cleanest stretches automatically', description: 'long recordings: highest SNR, one voice', auto: true },
      ], { title: 'Reference audio' }) : { auto: false };
      if (!how) return;
      const name = await vscode.window.showInputBox({ title: 'Speaker name', prompt: `Enroll from ${spans.length} clip(s)`, validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'letters, digits, _ . - only') });
      if (!name) return;
      return runWithProgress(deps, 'Enroll speaker', { stage: 'speaker-enroll', out: dir, name, inputs: spans, auto: how.auto });
    }),
    vscode.commands.registerCommand('sds.speaker.score', async () => {
      const dir = out();
      if (!dir) return;
      const speakers = fs.existsSync(path.join(dir, 'speakers')) ? fs.readdirSync(path.join(dir, 'speakers')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : [];
      if (!speakers.length) return vscode.window.showWarningMessage('No enrolled speaker yet: SDS: Enroll Speaker first (Explorer files or a timeline selection).');
      const ref = await vscode.window.showQuickPick(speakers, { title: 'Score clips against' });
      if (!ref) return;
      const mode = await vscode.window.showQuickPick([
        { label: 'Score only', auto: false },
        { label: 'Score and move clips below an automatic threshold to rejected/', auto: true },
      ], { title: 'Threshold' });
      if (!mode) return;
      return runWithProgress(deps, 'Score speaker', { stage: 'speaker-score', out: dir, ref, auto: mode.auto });
    }),
    vscode.commands.registerCommand('sds.speaker.split', async () => {
      const dir = out();
      if (!dir) return;
      const n = await vscode.window.showInputBox({ title: 'How many speakers?', prompt: 'A number, or empty to decide from the voices', validateInput: (v) => (v === '' || /^\d+$/.test(v) ? undefined : 'a whole number or empty') });
      if (n === undefined) return;
      return runWithProgress(deps, 'Split by speaker', { stage: 'speaker-split', out: dir, speakers: n ? Number(n) : undefined });
    }),
    vscode.commands.registerCommand('sds.diarize.run', async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
      const dir = out();
      if (!dir) return;
      const inputs = (selected?.length ? selected : clicked ? [clicked] : []).map((u) => u.fsPath);
      const n = await vscode.window.showInputBox({ title: inputs.length ? `Diarize ${inputs.length} file(s): how many speakers?` : 'Diarize every source: how many speakers?',
        prompt: 'A number if you know it (recommended), or empty to count them (conservative: similar voices count as one)',
        validateInput: (v) => (v === '' || /^[1-9]\d*$/.test(v) ? undefined : 'a whole number or empty') });
      if (n === undefined) return;
      const r = await runWithProgress(deps, 'Diarize', { stage: 'diarize', inputs, out: dir, options: { speakers: n ? Number(n) : undefined } });
      if (r && r[0].processed) {
        const next = await vscode.window.showInformationMessage('Speaker turns written (diarization/*.rttm). Slice again so clips follow speaker changes?', 'Slice again');
        if (next) await runWithProgress(deps, 'Slice', { stage: 'slice', out: dir, options: readConfig().slice });
      }
      return r;
    }),
    vscode.commands.registerCommand('sds.dataset.refresh', () => deps.refresh()),
    vscode.commands.registerCommand('sds.host.showLog', () => deps.log.show()),
  );
}

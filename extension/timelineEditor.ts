import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostClient } from '../host/client';
import { SPECTROGRAM_MAX_SECONDS } from '../pipeline/audio/spectrogram';
import { transcriptLane } from '../pipeline/asr/transcriptLane';
import { Dataset } from '../pipeline/dataset';
import { formatSegmentCsv, parseSegmentCsv } from '../pipeline/formats/segmentTable';
import { TIMELINE_LABELS, type TimelineMessage, type TimelineSnapshot } from '../webviews/protocol';
import { readConfig } from './config';
import { webviewHtml } from './webviewHtml';

/**
 * Segment tables as an editable timeline. The TextDocument is the source of truth: the webview sends a whole new
 * table, we apply it as a WorkspaceEdit (so undo/redo, dirty state, save and hot exit are VS Code's own), and any
 * change to the document, from us or elsewhere, goes back to the webview as a fresh snapshot.
 */
export class TimelineEditorProvider implements vscode.CustomTextEditorProvider {
  static readonly viewTypes = ['sds.timeline', 'sds.timeline.any'];

  constructor(private readonly context: vscode.ExtensionContext, private readonly host: () => HostClient, private readonly log: vscode.LogOutputChannel) {}

  async resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): Promise<void> {
    const source = findSource(document.uri.fsPath);
    const roots = [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri)];
    panel.webview.options = { enableScripts: true, localResourceRoots: roots };
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, 'timeline', 'Timeline');
    const inWorkspace = (f: string) => !!vscode.workspace.getWorkspaceFolder(vscode.Uri.file(f));
    let peaksUrl: string | undefined;
    let spectrogramUrl: string | undefined;
    let duration = 0;
    let stem: 'mixture' | 'vocals' = 'mixture';
    /** the audio of the current stem, with where its peaks and spectrogram are cached */
    const shown = (): { audio: string; cache: string; key: string } | undefined => {
      if (!source) return undefined;
      if (stem === 'vocals' && source.vocals && fs.existsSync(source.vocals)) {
        const st = fs.statSync(source.vocals);
        return { audio: source.vocals, cache: source.peaksCache.replace(/\.json$/, '.vocals.json'), key: `${st.size}:${Math.round(st.mtimeMs)}` };
      }
      return { audio: source.audio, cache: source.peaksCache, key: source.key };
    };
    /** peaks (and, under 15 min, the spectrogram) of the shown audio, computed by the host and cached */
    const prepare = async () => {
      const s = shown();
      if (!s || !inWorkspace(s.audio)) return;
      try {
        const cfg = readConfig(document.uri);
        const r = await this.host().peaks({ file: s.audio, cacheFile: s.cache, key: s.key, settings: { ffmpegPath: cfg.ffmpegPath || undefined } });
        duration = Math.max(duration, r.duration);
        peaksUrl = panel.webview.asWebviewUri(vscode.Uri.file(s.cache)).toString();
        spectrogramUrl = undefined;
        if (r.duration <= SPECTROGRAM_MAX_SECONDS) {
          const cache = s.cache.replace(/\.json$/, '.spectrogram.json');
          await this.host().spectrogram({ file: s.audio, cacheFile: cache, key: s.key, settings: { ffmpegPath: cfg.ffmpegPath || undefined } });
          spectrogramUrl = panel.webview.asWebviewUri(vscode.Uri.file(cache)).toString();
        }
      } catch (e) {
        this.log.error(`peaks for ${s.audio}: ${(e as Error).message}`);
      }
    };

    const snapshot = (): TimelineSnapshot => {
      let segments: TimelineSnapshot['segments'] = [];
      let notice: string | undefined;
      try {
        segments = parseSegmentCsv(document.getText(), document.uri.fsPath);
      } catch (e) {
        notice = (e as Error).message;
      }
      if (!source) notice ??= 'No audio found for this table (looked in the dataset\'s sources.csv and beside the file).';
      else if (!inWorkspace(source.audio)) notice ??= `The audio (${source.audio}) is outside the workspace, so the timeline cannot play it.`;
      return {
        type: 'snapshot', segments, title: path.basename(document.uri.fsPath), labels: TIMELINE_LABELS, notice,
        duration: Math.max(duration, segments[segments.length - 1]?.stop ?? 0),
        audioUrl: source && inWorkspace(source.audio) ? panel.webview.asWebviewUri(vscode.Uri.file(shown()!.audio)).toString() : undefined,
        peaksUrl,
        spectrogramUrl,
        stem: shown()?.audio === source?.vocals ? 'vocals' : 'mixture',
        hasVocals: !!source?.vocals && fs.existsSync(source.vocals),
        lane: source?.id && source.dataset ? laneOf(source.dataset, source.id) : [],
      };
    };
    const post = () => panel.webview.postMessage(snapshot());

    // a transcription (or a typed transcript saved) shows in the lane: clips.csv and transcripts/ are watched
    const laneWatch = source?.dataset ? vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(source.dataset), '{clips.csv,transcripts/**/*.json}')) : undefined;
    laneWatch?.onDidChange(() => post());
    laneWatch?.onDidCreate(() => post());
    const subs = [
      ...(laneWatch ? [laneWatch] : []),
      vscode.workspace.onDidChangeTextDocument((e) => e.document.uri.toString() === document.uri.toString() && e.contentChanges.length && post()),
      panel.webview.onDidReceiveMessage(async (m: TimelineMessage) => {
        if (m.type === 'ready') {
          // peaks first (cached after the first time), so the view renders once, with its real waveform
          await prepare();
          post();
        } else if (m.type === 'stem') {
          stem = m.stem;
          await prepare();
          post();
        } else if (m.type === 'edit') {
          const edit = new vscode.WorkspaceEdit();
          edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), formatSegmentCsv(m.segments), { needsConfirmation: false, label: m.description });
          await vscode.workspace.applyEdit(edit);
        } else if (m.type === 'enroll' && source) {
          await vscode.commands.executeCommand('sds.speaker.enroll', { spans: [`${source.audio}@${m.start}-${m.stop}`], out: source.dataset });
        } else if (m.type === 'reslice' && source?.id && source.dataset) {
          // slice reads the table on disk: the edits on screen are what the user means to cut from
          if (document.isDirty && !(await document.save())) {
            void vscode.window.showWarningMessage(`${path.basename(document.uri.fsPath)} could not be saved: not sliced again`);
            return;
          }
          await vscode.commands.executeCommand('sds.slice.run', { sources: [source.id], out: source.dataset });
        }
      }),
    ];
    panel.onDidDispose(() => subs.forEach((s) => s.dispose()));
  }

}

interface Source {
  audio: string;
  /** the vocals stem from sds separate, when there is one */
  vocals?: string;
  peaksCache: string;
  key: string;
  id?: string;
  dataset?: string;
}

function laneOf(dataset: string, id: string): TimelineSnapshot['lane'] {
  try {
    return transcriptLane(dataset, id);
  } catch {
    return []; // no clips.csv yet, or one being rewritten: the lane stays empty until the next snapshot
  }
}

/** The audio behind a table: the dataset's sources.csv for segments/<id>.csv, else a same-named file beside it. */
function findSource(csv: string): Source | undefined {
  const id = path.basename(csv, path.extname(csv));
  const datasetDir = path.dirname(path.dirname(csv));
  if (path.basename(path.dirname(csv)) === 'segments' && fs.existsSync(path.join(datasetDir, 'sources.csv'))) {
    const ds = new Dataset(datasetDir);
    const row = ds.readSources().find((r) => r.id === id);
    if (row && fs.existsSync(row.path)) {
      return { audio: row.path, vocals: row.vocals || undefined, id, dataset: datasetDir, key: row.sha256, peaksCache: path.join(datasetDir, '.sds', 'peaks', `${id}.json`) };
    }
  }
  const dir = path.dirname(csv);
  const stem = id.replace(/-(smn|sm)(-gender)?$/, '');
  const audio = fs.readdirSync(dir).find((f) => path.basename(f, path.extname(f)) === stem && /\.(wav|flac|mp3|ogg|opus|m4a|aac)$/i.test(f));
  if (!audio) return undefined;
  const file = path.join(dir, audio);
  const st = fs.statSync(file);
  return { audio: file, key: `${st.size}:${Math.round(st.mtimeMs)}`, peaksCache: path.join(dir, '.sds', 'peaks', `${stem}.json`) };
}

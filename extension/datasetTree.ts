import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Dataset } from '../pipeline/dataset';
import { readTable, type Row } from '../pipeline/formats/csvTable';
import { parseSegmentCsv } from '../pipeline/formats/segmentTable';
import { readState, type PipelineState } from '../pipeline/plan/state';

type Node = { kind: 'source'; row: Row; clips: Row[]; state: PipelineState } | { kind: 'clip'; row: Row } | { kind: 'empty'; message: string };

/** "Dataset" view: sources with speech seconds per label, their clips underneath (click plays/opens). */
export class DatasetTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly dir: () => string | undefined) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/{sources.csv,clips.csv,segments/*.csv,.sds/pipeline/state.json}');
    this.disposables.push(watcher, watcher.onDidChange(() => this.refresh()), watcher.onDidCreate(() => this.refresh()), watcher.onDidDelete(() => this.refresh()));
  }

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    const dir = this.dir();
    if (node?.kind === 'source') return node.clips.map((row) => ({ kind: 'clip', row }));
    if (node) return [];
    // nothing yet: the view's welcome content (package.json viewsWelcome) points at Segment and Slice and the walkthrough
    if (!dir || !fs.existsSync(path.join(dir, 'sources.csv'))) return [];
    try {
      const clips = readTable(path.join(dir, 'clips.csv'));
      const state = readState(dir);
      return new Dataset(dir).readSources().map((row) => ({ kind: 'source', row, clips: clips.filter((c) => c.source === row.id), state }));
    } catch (e) {
      return [{ kind: 'empty', message: (e as Error).message }];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const dir = this.dir()!;
    if (node.kind === 'empty') return new vscode.TreeItem(node.message);
    if (node.kind === 'clip') {
      const r = node.row;
      const item = new vscode.TreeItem(path.basename(r.path));
      const uri = vscode.Uri.file(path.join(dir, r.path));
      const sims = Object.keys(r).filter((k) => k.startsWith('similarity_') && r[k]).map((k) => `${k.slice(11)} ${Number(r[k]).toFixed(2)}`);
      item.description = `${r.label} · ${Number(r.duration).toFixed(1)} s${r.lufs ? ` · ${r.lufs} LUFS · SNR ${r.snr} dB` : ''}${sims.length ? ` · ${sims.join(' · ')}` : ''}${r.emotion ? ` · ${r.emotion} ${Number(r.emotion_prob).toFixed(2)}` : ''}${r.excluded === 'yes' ? ' · excluded' : ''}`;
      item.tooltip = `${r.path}\n${r.start}–${r.end} s of ${r.source}` + (r.clean_path
        ? `\ncleaned: ${r.clean_path} (${r.clean_note})\nloudness ${r.raw_lufs} -> ${r.lufs} LUFS, true peak ${r.raw_true_peak} -> ${r.true_peak} dBTP\nSNR ${r.raw_snr} -> ${r.snr} dB, bandwidth ${r.raw_bandwidth} -> ${r.bandwidth} Hz, clipping ${r.clipping}, silence ${r.silence}`
        : '');
      item.resourceUri = uri;
      item.contextValue = 'sds.clip';
      item.command = { command: 'vscode.open', title: 'Play', arguments: [uri] };
      return item;
    }
    const r = node.row;
    const item = new vscode.TreeItem(path.basename(r.path), node.clips.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const csv = new Dataset(dir).segmentsCsv(r.id);
    item.description = fs.existsSync(csv) ? describeSegments(csv, node.clips.length) : 'not segmented';
    const stages = pipelineStages(node.state, r.id);
    if (stages.length) {
      const failed = stages.filter((s) => s.failed);
      item.description += ` · pipeline ${stages.length - failed.length}/${stages.length}`;
      item.iconPath = new vscode.ThemeIcon(failed.length ? 'error' : 'pass', new vscode.ThemeColor(failed.length ? 'testing.iconFailed' : 'testing.iconPassed'));
    }
    item.tooltip = `${r.id}\n${r.path}\n${r.duration ? `${Number(r.duration).toFixed(1)} s, ` : ''}${r.sample_rate ? `${r.sample_rate} Hz, ${r.channels} ch` : ''}` +
      (stages.length ? `\nlast pipeline run (sds status says what changed since):\n${stages.map((s) => `  ${s.stage}: ${s.failed ? `failed: ${s.failed}` : 'done'}`).join('\n')}` : '');
    item.contextValue = 'sds.source';
    if (fs.existsSync(csv)) item.command = { command: 'vscode.open', title: 'Open segments', arguments: [vscode.Uri.file(csv)] };
    return item;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

/** What the pipeline's last runs recorded of one source, stage by stage (the dataset-wide stages are not per source). */
function pipelineStages(state: PipelineState, id: string): { stage: string; failed?: string }[] {
  return Object.entries(state.stages).flatMap(([stage, rec]) => {
    const s = rec.sources[id];
    return !s ? [] : [{ stage, failed: 'failed' in s ? s.failed : undefined }];
  });
}

function describeSegments(csv: string, clips: number): string {
  try {
    const totals = new Map<string, number>();
    for (const s of parseSegmentCsv(fs.readFileSync(csv, 'utf8'), csv)) totals.set(s.label, (totals.get(s.label) ?? 0) + s.stop - s.start);
    const speech = ['male', 'female', 'speech'].filter((l) => totals.has(l)).map((l) => `${l} ${totals.get(l)!.toFixed(1)} s`);
    return `${speech.join(' · ') || 'no speech'} · ${clips} clips`;
  } catch (e) {
    return (e as Error).message;
  }
}

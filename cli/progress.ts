import * as path from 'node:path';
import { namingFile, type ProgressEvent } from '../pipeline/stages/types';
import { elapsedAndLeft } from '../pipeline/util/eta';

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * The CLI's progress display. Each file's start, end or failure gets a line; on a terminal one more line, kept at
 * the bottom and redrawn in place, shows the run overall (files done of all, and the share of the work including
 * files under way) and each file in flight with its own percentage. Piped output (logs, CI) gets an overall line
 * after each finished file instead, never a stream of redraws.
 */
export class CliProgress {
  private total = 0;
  private done = 0;
  private failed = 0;
  private readonly inFlight = new Map<string, number>();
  private statusShown = false;
  private stage = '';
  private stageStarted = 0;

  constructor(private readonly out: Out, private readonly now: () => number = Date.now) {}

  handle(e: ProgressEvent): void {
    if (e.kind === 'waiting') this.line(`  ${e.detail}`);
    else if (e.kind === 'stage') {
      // a pipeline's next stage: its own count of files
      this.total = this.done = this.failed = 0;
      this.inFlight.clear();
      this.stage = `${e.stage} (${e.index + 1}/${e.total})`;
      this.stageStarted = this.now();
      this.line(`== ${this.stage}: ${e.detail}`);
    } else if (e.kind === 'file-start') {
      this.total = Math.max(this.total, e.total);
      this.inFlight.set(e.file, 0);
      this.line(`[${e.index + 1}/${e.total}] ${e.file}`);
    } else if (e.kind === 'file-progress') {
      if (!this.inFlight.has(e.file)) return;
      this.inFlight.set(e.file, Math.max(0, Math.min(1, e.fraction)));
    } else {
      this.inFlight.delete(e.file);
      this.done++;
      if (e.kind === 'file-error') this.failed++;
      this.line(e.kind === 'file-done' ? `  ${e.skipped ? 'up to date' : 'done'}${e.detail ? `: ${e.detail}` : ''}  ${e.file}` : `  FAILED ${namingFile(e.file, e.error)}`);
      if (!this.out.isTTY && this.total > 1) this.out.write(`  overall: ${this.overall()}\n`);
    }
    if (this.out.isTTY) this.status();
  }

  /** A log line, printed above the status line. */
  log(s: string): void {
    this.line(s);
    if (this.out.isTTY && this.total) this.status();
  }

  /** Clears the status line (call before printing the summary). */
  finish(): void {
    if (this.statusShown) this.out.write('\r\x1b[K');
    this.statusShown = false;
  }

  overall(): string {
    const total = Math.max(this.total, this.done);
    const share = total ? (this.done + [...this.inFlight.values()].reduce((a, b) => a + b, 0)) / total : 0;
    return `${this.done}/${total} files (${Math.round(100 * share)}%)${this.failed ? `, ${this.failed} failed` : ''}${this.stage ? this.timing(share) : ''}`;
  }

  private timing(share: number): string {
    return `, ${elapsedAndLeft((this.now() - this.stageStarted) / 1000, share)}`;
  }

  private line(s: string): void {
    this.finish();
    this.out.write(`${s}\n`);
  }

  private status(): void {
    const files = [...this.inFlight].map(([f, x]) => `${shortName(f)} ${Math.round(100 * x)}%`).join(' · ');
    const text = `${this.stage ? `${this.stage} · ` : ''}overall ${this.overall()}${files ? ` · ${files}` : ''}`;
    const width = Math.max(20, (this.out.columns ?? 100) - 1);
    this.out.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.statusShown = true;
  }
}

function shortName(file: string): string {
  const base = /^https?:\/\//.test(file) ? decodeURIComponent(new URL(file).pathname.split('/').pop() || file) : path.basename(file);
  return base.length > 24 ? `${base.slice(0, 23)}…` : base;
}

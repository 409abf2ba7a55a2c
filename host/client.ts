import { fork, type ChildProcess } from 'node:child_process';
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { StageRequest } from '../pipeline/stages/requests';
import type { ProgressEvent, StageReport } from '../pipeline/stages/types';
import { helloRequest, logNotification, peaksRequest, progressNotification, PROTOCOL_VERSION, runStageRequest, spectrogramRequest, type HostSettings, type PeaksParams, type PeaksResult } from './protocol';

export interface HostClientOptions {
  /** Path to the built host bundle (dist/host.js). */
  hostScript: string;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Node or Electron binary; Electron runs as Node through ELECTRON_RUN_AS_NODE. */
  execPath?: string;
}

/**
 * Starts the host on first use, restarts it after a crash (the next request gets a fresh process), kills it on
 * dispose. Used by the extension, and by the integration tests exactly as the extension uses it.
 */
export class HostClient {
  private proc?: ChildProcess;
  private conn?: MessageConnection;
  private readonly listeners = new Map<string, (e: ProgressEvent) => void>();
  private runs = 0;
  private disposed = false;

  constructor(private readonly opts: HostClientOptions) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async runStage(req: StageRequest, settings: HostSettings, onProgress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<StageReport[]> {
    const conn = await this.connection();
    const runId = `run-${++this.runs}`;
    this.listeners.set(runId, onProgress);
    const cts = new CancellationTokenSource();
    const onAbort = () => cts.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await conn.sendRequest(runStageRequest, { ...req, runId, settings }, cts.token);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.listeners.delete(runId);
      cts.dispose();
    }
  }

  async peaks(params: PeaksParams): Promise<PeaksResult> {
    return (await this.connection()).sendRequest(peaksRequest, params);
  }

  async spectrogram(params: PeaksParams): Promise<{ frames: number }> {
    return (await this.connection()).sendRequest(spectrogramRequest, params);
  }

  private async connection(): Promise<MessageConnection> {
    if (this.disposed) throw new Error('host client disposed');
    if (this.conn) return this.conn;
    const proc = fork(this.opts.hostScript, [], {
      execPath: this.opts.execPath ?? process.execPath,
      execArgv: [],
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    proc.stderr!.on('data', (d: Buffer) => this.opts.log('info', `[host] ${d.toString().trimEnd()}`));
    conn.onNotification(logNotification, (m) => this.opts.log(m.level, m.message));
    conn.onNotification(progressNotification, (e) => this.listeners.get(e.runId)?.(e));
    proc.on('exit', (code, sig) => {
      if (this.proc !== proc) return;
      this.proc = undefined;
      this.conn = undefined;
      conn.dispose();
      if (!this.disposed) this.opts.log('error', `pipeline host exited (${sig ?? `code ${code}`}); it restarts on the next request`);
    });
    conn.listen();
    this.proc = proc;
    this.conn = conn;
    const hello = await conn.sendRequest(helloRequest);
    if (hello.protocol !== PROTOCOL_VERSION) throw new Error(`host speaks protocol ${hello.protocol}, expected ${PROTOCOL_VERSION}`);
    this.opts.log('info', `pipeline host started (pid ${hello.pid})`);
    return conn;
  }

  dispose(): void {
    this.disposed = true;
    this.conn?.dispose();
    this.proc?.kill();
    this.proc = undefined;
    this.conn = undefined;
  }
}

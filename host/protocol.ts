import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { StageRequest } from '../pipeline/stages/requests';
import type { ProgressEvent, StageReport } from '../pipeline/stages/types';

/** Version of this contract; the client refuses a host that speaks another. */
export const PROTOCOL_VERSION = 1;

export interface HostSettings {
  ffmpegPath?: string;
  jobs?: number;
}

export type RunStageParams = StageRequest & { runId: string; settings?: HostSettings };

export interface HelloResult {
  protocol: number;
  pid: number;
}

/** Extension (or CLI/test) -> host. Cancellation travels as vscode-jsonrpc's $/cancelRequest. */
export const helloRequest = new RequestType0<HelloResult, void>('sds/hello');
export const runStageRequest = new RequestType<RunStageParams, StageReport[], void>('sds/runStage');

export interface PeaksParams {
  file: string;
  cacheFile: string;
  key: string;
  settings?: HostSettings;
}
export interface PeaksResult {
  duration: number;
  count: number;
}
/** Computes (or reuses) the cached envelope of `file` in `cacheFile`; the webview fetches that file itself. */
export const peaksRequest = new RequestType<PeaksParams, PeaksResult, void>('sds/peaks');

/** Computes (or reuses) the cached spectrogram of `file` (files up to 15 minutes) for the timeline. */
export const spectrogramRequest = new RequestType<PeaksParams, { frames: number }, void>('sds/spectrogram');

/** Host -> client. */
export const progressNotification = new NotificationType<ProgressEvent & { runId: string }>('sds/progress');
export const logNotification = new NotificationType<{ level: 'info' | 'warn' | 'error'; message: string }>('sds/log');

import * as os from 'node:os';
import { createMessageConnection, ErrorCodes, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { errorData } from '../pipeline/errors';
import { assertFfmpeg, ffmpegPaths } from '../pipeline/audio/ffmpeg';
import { runStage } from '../pipeline/stages/dispatch';
import { computePeaks } from '../pipeline/audio/peaks';
import { computeSpectrogram } from '../pipeline/audio/spectrogram';
import { helloRequest, logNotification, peaksRequest, progressNotification, PROTOCOL_VERSION, runStageRequest, spectrogramRequest } from './protocol';

/**
 * The pipeline host: a plain Node process speaking JSON-RPC over stdio, so decoding and inference never run on the
 * extension host. stdout carries the protocol only; stray console output goes to stderr.
 */
const conn = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
console.log = console.info = (...a: unknown[]) => process.stderr.write(a.join(' ') + '\n');
const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => conn.sendNotification(logNotification, { level, message });

conn.onRequest(helloRequest, () => ({ protocol: PROTOCOL_VERSION, pid: process.pid }));

conn.onRequest(runStageRequest, async (params, token) => {
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort(new Error('cancelled')));
  try {
    const ffmpeg = ffmpegPaths(params.settings?.ffmpegPath || undefined);
    assertFfmpeg(ffmpeg);
    log(`${params.stage} started (${'inputs' in params && params.inputs ? params.inputs.length + ' inputs, ' : ''}${'out' in params ? `out ${params.out}` : ''})`);
    const reports = await runStage(params, {
      jobs: params.settings?.jobs || Math.min(2, os.availableParallelism()),
      ffmpeg,
      signal: abort.signal,
      log,
      // commands started from VS Code on one dataset run one after another, in the order they were asked for
      wait: true,
      command: `VS Code: ${params.stage}`,
      progress: (e) => conn.sendNotification(progressNotification, { ...e, runId: params.runId }),
    });
    for (const r of reports) for (const f of r.failed) log(f.error, 'error');
    for (const r of reports) for (const w of r.warnings ?? []) log(w.error, 'warn');
    return reports;
  } catch (e) {
    // the reason travels as data, so the extension decides by it (offer "Fetch it"), never by the message's words
    const data = errorData(e);
    throw data ? new ResponseError(ErrorCodes.InvalidRequest, (e as Error).message, data) : e;
  } finally {
    sub.dispose();
  }
});

conn.onRequest(peaksRequest, async (params, token) => {
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort(new Error('cancelled')));
  try {
    const p = await computePeaks(params.file, params.cacheFile, params.key, { paths: ffmpegPaths(params.settings?.ffmpegPath || undefined), signal: abort.signal });
    return { duration: p.duration, count: p.peaks.length };
  } finally {
    sub.dispose();
  }
});

conn.onRequest(spectrogramRequest, (params) =>
  computeSpectrogram(params.file, params.cacheFile, params.key, { paths: ffmpegPaths(params.settings?.ffmpegPath || undefined) }));

// the parent owns our lifetime: when its end of the pipe closes, stop
process.stdin.on('end', () => process.exit(0));
conn.listen();

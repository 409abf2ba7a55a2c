import { forgetStage } from '../plan/state';
import { lockDataset } from '../util/datasetLock';
import { runFor } from './registry';
import type { StageRequest } from './requests';
import type { StageContext, StageReport } from './types';

/**
 * Runs one request, however it was built (the host's JSON-RPC, the CLI, tests): the registry's entry for its stage
 * checks every option first (an OptionError, nothing written), then the dataset it writes is locked for the whole
 * run, so two writers never interleave their rewrites of sources.csv or clips.csv.
 */
export async function runStage(req: StageRequest, ctx: StageContext): Promise<StageReport[]> {
  const job = runFor(req.stage).prepare(req, ctx);
  if (!job.writes) return job.run();
  const lock = await lockDataset(job.writes, ctx.command ?? req.stage, { wait: ctx.wait, signal: ctx.signal, log: ctx.log,
    onWait: (holder) => ctx.progress({ kind: 'waiting', detail: `waiting for ${holder} to finish` }) });
  try {
    await forgetStage(job.writes, req.stage);
    const reports = await job.run();
    if (lock.tookOver && reports[0]) reports[0].summary.push(`took over the dataset lock of "${lock.tookOver.command}" (pid ${lock.tookOver.pid}), which had stopped`);
    return reports;
  } finally {
    lock.release();
  }
}

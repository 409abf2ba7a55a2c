import * as fs from 'node:fs';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import { readPipelineFile, type PipelineConfig } from '../plan/config';
import { runPipeline } from '../plan/runner';
import { pipelineStages } from '../stages/commandKit';
import type { StageContext, StageReport } from '../stages/types';
import { cancelKey, CANCEL_BEFORE_KEY, connectionOf, queueOf, type JobData, type JobResult } from './redis';

/**
 * `sds worker --queue redis://...`: takes jobs of the queued stages (all per-source ones, or `stages`) and runs each
 * as the pipeline runner's share of one source and one stage: its outputs written atomically, its rows and record as
 * the source's row file, never the tables. A worker killed mid-job loses its lock; BullMQ's stalled-job check gives
 * the job to another worker after `stallSeconds`. Runs until `ctx.signal` aborts, then finishes its jobs and stops.
 */

export interface WorkerOptions {
  url: string;
  concurrency: number;
  stages?: string[];
  /** how long a job's lock lasts without renewal: a dead worker's job runs elsewhere after about this long */
  stallSeconds: number;
}

export async function runWorker(o: WorkerOptions, ctx: StageContext): Promise<StageReport[]> {
  const known = [...pipelineStages()].filter(([, d]) => d.pipeline.scope === 'source').map(([name]) => name);
  const names = o.stages ?? known;
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new Error(`--stages: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a per-source stage (these are: ${known.join(', ')})`);
  const connection = connectionOf(o.url);
  const redis = new IORedis(connection);
  const report: StageReport = { stage: 'worker', processed: 0, skipped: 0, failed: [], summary: [] };
  const configs = new Map<string, { mtimeMs: number; cfg: PipelineConfig }>();
  const configOf = (file: string) => {
    const mtimeMs = fs.statSync(file).mtimeMs;
    const was = configs.get(file);
    if (was?.mtimeMs === mtimeMs) return was.cfg;
    const cfg = readPipelineFile(file);
    configs.set(file, { mtimeMs, cfg });
    return cfg;
  };
  const process = async (job: Job<JobData, JobResult>): Promise<JobResult> => {
    const d = job.data;
    const [before, mine] = await redis.mget(CANCEL_BEFORE_KEY, cancelKey(d.run));
    if (mine || Number(before ?? 0) > d.enqueued) throw new UnrecoverableError('cancelled before it started');
    ctx.log(`${job.name}: started (attempt ${job.attemptsMade + 1})`);
    const t0 = Date.now();
    const cfg = configOf(d.config);
    // without the worker's signal: a stopped worker finishes the jobs it holds
    const { reports } = await runPipeline(cfg, { ...ctx, signal: undefined, command: `sds worker (${job.name})` }, { share: { has: (id) => id === d.source }, stages: new Set([d.key]), only: [d.source] });
    const failed = reports.flatMap((r) => r.failed);
    if (failed.length) throw new Error(failed.map((f) => f.error).join('; '));
    const result = { processed: reports.reduce((a, r) => a + r.processed, 0), skipped: reports.reduce((a, r) => a + r.skipped, 0), seconds: (Date.now() - t0) / 1000 };
    ctx.log(`${job.name}: done in ${result.seconds.toFixed(2)} s`);
    return result;
  };
  const lockDuration = Math.max(2000, o.stallSeconds * 1000);
  const workers = names.map((name) => new Worker<JobData, JobResult>(queueOf(name), process, {
    connection, concurrency: o.concurrency, lockDuration, stalledInterval: Math.max(1000, lockDuration / 2),
    // a job whose worker was killed runs again (twice more at most: then it is the job that kills them)
    maxStalledCount: 2,
  }));
  for (const w of workers) {
    w.on('completed', () => report.processed++);
    w.on('failed', (job, e) => {
      const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || e instanceof UnrecoverableError;
      ctx.log(`${job?.name ?? 'a job'}: ${final ? 'failed' : 'failed, will be tried again'}: ${e.message}`);
      if (final) report.failed.push({ file: job?.data.source ?? '?', error: e.message, ...(job ? { source: job.data.source } : {}) });
    });
    w.on('error', (e) => ctx.log(`worker: ${e.message}`));
  }
  ctx.log(`sds worker: ${names.map(queueOf).join(', ')} on ${o.url}, ${o.concurrency} at a time (pid ${globalThis.process.pid})`);
  await new Promise<void>((resolve) => {
    if (ctx.signal?.aborted) resolve();
    ctx.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  // stopped: the jobs in hand finish (their locks stay renewed), no new one is taken
  await Promise.allSettled(workers.map((w) => w.close()));
  redis.disconnect();
  report.summary.push(`${report.processed} jobs done, ${report.failed.length} failed for good`);
  return [report];
}

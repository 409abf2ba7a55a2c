import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import { readPipelineFile, type PipelineConfig } from '../plan/config';
import { runPipeline } from '../plan/runner';
import type { StageContext, StageReport } from '../stages/types';
import { cancelKey, CANCEL_BEFORE_KEY, connectionOf, queuedStages, queueOf, type JobData, type JobResult } from './redis';

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
  /** threads of each model session (the worker's share of the machine's cores) */
  threads?: number;
}

export async function runWorker(o: WorkerOptions, ctx: StageContext): Promise<StageReport[]> {
  const known = queuedStages();
  const names = o.stages ?? known;
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new Error(`--stages: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a per-source stage (these are: ${known.join(', ')})`);
  // the sessions of this process (and of the feature workers it starts) read it when they open
  if (o.threads) process.env.SDS_ORT_THREADS = String(o.threads);
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
  const processJob = async (job: Job<JobData, JobResult>): Promise<JobResult> => {
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
  const name = `${os.hostname()}:${process.pid}`;
  // one fetcher per stage's queue, jobs taken by hand: --concurrency is this process's limit over every stage
  // (a BullMQ Worker per queue would run that many per queue); each runs the stalled-job check of its queue
  const fetchers = names.map((stage) => new Worker<JobData, JobResult>(queueOf(stage), null, {
    // its name is on every job it takes (processedBy): which machine and process did what
    name, connection, autorun: false, lockDuration, stalledInterval: Math.max(1000, lockDuration / 2),
    // a job whose worker was killed runs again (twice more at most: then it is the job that kills them)
    maxStalledCount: 2,
  }));
  for (const w of fetchers) {
    w.on('error', (e) => ctx.log(`worker: ${e.message}`));
    await w.startStalledCheckTimer();
  }
  // a source's later stage first: sources finish (and free their share of the disk) before new ones start
  const order = [...fetchers].reverse();
  const stopped = new Promise<void>((resolve) => {
    if (ctx.signal?.aborted) resolve();
    ctx.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  let stopping = false;
  void stopped.then(() => (stopping = true));
  const next = async (): Promise<{ job: Job<JobData, JobResult>; token: string } | undefined> => {
    for (const w of order) {
      const token = `${name}:${randomUUID()}`;
      try {
        const job = await w.getNextJob(token, { block: false });
        if (job) return { job, token };
      } catch (e) {
        ctx.log(`worker: ${(e as Error).message} (trying again)`);
      }
    }
    return undefined;
  };
  const runOne = async (job: Job<JobData, JobResult>, token: string) => {
    // the lock renewed while the job runs; a dead process stops renewing it, and the stalled check hands the job on
    const renew = setInterval(() => job.extendLock(token, lockDuration).catch((e) => ctx.log(`${job.name}: lock not renewed (${(e as Error).message})`)), lockDuration / 2);
    try {
      let result: JobResult | undefined;
      let error: Error | undefined;
      try {
        // an earlier stage of its source failed for good (failParentOnFailure): it fails too, unrun, as BullMQ's own Worker does
        if (job.deferredFailure) throw new UnrecoverableError(job.deferredFailure);
        result = await processJob(job);
      } catch (e) {
        error = e instanceof Error ? e : new Error(String(e));
      }
      if (result) {
        await job.moveToCompleted(result, token, false);
        report.processed++;
        return;
      }
      await job.moveToFailed(error!, token, false);
      const final = job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError;
      ctx.log(`${job.name}: ${final ? 'failed' : 'failed, will be tried again'}: ${error!.message}`);
      if (final) report.failed.push({ file: job.data.source, error: error!.message, source: job.data.source });
    } catch (e) {
      // Redis gone for longer than the lock: another worker has (or will have) the job; its outputs are the same
      ctx.log(`${job.name}: not recorded here (${(e as Error).message}); the queue gives it to another worker`);
    } finally {
      clearInterval(renew);
    }
  };
  const slot = async () => {
    while (!stopping) {
      const got = await next();
      if (got) await runOne(got.job, got.token);
      else await Promise.race([stopped, new Promise((r) => setTimeout(r, 200))]);
    }
  };
  ctx.log(`sds worker: ${names.map(queueOf).join(', ')} on ${o.url}, ${o.concurrency} at a time (${name})`);
  // stopped: the jobs in hand finish, no new one is taken
  await Promise.all(Array.from({ length: o.concurrency }, slot));
  await Promise.allSettled(fetchers.map((w) => w.close()));
  redis.disconnect();
  report.summary.push(`${report.processed} jobs done, ${report.failed.length} failed for good`);
  return [report];
}

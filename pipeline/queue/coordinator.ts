import * as path from 'node:path';
import { FlowProducer, Queue, type FlowJob } from 'bullmq';
import IORedis from 'ioredis';
import { Dataset } from '../dataset';
import type { Row } from '../formats/csvTable';
import type { ConfiguredStage, PipelineConfig } from '../plan/config';
import { foldRows } from '../plan/fold';
import { shareable } from '../plan/step';
import { algorithmKey, optionsKey, pipelineStatus, reasons, registerSources, runPipeline } from '../plan/runner';
import type { StageContext, StageReport } from '../stages/types';
import { lockDataset } from '../util/datasetLock';
import { hashJson } from '../util/hash';
import { cancelKey, CANCEL_BEFORE_KEY, connectionOf, queueOf, type JobData, type JobResult } from './redis';

/**
 * `sds run --config sds.json --queue redis://...`: the pipeline's per-source stages as BullMQ flows, one per source
 * (segment -> slice -> clean: a stage's job waits for the one before), done by `sds worker`s on any machine that sees
 * the dataset folder. The coordinator runs the stages before the queued ones itself, holds the dataset lock while the
 * workers write their row files, folds them into the tables at the end, then runs the rest (lint, export, report).
 */

export interface QueueOptions {
  url: string;
  /** tries of a job before it fails with its error (a poison file) */
  attempts: number;
  pollMs?: number;
}

export async function runQueued(cfg: PipelineConfig, ctx: StageContext, o: QueueOptions): Promise<StageReport[]> {
  const first = cfg.stages.findIndex(shareable);
  if (first < 0) throw new Error(`${cfg.file}: no per-source stage to queue (${cfg.stages.map((s) => s.stage).join(', ')} run once for the dataset): run it without --queue`);
  let end = first;
  while (end < cfg.stages.length && shareable(cfg.stages[end])) end++;
  const queued = cfg.stages.slice(first, end);
  const keys = (xs: ConfiguredStage[]) => new Set(xs.map((s) => s.key));
  const reports: StageReport[] = [];
  // ingest (or any stage before the queued ones) writes the tables: here, before the workers start
  if (first > 0) reports.push(...(await runPipeline(cfg, ctx, { stages: keys(cfg.stages.slice(0, first)), noReport: true })).reports);

  const connection = connectionOf(o.url);
  const lock = await lockDataset(cfg.dataset, ctx.command ?? 'sds run --queue', { wait: ctx.wait, signal: ctx.signal, log: ctx.log,
    onWait: (holder) => ctx.progress({ kind: 'waiting', detail: `waiting for ${holder} to finish` }) });
  const redis = new IORedis(connection);
  const flows = new FlowProducer({ connection });
  const queues = new Map(queued.map((s) => [s.stage, new Queue<JobData, JobResult>(queueOf(s.stage), { connection })]));
  const run = hashJson({ dataset: path.resolve(cfg.dataset), at: Date.now(), pid: process.pid });
  try {
    await foldRows(cfg.dataset);
    const sources = await registerSources(cfg);
    const plan = await pipelineStatus(cfg, new Dataset(cfg.dataset));
    const rows = plan.slice(first, end);
    const todo = sources.filter((src) => rows.some((r) => r.find((x) => x.source === src.id)?.todo));
    for (const [i, s] of queued.entries()) ctx.progress({ kind: 'stage', stage: s.stage, index: first + i, total: cfg.stages.length, todo: rows[i].filter((r) => r.todo).length, detail: `${reasons(rows[i])} (queued on ${o.url})` });

    // a job's id is the hash of what it works on and with: enqueued twice (a coordinator restarted), it runs once
    const enqueued = Date.now();
    const chains = todo.map((src) => {
      let parent = '';
      return { src, jobs: queued.map((s) => {
        // named for people too (`sds status`, Redis tools); never all digits, which BullMQ refuses
        const id = `${s.key.replace(/#/g, '-')}-${src.id}-${hashJson({ dataset: path.resolve(cfg.dataset), key: s.key, source: src.id, sha256: src.sha256, options: optionsKey(s.req), algorithm: algorithmKey(s), after: parent })}`;
        parent = id;
        return { s, id };
      }) };
    });
    // any job of a flow that failed or finished in an earlier run under the same id is cleared, so it can run again:
    // a stopped run leaves failed jobs inside its flows, and a new parent would wait for ever on such a child
    for (const c of chains) {
      for (const { s, id } of [...c.jobs].reverse()) {
        const q = queues.get(s.stage)!;
        const state = await q.getJobState(id);
        if (state === 'failed' || state === 'completed') await q.remove(id, { removeChildren: true });
      }
    }
    const flowOf = (c: (typeof chains)[number]): FlowJob => {
      let node: FlowJob | undefined;
      for (const { s, id } of c.jobs) {
        const data: JobData = { config: path.resolve(cfg.file!), key: s.key, stage: s.stage, source: c.src.id, run, enqueued };
        node = { name: `${s.key} ${c.src.id}`, queueName: queueOf(s.stage), data,
          opts: { jobId: id, attempts: o.attempts, backoff: { type: 'fixed', delay: 500 }, failParentOnFailure: true, removeOnComplete: false, removeOnFail: false },
          ...(node ? { children: [node] } : {}) } as FlowJob;
      }
      return node!;
    };
    if (chains.length) await flows.addBulk(chains.map(flowOf));
    ctx.log(`${chains.length} sources queued on ${o.url} as ${chains.length * queued.length} jobs (${queued.map((s) => queueOf(s.stage)).join(', ')}); waiting for sds worker`);

    const outcome = await waitFor(chains, queues, redis, run, enqueued, ctx, o.pollMs ?? 250);
    reports.push(...queued.map((s, i) => {
      const mine = outcome.jobs.filter((j) => j.key === s.key);
      const rep: StageReport = { stage: s.stage, processed: mine.reduce((a, j) => a + (j.result?.processed ?? 0), 0), skipped: sources.length - todo.length,
        failed: mine.filter((j) => j.error).map((j) => ({ file: j.path, error: j.error!, source: j.source })), summary: [reasons(rows[i]) + ` (by sds worker through ${o.url})`] };
      rep.seconds = mine.reduce((a, j) => a + (j.result?.seconds ?? 0), 0);
      return rep;
    }));
    const folded = await foldRows(cfg.dataset);
    reports.push({ stage: 'merge', processed: folded.sources, skipped: 0, failed: [], summary: [`folded ${folded.files} row files of ${folded.sources} sources into the tables`] });
    if (outcome.cancelled) {
      const done = outcome.jobs.filter((j) => j.key === queued[queued.length - 1].key && j.result).length;
      throw new Error(`${outcome.cancelled}: ${done} of ${chains.length} sources finished, and are in the tables; \`sds run --config ${cfg.file} --queue ${o.url}\` goes on from there`);
    }
  } finally {
    lock.release();
    await Promise.allSettled([flows.close(), ...[...queues.values()].map((q) => q.close())]);
    redis.disconnect();
  }
  ctx.signal?.throwIfAborted();
  // the rest in this process: lint, export, report (and any per-source stage after a dataset-wide one)
  reports.push(...(await runPipeline(cfg, ctx, { stages: keys(cfg.stages.slice(end)) })).reports);
  return reports;
}

interface JobOutcome {
  key: string;
  source: string;
  path: string;
  result?: JobResult;
  error?: string;
}

/**
 * Until every source's last job has finished or failed (a failed job fails the later ones of its source), telling
 * progress as they do. Redis going away is waited out; Ctrl+C or `sds cancel` stops starting new jobs.
 */
async function waitFor(chains: { src: Row; jobs: { s: ConfiguredStage; id: string }[] }[], queues: Map<string, Queue<JobData, JobResult>>,
  redis: IORedis, run: string, enqueued: number, ctx: StageContext, pollMs: number): Promise<{ jobs: JobOutcome[]; cancelled?: string }> {
  const open = new Set(chains.map((_, i) => i));
  let cancelled: string | undefined;
  let down = false;
  chains.forEach((c, i) => ctx.progress({ kind: 'file-start', file: c.src.path, index: i, total: chains.length }));
  while (open.size) {
    await new Promise((r) => setTimeout(r, pollMs));
    try {
      if (ctx.signal?.aborted && !cancelled) {
        cancelled = 'stopped (Ctrl+C): jobs not started yet are dropped';
        await redis.set(cancelKey(run), '1', 'EX', 86400);
      }
      const before = Number((await redis.get(CANCEL_BEFORE_KEY)) ?? 0);
      if (!cancelled && before > enqueued) cancelled = 'sds cancel';
      for (const i of [...open]) {
        const root = chains[i].jobs[chains[i].jobs.length - 1];
        const state = await queues.get(root.s.stage)!.getJobState(root.id);
        const gone = state === 'unknown';
        if (state === 'completed' || state === 'failed' || gone) {
          open.delete(i);
          if (state === 'completed') ctx.progress({ kind: 'file-done', file: chains[i].src.path, skipped: false });
          else ctx.progress({ kind: 'file-error', file: chains[i].src.path, error: gone ? 'its jobs were removed from the queue' : 'failed' });
        } else if (cancelled && state !== 'active') {
          // not started: dropped now; a chain whose job is running ends when that job does
          const active = await anyActive(chains[i].jobs, queues);
          if (!active) {
            await queues.get(root.s.stage)!.remove(root.id, { removeChildren: true }).catch(() => undefined);
            open.delete(i);
          }
        }
      }
      if (down) ctx.log('Redis is back');
      down = false;
    } catch (e) {
      if (!down) ctx.log(`Redis unreachable (${(e as Error).message}): waiting for it to come back`);
      down = true;
    }
  }
  const jobs: JobOutcome[] = [];
  for (const c of chains) {
    let failedBefore = false;
    for (const { s, id } of c.jobs) {
      const job = await queues.get(s.stage)!.getJob(id);
      const out: JobOutcome = { key: s.key, source: c.src.id, path: c.src.path };
      if (job?.finishedOn && !job.failedReason) out.result = job.returnvalue as JobResult;
      // the job that failed says why; the later ones of its source only followed it
      else if (job?.failedReason && !failedBefore) {
        out.error = `${c.src.path}: ${job.failedReason} (after ${job.attemptsMade} attempts)`;
        failedBefore = true;
      }
      jobs.push(out);
    }
  }
  return { jobs, cancelled };
}

async function anyActive(jobs: { s: ConfiguredStage; id: string }[], queues: Map<string, Queue<JobData, JobResult>>): Promise<boolean> {
  for (const { s, id } of jobs) if ((await queues.get(s.stage)!.getJobState(id)) === 'active') return true;
  return false;
}

import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { StageReport } from '../stages/types';
import { CANCEL_BEFORE_KEY, connectionOf, queuedStages, queueOf, type JobData } from './redis';

/** `sds status --queue`: per stage queue, the jobs waiting, running, done and failed, and each failed job's error. */
export async function queueStatus(url: string): Promise<StageReport> {
  const connection = connectionOf(url);
  const lines: string[] = [];
  const failed: StageReport['failed'] = [];
  for (const name of queuedStages()) {
    const q = new Queue<JobData>(queueOf(name), { connection });
    try {
      const c = await q.getJobCounts('waiting', 'waiting-children', 'active', 'delayed', 'completed', 'failed');
      if (!Object.values(c).some(Boolean)) continue;
      lines.push(`${name}: ${c.waiting + c.delayed} waiting, ${c['waiting-children']} waiting for an earlier stage, ${c.active} active, ${c.completed} done, ${c.failed} failed`);
      for (const job of await q.getFailed(0, 999)) {
        // a job failed only because an earlier one of its source did is not the one to look at
        if (/^child .* failed$/i.test(job.failedReason ?? '')) continue;
        failed.push({ file: job.data.source, source: job.data.source, error: `${name}: ${job.failedReason} (after ${job.attemptsMade} attempts; ${job.data.config})` });
      }
    } finally {
      await q.close();
    }
  }
  if (!lines.length) lines.push(`no sds jobs on ${url}`);
  return { stage: 'queue', processed: 0, skipped: 0, failed, summary: lines, listing: true };
}

/** `sds cancel --queue`: jobs not started yet are dropped (workers check before each job); running ones finish. */
export async function cancelQueue(url: string): Promise<StageReport> {
  const connection = connectionOf(url);
  const redis = new IORedis(connection);
  let dropped = 0;
  try {
    await redis.set(CANCEL_BEFORE_KEY, String(Date.now()));
    for (const name of queuedStages()) {
      const q = new Queue(queueOf(name), { connection });
      try {
        dropped += (await q.getJobCounts('waiting', 'delayed')).waiting ?? 0;
        await q.drain(true);
      } finally {
        await q.close();
      }
    }
  } finally {
    redis.disconnect();
  }
  return { stage: 'cancel', processed: dropped, skipped: 0, failed: [], summary: [`${dropped} waiting jobs dropped; running jobs finish, their coordinator folds what finished and stops`] };
}

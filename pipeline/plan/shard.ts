import { createHash } from 'node:crypto';
import { OptionError } from '../errors';

/** One share of a dataset's sources: `index` of `count` (`--shard 1/3`). */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The shard a source belongs to, by a hash of its id: the same on every machine, and a source added later never
 * moves the others (unlike cutting the sorted list into n runs).
 */
export function shardOf(id: string, count: number): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % count;
}

export const inShard = (shard: Shard) => (id: string) => shardOf(id, shard.count) === shard.index;

/** `i/n`, counted from 0: `0/3`, `1/3`, `2/3`. */
export function parseShard(text: string, label = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const shard = m && { index: Number(m[1]), count: Number(m[2]) };
  if (!shard || shard.count < 1 || shard.index >= shard.count) throw new OptionError(`${label}: "${text}" is not i/n with 0 <= i < n (e.g. 0/3, 1/3, 2/3)`);
  return shard;
}

/**
 * The shard an array job's task is, from its scheduler's environment: Slurm's `SLURM_ARRAY_TASK_ID` (from
 * `SLURM_ARRAY_TASK_MIN`, so `--array=1-8` works too) of `SLURM_ARRAY_TASK_COUNT`, or a Kubernetes Indexed Job's
 * `JOB_COMPLETION_INDEX` of `SDS_SHARD_COUNT` (the manifest sets it to `completions`: Kubernetes does not say it).
 */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    const first = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    return parseShard(`${Number(env.SLURM_ARRAY_TASK_ID) - first}/${env.SLURM_ARRAY_TASK_COUNT}`, 'SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.SDS_SHARD_COUNT === undefined) throw new OptionError('JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but SDS_SHARD_COUNT is not: set it to the Job\'s completions (docs/scale.md)');
    return parseShard(`${env.JOB_COMPLETION_INDEX}/${env.SDS_SHARD_COUNT}`, 'JOB_COMPLETION_INDEX/SDS_SHARD_COUNT');
  }
  return undefined;
}

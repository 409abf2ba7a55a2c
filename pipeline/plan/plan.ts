// The pipeline's plan: which stage has what to do for which source, and why. A pure function of what the stages'
// declarations make of sds.json (options and algorithm keys), of what the last runs recorded (state.ts) and of the
// fingerprints of what each stage reads now (fileHashes.ts); `sds run --dry-run` prints it, the runner follows it.

export type Reason =
  | 'up-to-date'
  | 'new' // never run for this source
  | 'input' // the source itself changed
  | 'upstream-output' // what an earlier stage wrote for it changed (an edited segment table, re-cut clips)
  | 'options' // the stage's options in sds.json changed
  | 'algorithm' // its model or algorithm version changed
  | 'missing-output' // something it wrote is gone
  | 'failed-before' // it failed there last time
  | 'upstream-pending' // an earlier stage redoes the source first; this one then runs where that changed its output
  | 'upstream-failed' // an earlier stage failed on it in this run: skipped
  | 'always'; // runs every time (ingest)

export const REASON_TEXT: Record<Reason, string> = {
  'up-to-date': 'up to date',
  new: 'new input',
  input: 'changed input',
  'upstream-output': 'changed upstream output',
  options: 'changed option',
  algorithm: 'changed model or algorithm',
  'missing-output': 'output missing',
  'failed-before': 'failed last time',
  'upstream-pending': 'after an earlier stage',
  'upstream-failed': 'skipped: an earlier stage failed',
  always: 'runs every time',
};

/** What one stage ran with, as the state file keeps it. */
export interface StageRecord {
  options: string;
  algorithm: string;
  /** per source id (`*` for a dataset-wide stage): the fingerprint of what it read, or why it failed */
  sources: Record<string, { in: string } | { failed: string }>;
}

export interface StagePlanInput {
  /** the stage's key in the state file (`slice`, or `clean#2` for a second clean) */
  key: string;
  scope: 'source' | 'dataset' | 'always';
  /** reads the originals themselves (no earlier stage in the pipeline writes what it reads) */
  first: boolean;
  options: string;
  algorithm: string;
  /** each source now (one entry with id `*` for a dataset-wide stage): what it reads, and whether its outputs are there */
  sources: { id: string; fp: string; outputs: boolean }[];
}

export interface PlanRow {
  stage: string;
  source: string;
  todo: boolean;
  reason: Reason;
}

/** Sources an earlier stage of this plan redoes (pending) or failed on in this run (failed). */
export interface Upstream {
  pending: ReadonlySet<string>;
  failed: ReadonlySet<string>;
}

export const NO_UPSTREAM: Upstream = { pending: new Set(), failed: new Set() };

export function planStage(s: StagePlanInput, record: StageRecord | undefined, up: Upstream = NO_UPSTREAM): PlanRow[] {
  const wide = s.scope !== 'source';
  const anyOf = (set: ReadonlySet<string>) => set.size > 0;
  return s.sources.map(({ id, fp, outputs }) => {
    const row = (reason: Reason): PlanRow => ({ stage: s.key, source: id, todo: reason !== 'up-to-date' && reason !== 'upstream-failed', reason });
    if (!wide && up.failed.has(id)) return row('upstream-failed');
    if (s.scope === 'always') return row('always');
    if (!record) return row('new');
    if (record.algorithm !== s.algorithm) return row('algorithm');
    if (record.options !== s.options) return row('options');
    const was = record.sources[id];
    if (!was) return row('new');
    if ('failed' in was) return row('failed-before');
    if (was.in !== fp) return row(s.first && !wide ? 'input' : 'upstream-output');
    if (!outputs) return row('missing-output');
    if (wide ? anyOf(up.pending) : up.pending.has(id)) return row('upstream-pending');
    return row('up-to-date');
  });
}

/** The whole plan, stage after stage: a source one stage redoes is pending for every later stage. */
export function planRun(stages: StagePlanInput[], records: Record<string, StageRecord | undefined>): PlanRow[][] {
  const pending = new Set<string>();
  return stages.map((s) => {
    const rows = planStage(s, records[s.key], { pending, failed: new Set() });
    for (const r of rows) if (r.todo) for (const id of r.source === '*' ? [] : [r.source]) pending.add(id);
    // a dataset-wide stage that runs changes what every later stage reads
    if (s.scope === 'dataset' && rows.some((r) => r.todo)) for (const other of stages.flatMap((x) => x.sources)) if (other.id !== '*') pending.add(other.id);
    return rows;
  });
}

import * as path from 'node:path';
import type { PipelineConfig } from './config';
import { REASON_TEXT, type PlanRow } from './plan';
import { reasons } from './runner';

// The plan and the status as the terminal (and the host's reply) shows them.

const heading = (cfg: PipelineConfig, plan: PlanRow[][]) => {
  const sources = new Set(plan.flat().map((r) => r.source).filter((s) => s !== '*'));
  const rel = path.relative(process.cwd(), cfg.dataset);
  return `${cfg.file ?? 'pipeline'}: dataset ${rel.startsWith('..') || path.isAbsolute(rel) ? cfg.dataset : rel || '.'}, ${sources.size} source${sources.size === 1 ? '' : 's'}, ${cfg.stages.length} stages`;
};

/** `sds run --dry-run`: per stage, what it would do and why, each source to do on a line of its own (like make -n). */
export function formatPlan(cfg: PipelineConfig, plan: PlanRow[][]): string[] {
  const lines = [heading(cfg, plan)];
  plan.forEach((rows, i) => {
    lines.push(`${cfg.stages[i].key}: ${reasons(rows) || 'nothing to do'}`);
    for (const r of rows) if (r.todo && r.source !== '*') lines.push(`  ${r.source}: ${REASON_TEXT[r.reason]}`);
  });
  const todo = plan.flat().filter((r) => r.todo).length;
  lines.push(todo ? `${todo} stage x source pairs to do; sds run --config ${cfg.file ?? 'sds.json'} does them` : 'everything is up to date');
  return lines;
}

const CELL: Partial<Record<PlanRow['reason'], string>> = { 'up-to-date': 'done', 'failed-before': 'FAILED', 'upstream-pending': 'waits' };

/** `sds status`: a source x stage table (done, to do, FAILED, waits on an earlier stage), then each stage's counts. */
export function formatStatus(cfg: PipelineConfig, plan: PlanRow[][]): string[] {
  const keys = cfg.stages.map((s) => s.key);
  const perSource = plan.map((rows) => new Map(rows.map((r) => [r.source, r])));
  const sources = [...new Set(plan.flat().map((r) => r.source).filter((s) => s !== '*'))];
  const width = Math.max(6, ...sources.map((s) => s.length));
  const cell = (r?: PlanRow) => (!r ? '' : CELL[r.reason] ?? 'to do');
  const widths = keys.map((k) => Math.max(k.length, 6));
  const line = (first: string, cells: string[]) => [first.padEnd(width), ...cells.map((c, i) => c.padEnd(widths[i]))].join('  ').trimEnd();
  const lines = [heading(cfg, plan), line('source', keys)];
  for (const s of sources) lines.push(line(s, perSource.map((m) => cell(m.get(s) ?? m.get('*')))));
  lines.push('');
  plan.forEach((rows, i) => lines.push(`${keys[i]}: ${reasons(rows) || 'nothing to do'}`));
  return lines;
}

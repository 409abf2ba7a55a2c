import type { Row } from '../formats/csvTable';

/**
 * `--where "emotion=neutral and similarity_pengsu>0.8 and snr>20"`: conditions on clips.csv columns joined by
 * `and`; = and != compare text, < <= > >= compare numbers (a non-number never matches them).
 */
export function parseWhere(expr: string | undefined): (row: Row) => boolean {
  if (!expr?.trim()) return () => true;
  const conds = expr.split(/\s+and\s+/i).map((c) => {
    const m = /^\s*([A-Za-z_][\w.]*)\s*(!=|>=|<=|=|>|<)\s*([^<>=!]*?)\s*$/.exec(c);
    if (!m) throw new Error(`--where: cannot read "${c}" (use column=value, column>number, ... joined by "and")`);
    const [, col, op, raw] = m;
    const value = raw.replace(/^["']|["']$/g, '');
    return (row: Row) => {
      const v = row[col] ?? '';
      if (op === '=') return v === value;
      if (op === '!=') return v !== value;
      const a = Number(v);
      const b = Number(value);
      if (v === '' || !Number.isFinite(a) || !Number.isFinite(b)) return false;
      return op === '>' ? a > b : op === '<' ? a < b : op === '>=' ? a >= b : a <= b;
    };
  });
  return (row) => conds.every((c) => c(row));
}

/**
 * Assigns whole groups (speakers) to splits so that no group is in two splits and each split's share of the total
 * duration comes as close as it can to the requested fractions. Deterministic: groups are ordered by a hash of
 * their name, so adding a speaker does not reshuffle the others.
 */
export function splitGroups(durations: Map<string, number>, fractions: number[], names: string[]): Map<string, string> {
  const total = [...durations.values()].reduce((a, b) => a + b, 0);
  const sum = fractions.reduce((a, b) => a + b, 0);
  const target = fractions.map((f) => (f / sum) * total);
  const filled = fractions.map(() => 0);
  const hash = (s: string) => [...s].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
  const out = new Map<string, string>();
  // largest groups first (stable by hash), each to the split furthest below its target
  for (const g of [...durations.keys()].sort((a, b) => durations.get(b)! - durations.get(a)! || hash(a) - hash(b))) {
    let best = 0;
    for (let k = 1; k < fractions.length; k++) if (target[k] - filled[k] > target[best] - filled[best]) best = k;
    filled[best] += durations.get(g)!;
    out.set(g, names[best]);
  }
  return out;
}

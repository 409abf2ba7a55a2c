import type { Segment } from '../segmentation/inaSegmenter';

export interface DerResult {
  /** (missed + false alarm + confusion) / scored reference speech, as md-eval reports it. */
  der: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  /** Seconds of reference speech scored (overlap counts once per speaker). */
  scored: number;
  /** Hypothesis label -> reference label, the mapping that maximises matched time. */
  mapping: Map<string, string>;
}

interface Event {
  t: number;
  kind: 'ref' | 'hyp' | 'collar';
  index: number;
  delta: 1 | -1;
}

/** Minimum-cost assignment of rows to columns (Hungarian algorithm, O(n^3)); returns the column of each row or -1. */
export function assign(cost: number[][]): number[] {
  const rows = cost.length;
  const cols = rows ? cost[0].length : 0;
  const n = Math.max(rows, cols);
  const c = (i: number, j: number) => (i < rows && j < cols ? cost[i][j] : 0);
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // column j is matched to row p[j] (1-based, 0 = none)
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) if (!used[j]) {
        const cur = c(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const out = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= n; j++) if (p[j] && p[j] <= rows && j <= cols) out[p[j] - 1] = j - 1;
  return out;
}

/**
 * Diarization error rate the way NIST md-eval scores it: reference turns may overlap, a `collar` (seconds) either
 * side of every reference boundary is not scored, speakers are mapped one-to-one to maximise matched time, and each
 * stretch contributes missed = max(0, ref - hyp), false alarm = max(0, hyp - ref) and confusion = min(ref, hyp) -
 * correctly mapped speakers. Exact (swept over turn edges, no frames). Segments labelled noEnergy are ignored.
 */
export function diarizationError(reference: Segment[], hypothesis: Segment[], collar = 0.25): DerResult {
  const ref = reference.filter((s) => s.label !== 'noEnergy' && s.stop > s.start);
  const hyp = hypothesis.filter((s) => s.label !== 'noEnergy' && s.stop > s.start);
  const refNames = [...new Set(ref.map((s) => s.label))];
  const hypNames = [...new Set(hyp.map((s) => s.label))];
  const events: Event[] = [];
  ref.forEach((s) => events.push({ t: s.start, kind: 'ref', index: refNames.indexOf(s.label), delta: 1 }, { t: s.stop, kind: 'ref', index: refNames.indexOf(s.label), delta: -1 }));
  hyp.forEach((s) => events.push({ t: s.start, kind: 'hyp', index: hypNames.indexOf(s.label), delta: 1 }, { t: s.stop, kind: 'hyp', index: hypNames.indexOf(s.label), delta: -1 }));
  if (collar > 0) for (const s of ref) for (const b of [s.start, s.stop]) {
    events.push({ t: b - collar, kind: 'collar', index: 0, delta: 1 }, { t: b + collar, kind: 'collar', index: 0, delta: -1 });
  }
  events.sort((a, b) => a.t - b.t);

  // each scored stretch: who is speaking in the reference and in the hypothesis, and for how long
  const stretches: { dt: number; refOn: number[]; hypOn: number[] }[] = [];
  const refCount = new Int32Array(refNames.length);
  const hypCount = new Int32Array(hypNames.length);
  let collarDepth = 0;
  for (let e = 0; e < events.length; e++) {
    const ev = events[e];
    if (ev.kind === 'ref') refCount[ev.index] += ev.delta;
    else if (ev.kind === 'hyp') hypCount[ev.index] += ev.delta;
    else collarDepth += ev.delta;
    const next = events[e + 1];
    if (!next || next.t <= ev.t || collarDepth > 0) continue;
    const refOn = refNames.map((_, i) => i).filter((i) => refCount[i] > 0);
    const hypOn = hypNames.map((_, i) => i).filter((i) => hypCount[i] > 0);
    if (refOn.length || hypOn.length) stretches.push({ dt: next.t - ev.t, refOn, hypOn });
  }

  const overlap = hypNames.map(() => new Array<number>(refNames.length).fill(0));
  for (const s of stretches) for (const h of s.hypOn) for (const r of s.refOn) overlap[h][r] += s.dt;
  const match = assign(overlap.map((row) => row.map((x) => -x)));
  const mapping = new Map<string, string>();
  match.forEach((r, h) => {
    if (r >= 0 && overlap[h][r] > 0) mapping.set(hypNames[h], refNames[r]);
  });

  let missed = 0;
  let falseAlarm = 0;
  let confusion = 0;
  let scored = 0;
  for (const s of stretches) {
    const nRef = s.refOn.length;
    const nHyp = s.hypOn.length;
    const refSet = new Set(s.refOn.map((i) => refNames[i]));
    const correct = s.hypOn.filter((h) => refSet.has(mapping.get(hypNames[h]) ?? '')).length;
    scored += s.dt * nRef;
    missed += s.dt * Math.max(0, nRef - nHyp);
    falseAlarm += s.dt * Math.max(0, nHyp - nRef);
    confusion += s.dt * (Math.min(nRef, nHyp) - correct);
  }
  return { der: scored ? (missed + falseAlarm + confusion) / scored : 0, missed, falseAlarm, confusion, scored, mapping };
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../dataset';
import { normalRel } from './clipPaths';
import { readManifest } from '../models/modelPaths';
import { SpeakerEncoder } from '../models/speakerEncoder';
import { agglomerate, dot } from '../ml/cluster';
import { writeFileAtomic } from '../util/atomic';
import { linkOrCopy } from '../util/linkOrCopy';
import { pickEnrolmentSpans } from './enrolPick';
import type { StageContext, StageReport } from './types';
import { forEachEntry } from './forEachEntry';
import { forEachLimit } from '../util/pool';
import { embedSpec, openClipEmbedder } from './clipEmbedder';

export interface SpeakerProfile {
  name: string;
  model: string;
  modelSha256: string;
  embedding: number[];
  clips: string[];
  /** cosine of each enrolment clip to the mean: how consistent the reference is */
  spread: { mean: number; min: number };
}

/**
 * Cosine under which two voices count as different speakers with the built-in encoder (near its equal-error point
 * on LibriSpeech, bench/eval-speaker.ts); used by split's automatic count and by lint.
 */
export const SAME_SPEAKER_MIN_SIM = 0.8;

/** `sds speaker enroll`: the mean embedding of clean reference audio, saved as speakers/<name>.json. */
export async function enrollSpeaker(dir: string, name: string, given: string[], ctx: StageContext, auto = false): Promise<StageReport> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`speaker name "${name}" must be letters, digits, _ . -`);
  const enc = await SpeakerEncoder.open(undefined, ctx.log);
  const notes: string[] = [];
  try {
    // --auto: the given files are long recordings; their cleanest stretches of one voice are the reference
    let specs = given;
    if (auto) {
      specs = [];
      for (const f of given) {
        const picked = await pickEnrolmentSpans(f, enc, ctx, { minSim: SAME_SPEAKER_MIN_SIM });
        specs.push(...picked.spans);
        notes.push(picked.note);
      }
    }
    const embs: Float32Array[] = [];
    for (const s of specs) embs.push(await embedSpec(s, enc, ctx.ffmpeg));
    const mean = new Float32Array(embs[0].length);
    for (const e of embs) for (let i = 0; i < e.length; i++) mean[i] += e[i] / embs.length;
    const norm = Math.hypot(...mean) || 1;
    const embedding = Array.from(mean, (v) => v / norm);
    const sims = embs.map((e) => dot(e, embedding));
    const profile: SpeakerProfile = {
      name, model: enc.name, modelSha256: readManifest(enc.name).sha256, embedding, clips: specs,
      spread: { mean: sims.reduce((a, b) => a + b, 0) / sims.length, min: Math.min(...sims) },
    };
    await writeFileAtomic(path.join(dir, 'speakers', `${name}.json`), JSON.stringify(profile, null, 1) + '\n');
    return { stage: 'speaker enroll', processed: specs.length, skipped: 0, failed: [],
      summary: [...notes, `speakers/${name}.json from ${specs.length} clip(s); consistency: mean cosine ${profile.spread.mean.toFixed(3)}, lowest ${profile.spread.min.toFixed(3)}`] };
  } finally {
    await enc.release();
  }
}

/**
 * Otsu's threshold on the similarity histogram: the cut that best separates two groups (the reference speaker and
 * everyone else), without a number to tune.
 */
export function otsuThreshold(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  let best = -1;
  let cut = v[0];
  for (let i = 1; i < v.length; i++) {
    const a = v.slice(0, i);
    const b = v.slice(i);
    const ma = a.reduce((s, x) => s + x, 0) / a.length;
    const mb = b.reduce((s, x) => s + x, 0) / b.length;
    const between = a.length * b.length * (ma - mb) ** 2;
    if (between > best) {
      best = between;
      cut = (v[i - 1] + v[i]) / 2;
    }
  }
  return cut;
}

/**
 * `sds speaker score`: similarity of every clip to a reference (`similarity_<who>` in clips.csv); clips under the
 * threshold move to rejected/ (never deleted) and are marked excluded.
 */
export async function scoreSpeaker(dir: string, who: string, opts: { minSim?: number; auto?: boolean }, ctx: StageContext): Promise<StageReport> {
  const ds = new Dataset(dir, ctx.rows);
  const profileFile = path.join(dir, 'speakers', `${who}.json`);
  if (!fs.existsSync(profileFile)) throw new Error(`${profileFile}: no such speaker; enroll it first (sds speaker enroll --name ${who} ...)`);
  const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as SpeakerProfile;
  const rows = ds.readClips();
  const live = rows.filter((r) => r.excluded !== 'yes');
  const enc = await openClipEmbedder(profile.model, ctx, live.length);
  const col = `similarity_${who}`;
  const report: StageReport = { stage: 'speaker score', processed: 0, skipped: 0, failed: [], summary: [] };
  try {
    report.skipped = rows.length - live.length;
    await forEachEntry({
      entries: live, name: (r) => r.path, source: (r) => r.source, jobs: ctx.jobs,
      process: async (r) => {
        r[col] = dot(await enc.embed(path.join(dir, r.clean_path || r.path)), profile.embedding).toFixed(4);
      },
    }, report, ctx);
    const scored = rows.filter((r) => r[col] && r.excluded !== 'yes');
    const threshold = opts.minSim ?? (opts.auto ? otsuThreshold(scored.map((r) => Number(r[col]))) : undefined);
    if (threshold !== undefined) {
      let moved = 0;
      for (const r of scored.filter((x) => Number(x[col]) < threshold)) {
        for (const key of ['path', 'clean_path'] as const) {
          // only files the stages wrote are moved; a row pointing elsewhere is just marked excluded
          if (!r[key] || !/^(clips|clean)\//.test(normalRel(r[key])) || !fs.existsSync(path.join(dir, r[key]))) continue;
          const dest = path.join('rejected', r[key]).split(path.sep).join('/');
          fs.mkdirSync(path.dirname(path.join(dir, dest)), { recursive: true });
          fs.renameSync(path.join(dir, r[key]), path.join(dir, dest));
          r[key] = dest;
        }
        r.excluded = 'yes';
        r.rejected_by = `similarity_${who}<${threshold.toFixed(4)}`;
        moved++;
      }
      report.summary.push(`threshold ${threshold.toFixed(4)} (${opts.minSim !== undefined ? 'given' : `Otsu's cut between the two groups of ${scored.length} similarities`}): ${moved} clips moved to rejected/, ${scored.length - moved} kept`);
    }
    report.summary.unshift(`${col} written for ${report.processed} clips${enc.workers ? ` in ${enc.workers} worker processes` : ''}`);
  } finally {
    await enc.release();
    await ds.writeClips(rows);
  }
  return report;
}

/**
 * `sds speaker split`: clusters clip embeddings into speakers (agglomerative, average linkage); `--speakers N` fixes
 * the count, `auto` stops merging below a similarity of `minSim`. Writes the `speaker` column (which export's
 * speaker-disjoint splits use) and links each clip into speakers/spk<k>/.
 */
export async function splitSpeakers(dir: string, opts: { speakers?: number; minSim?: number }, ctx: StageContext): Promise<StageReport> {
  const ds = new Dataset(dir);
  const rows = ds.readClips().filter((r) => r.excluded !== 'yes');
  const all = ds.readClips();
  const enc = await openClipEmbedder(undefined, ctx, rows.length);
  const report: StageReport = { stage: 'speaker split', processed: 0, skipped: 0, failed: [], summary: [] };
  try {
    const byRow: (Float32Array | undefined)[] = new Array(rows.length);
    await forEachLimit(rows, ctx.jobs, async (r, i) => {
      ctx.signal?.throwIfAborted();
      try {
        byRow[i] = await enc.embed(path.join(dir, r.clean_path || r.path));
      } catch (e) {
        if (ctx.signal?.aborted) throw e;
        report.failed.push({ file: r.path, error: (e as Error).message });
      }
    });
    // in clips.csv's order, whichever finished first: the clustering sees the same sequence every run
    const used = rows.filter((_, i) => byRow[i]);
    const embs = byRow.filter((e): e is Float32Array => !!e);
    const labels = agglomerate(embs, { k: opts.speakers, minSim: opts.minSim ?? SAME_SPEAKER_MIN_SIM });
    const byPath = new Map(all.map((r) => [r.path, r]));
    used.forEach((r, i) => {
      const spk = `spk${labels[i] + 1}`;
      byPath.get(r.path)!.speaker = spk;
      const src = path.join(dir, r.clean_path || r.path);
      linkOrCopy(src, path.join(dir, 'speakers', spk, path.basename(src)));
    });
    report.processed = used.length;
    const counts = new Map<string, number>();
    for (const l of labels) counts.set(`spk${l + 1}`, (counts.get(`spk${l + 1}`) ?? 0) + 1);
    report.summary = [`${counts.size} speakers (${opts.speakers ? 'as asked' : `merging while clusters are at least ${(opts.minSim ?? SAME_SPEAKER_MIN_SIM).toFixed(2)} alike`}): ${[...counts].map(([k, n]) => `${k} ${n} clips`).join(', ')}${enc.workers ? `; embedded in ${enc.workers} worker processes` : ''}`];
  } finally {
    await enc.release();
    await ds.writeClips(all);
  }
  return report;
}


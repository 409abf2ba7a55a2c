/** Speaker verification and filtering figures for `npm run eval` (built-in encoder, tone_color_se). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpeakerEncoder } from '../pipeline/models/speakerEncoder';
import { otsuThreshold } from '../pipeline/stages/speaker';
import { decodeAll } from '../test/helpers';

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

function eer(same: number[], diff: number[]): number {
  let best = 1;
  for (const t of [...same, ...diff]) {
    const frr = same.filter((s) => s < t).length / same.length;
    const far = diff.filter((d) => d >= t).length / diff.length;
    best = Math.min(best, Math.max(frr, far));
  }
  return best;
}

export async function evalSpeaker(shared: string): Promise<void> {
  const enc = await SpeakerEncoder.open();
  const other = path.join(shared, 'librispeech', 'test-other');
  const readers = ['1688', '1998', '2033'];
  const utt = new Map<string, Float32Array[]>();
  for (const r of readers) {
    const embs: Float32Array[] = [];
    for (const f of fs.readdirSync(path.join(other, r)).filter((x) => x.endsWith('.flac')).sort()) embs.push(await enc.embed(await decodeAll(path.join(other, r, f), 22050)));
    utt.set(r, embs);
  }
  const pairs = (items: { spk: string; e: Float32Array }[]) => {
    const same: number[] = [];
    const diff: number[] = [];
    for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) (items[i].spk === items[j].spk ? same : diff).push(cos(items[i].e, items[j].e));
    return { same, diff };
  };
  const t1 = pairs([...utt].flatMap(([spk, es]) => es.map((e) => ({ spk, e }))));
  // 60 train-clean readers, one utterance each: first half against second half, so no trial shares audio
  const train = path.join(shared, 'librispeech', 'train-clean-100');
  const halves: { spk: string; e: Float32Array }[] = [];
  for (const f of fs.readdirSync(train).filter((x) => x.endsWith('.flac'))) {
    const x = await decodeAll(path.join(train, f), 22050);
    const h = Math.floor(x.length / 2);
    halves.push({ spk: f, e: await enc.embed(x.slice(0, h)) }, { spk: f, e: await enc.embed(x.slice(h)) });
  }
  const t2 = pairs(halves);
  console.log('## Speaker verification and filtering (tone_color_se)\n');
  console.log('| trials | same-speaker | different-speaker | EER |');
  console.log('|---|---|---|---|');
  console.log(`| test-other: 3 readers x 10 utterances | ${t1.same.length} | ${t1.diff.length} | ${(100 * eer(t1.same, t1.diff)).toFixed(1)}% |`);
  console.log(`| train-clean-100: 60 readers, half vs half of one utterance | ${t2.same.length} | ${t2.diff.length} | ${(100 * eer(t2.same, t2.diff)).toFixed(1)}% |`);
  // filtering: enrol each test-other reader from 3 utterances, score its other 7 against 5 other readers' audio
  console.log('\nFiltering: enrol a reader from 3 utterances; pool = its other 7 + the other 2 test-other readers (20) + 5 train-clean readers (5); Otsu threshold:\n');
  console.log('| reader | threshold | precision | recall |');
  console.log('|---|---|---|---|');
  const trainEmbs = halves.filter((_, i) => i % 2 === 0).slice(0, 5).map((h) => h.e);
  for (const r of readers) {
    const es = utt.get(r)!;
    const mean = new Float32Array(es[0].length);
    for (const e of es.slice(0, 3)) for (let i = 0; i < e.length; i++) mean[i] += e[i] / 3;
    const n = Math.hypot(...mean);
    for (let i = 0; i < mean.length; i++) mean[i] /= n;
    const pool = [...es.slice(3).map((e) => ({ mine: true, s: cos(e, mean) })), ...readers.filter((o) => o !== r).flatMap((o) => utt.get(o)!.map((e) => ({ mine: false, s: cos(e, mean) }))), ...trainEmbs.map((e) => ({ mine: false, s: cos(e, mean) }))];
    const t = otsuThreshold(pool.map((p) => p.s));
    const kept = pool.filter((p) => p.s >= t);
    const tp = kept.filter((p) => p.mine).length;
    console.log(`| ${r} | ${t.toFixed(3)} | ${(100 * tp / kept.length).toFixed(1)}% | ${(100 * tp / 7).toFixed(1)}% |`);
  }
  console.log('');
  await enc.release();
}

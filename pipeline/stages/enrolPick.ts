import { collect, decodeMono } from '../audio/ffmpeg';
import { estimateSnr } from '../audio/metrics';
import { INA_RATE } from '../features/inaFrontEnd';
import { dot, normalise } from '../ml/cluster';
import type { SpeakerEncoder } from '../models/speakerEncoder';
import { segmentStream } from '../segmentation/inaSegmenter';
import { PatchClassifier } from '../segmentation/patchClassifier';
import type { StageContext } from './types';

const WINDOW = 3; // seconds per candidate
const MAX_CANDIDATES = 60;

/**
 * The cleanest stretches of one voice in a long recording, for enrolment without hand picking: the recording is
 * segmented (streamed), its speech cut into 3 s windows (at most 60, spread evenly), and windows are taken from the
 * highest estimated SNR down, keeping only those that sound like the voice chosen so far (cosine >= minSim), until
 * `seconds` are gathered. Returns `file@start-end` spans and a line saying what was picked.
 */
export async function pickEnrolmentSpans(file: string, enc: SpeakerEncoder, ctx: StageContext, opts: { seconds?: number; minSim: number }): Promise<{ spans: string[]; note: string }> {
  const classifier = await PatchClassifier.open(ctx.log);
  let segments;
  try {
    ({ segments } = await segmentStream(decodeMono(file, { sampleRate: INA_RATE, paths: ctx.ffmpeg, signal: ctx.signal }), classifier, { engine: 'smn', gender: false }));
  } finally {
    await classifier.release();
  }
  let windows: [number, number][] = [];
  for (const s of segments.filter((x) => x.label === 'speech')) {
    for (let a = s.start; a + WINDOW <= s.stop + 1e-6; a += WINDOW) windows.push([a, a + WINDOW]);
  }
  if (!windows.length) throw new Error(`${file}: no stretch of speech of ${WINDOW} s or more to enrol from`);
  if (windows.length > MAX_CANDIDATES) windows = Array.from({ length: MAX_CANDIDATES }, (_, i) => windows[Math.floor((i * windows.length) / MAX_CANDIDATES)]);
  const scored: { span: [number, number]; snr: number; emb: Float32Array }[] = [];
  for (const span of windows) {
    ctx.signal?.throwIfAborted();
    const x = await collect(decodeMono(file, { sampleRate: enc.sampleRate, paths: ctx.ffmpeg, inputArgs: ['-ss', span[0].toFixed(3), '-t', String(WINDOW)] }));
    scored.push({ span, snr: estimateSnr(x, enc.sampleRate), emb: await enc.embed(x) });
  }
  scored.sort((a, b) => (b.snr || -Infinity) - (a.snr || -Infinity));
  const picked = [scored[0]];
  const centroid = Float32Array.from(scored[0].emb);
  let otherVoice = 0;
  for (const c of scored.slice(1)) {
    if (picked.length * WINDOW >= (opts.seconds ?? 15)) break;
    // embeddings are unit length: the cosine to the picked voice is a dot product with its normalised sum
    if (dot(c.emb, normalise(Float32Array.from(centroid))) < opts.minSim) {
      otherVoice++;
      continue;
    }
    picked.push(c);
    for (let i = 0; i < centroid.length; i++) centroid[i] += c.emb[i];
  }
  const snrs = picked.map((p) => p.snr);
  return {
    spans: picked.map((p) => `${file}@${p.span[0].toFixed(2)}-${p.span[1].toFixed(2)}`).sort(),
    note: `${file}: picked ${picked.length} of ${scored.length} speech windows (${WINDOW} s each, SNR ${Math.min(...snrs).toFixed(1)}-${Math.max(...snrs).toFixed(1)} dB)` +
      `${otherVoice ? `, skipped ${otherVoice} clean ones in another voice` : ''}`,
  };
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifest } from '../models/modelPaths';
import { sha256File } from '../util/hash';
import { decodeMono, type FfmpegPaths } from '../audio/ffmpeg';
import { centreSeparator } from './centre';
import { checkMdxSpec, mdxSeparator, sidecarMdxSpec, type MdxSpec } from './mdx';
import { onnxMaskSeparator, repetSeparator, SEPARATE_RATE, type Separator } from './separator';
import { chooseForStereo, StereoMeter, type AutoMethod } from './stereoImage';

/**
 * What `sds separate --model` names, resolved once per run: `auto` (the default: per source, centre-channel
 * extraction where the stereo image says the voice is dry and centred, REPET-SIM otherwise; stereoImage.ts),
 * `repet`, `centre`, an ONNX file (a mask model, or an MDX-Net model when its JSON sidecar has a `separation`
 * block), or a registry name whose manifest has one (docs/models.md).
 */
export interface SeparatorChoice {
  /** a stable description for resume keys: names and the model's sha256 */
  key: string;
  /** what was used, for the summary (auto: per kind of source met) */
  label(): string;
  /** the separator for one source (opened on first use, then reused), and what ran and why for its row */
  forSource(file: string, channels: number, duration: number): Promise<{ separator: Separator; note: string }>;
  release(): Promise<void>;
}

export async function chooseSeparator(model: string, log?: (m: string) => void, paths?: FfmpegPaths): Promise<SeparatorChoice> {
  const opened = new Map<string, Separator>();
  const open = async (name: string, make: () => Separator | Promise<Separator>) => {
    if (!opened.has(name)) opened.set(name, await make());
    return opened.get(name)!;
  };
  const release = async () => {
    for (const s of opened.values()) await s.release();
  };
  if (model === 'auto' || model === 'repet' || model === 'centre') {
    const names: Record<AutoMethod, string> = { repet: 'REPET-SIM (model-free)', centre: 'centre-channel extraction (model-free)' };
    const used = new Map<AutoMethod, number>();
    const separatorFor = (m: AutoMethod) => (m === 'centre' ? open('centre', () => centreSeparator()) : open('repet', repetSeparator));
    return {
      key: model, release,
      label: () => (model === 'auto' && used.size
        ? `auto: ${[...used].map(([m, n]) => `${names[m]} for ${n} source${n === 1 ? '' : 's'}`).join(', ')} (why: sources.csv, separation)`
        : names[model === 'centre' ? 'centre' : 'repet']),
      forSource: async (file, channels, duration) => {
        let method: AutoMethod = model === 'centre' ? 'centre' : 'repet';
        let why = 'as asked';
        if (model === 'auto') {
          ({ method, why } = channels >= 2 ? chooseForStereo(await measureStereo(file, duration, paths)) : { method: 'repet', why: 'a mono source' });
          used.set(method, (used.get(method) ?? 0) + 1);
        }
        return { separator: await separatorFor(method), note: `${method}: ${why}` };
      },
    };
  }
  let file: string;
  let spec: MdxSpec | undefined;
  if (/\.onnx$/i.test(model) || fs.existsSync(model)) {
    file = path.resolve(model);
    if (!fs.existsSync(file)) throw new Error(`${model}: no such separation model (use auto, repet, centre, a model .onnx or a registry name; docs/models.md)`);
    spec = sidecarMdxSpec(file);
  } else {
    const m = readManifest(model) as ReturnType<typeof readManifest> & { separation?: MdxSpec };
    if (m.task !== 'separate') throw new Error(`${model}: a ${m.task} model, not a separation model`);
    file = m.path;
    spec = m.separation && checkMdxSpec(m.separation, `${model}.json`);
  }
  const key = `${await sha256File(file)}:${JSON.stringify(spec ?? 'mask')}`;
  return {
    key, release,
    label: () => `${path.basename(file)} (${spec ? 'MDX-Net spectrogram model' : 'mask model'})`,
    forSource: async () => ({ separator: await open('model', () => (spec ? mdxSeparator(file, spec, log) : onnxMaskSeparator(file, log))), note: path.basename(file) }),
  };
}

/** Seconds per excerpt auto separation measures; a source up to three of them long is measured whole. */
const EXCERPT = 30;

/** The stereo image of a source from three excerpts (at a quarter, half and three quarters of it), or all of it. */
export async function measureStereo(file: string, duration: number, paths?: FfmpegPaths): Promise<ReturnType<StereoMeter['result']>> {
  const meter = new StereoMeter();
  const starts = Number.isFinite(duration) && duration > 3 * EXCERPT ? [0.25, 0.5, 0.75].map((f) => f * duration - EXCERPT / 2) : [undefined];
  for (const start of starts) {
    const inputArgs = start === undefined ? [] : ['-ss', start.toFixed(3), '-t', String(EXCERPT)];
    const parts: Float32Array[] = [];
    for await (const c of decodeMono(file, { sampleRate: SEPARATE_RATE, channels: 2, paths, inputArgs })) parts.push(c);
    const n = parts.reduce((t, p) => t + p.length, 0) >> 1;
    const [left, right] = [new Float32Array(n), new Float32Array(n)];
    let i = 0;
    for (const p of parts) for (let j = 0; j + 1 < p.length; j += 2, i++) {
      left[i] = p[j];
      right[i] = p[j + 1];
    }
    meter.add(left, right);
  }
  return meter.result();
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifest } from '../models/modelPaths';
import { sha256File } from '../util/hash';
import { centreSeparator } from './centre';
import { checkMdxSpec, mdxSeparator, sidecarMdxSpec, type MdxSpec } from './mdx';
import { onnxMaskSeparator, repetSeparator, type Separator } from './separator';

/**
 * What `sds separate --model` names, resolved once per run: `auto` (the default: centre-channel extraction for
 * stereo sources, REPET-SIM for mono ones), `repet`, `centre`, an ONNX file (a mask model, or an MDX-Net model when
 * its JSON sidecar has a `separation` block), or a registry name whose manifest has one (docs/models.md).
 */
export interface SeparatorChoice {
  /** a stable description for resume keys: names and the model's sha256 */
  key: string;
  /** what was used, for the summary (auto: per kind of source met) */
  label(): string;
  /** the separator for a source with this many channels (opened on first use, then reused) */
  forChannels(channels: number): Promise<Separator>;
  release(): Promise<void>;
}

export async function chooseSeparator(model: string, log?: (m: string) => void): Promise<SeparatorChoice> {
  const opened = new Map<string, Separator>();
  const open = async (name: string, make: () => Separator | Promise<Separator>) => {
    if (!opened.has(name)) opened.set(name, await make());
    return opened.get(name)!;
  };
  const release = async () => {
    for (const s of opened.values()) await s.release();
  };
  if (model === 'auto' || model === 'repet' || model === 'centre') {
    const names: Record<string, string> = { repet: 'REPET-SIM (model-free)', centre: 'centre-channel extraction (model-free)' };
    return {
      key: model, release,
      label: () => [...opened.keys()].map((k) => names[k] + (model === 'auto' ? (k === 'centre' ? ' for stereo sources' : ' for mono sources') : '')).join(' and ') || names[model === 'centre' ? 'centre' : 'repet'],
      forChannels: (channels) => (model === 'centre' || (model === 'auto' && channels >= 2) ? open('centre', () => centreSeparator()) : open('repet', repetSeparator)),
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
    forChannels: () => open('model', () => (spec ? mdxSeparator(file, spec, log) : onnxMaskSeparator(file, log))),
  };
}

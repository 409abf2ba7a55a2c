import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_BEAM, WhisperModel, type TranscribeOptions } from '../asr/whisper';
import { readClip } from '../audio/readClip';
import { Dataset } from '../dataset';
import { WHISPER_RATE } from '../features/whisperMel';
import { userModelsDir } from '../models/modelPaths';
import type { StageContext, StageReport } from './types';
import { forEachEntry } from './forEachEntry';

/** What transcribe does unless told otherwise (the registry shows it in help and settings). */
export const DEFAULT_TRANSCRIBE = { beam: DEFAULT_BEAM };

export interface TranscribeStageOptions extends TranscribeOptions {
  model: string;
  /** transcribe clips that already have a machine transcript again (a person's text is never replaced) */
  overwrite?: boolean;
}

/** A model folder given as a path, or by name in the user's model cache. */
export function resolveAsrModel(model: string): string {
  if (fs.existsSync(model)) return model;
  const cached = path.join(userModelsDir(), model);
  if (fs.existsSync(cached)) return cached;
  throw new Error(`speech-to-text model "${model}" not found (neither a folder nor ${cached}). Put a Whisper ONNX export there ` +
    `(encoder_model.onnx, decoder_model.onnx, tokenizer.json: e.g. the onnx/ files of onnx-community/whisper-tiny); docs/models.md has the contract`);
}

/**
 * `sds transcribe`: a machine transcript for every clip without one. `text_source` says asr until a person edits the
 * text in the clip table (then human), and a human transcript is never overwritten. clips.csv is saved every few
 * clips, so a rerun after a kill resumes where it stopped.
 */
export async function runTranscribe(dir: string, o: TranscribeStageOptions, ctx: StageContext): Promise<StageReport> {
  const ds = new Dataset(dir, ctx.rows);
  const rows = ds.readClips();
  if (!rows.length) throw new Error(`${ds.clipsCsv}: no clips to transcribe (run sds slice first)`);
  const report: StageReport = { stage: 'transcribe', processed: 0, skipped: 0, failed: [], summary: [] };
  const modelDir = resolveAsrModel(o.model);
  const model = await WhisperModel.open(modelDir, ctx.log);
  const todo = rows.filter((r) => r.excluded !== 'yes' && r.text_source !== 'human' && (o.overwrite || !(r.transcript ?? '').trim()));
  report.skipped = rows.length - todo.length;
  const save = () => ds.writeClips(rows);
  let audioSeconds = 0;
  const t0 = Date.now();
  try {
    const fileOf = (r: (typeof rows)[number]) => path.join(dir, r.clean_path || r.path);
    await forEachEntry({
      entries: todo, name: fileOf, source: (r) => r.source,
      process: async (r) => {
        const audio = await readClip(fileOf(r), WHISPER_RATE, ctx.ffmpeg);
        audioSeconds += audio.length / WHISPER_RATE;
        const t = await model.transcribe(audio, o);
        r.transcript = t.text;
        r.text_source = 'asr';
        r.asr_model = path.basename(modelDir);
        r.asr_logprob = t.avgLogprob.toFixed(3);
        if (t.language) r.language = t.language;
        if (o.timestamps) r.asr_segments = t.segments.map((s) => `${s.start.toFixed(2)}-${s.end.toFixed(2)} ${s.text}`).join(' | ');
        return { detail: t.text.slice(0, 60) };
      },
      // saved every ten clips, so a kill loses at most those
      after: async (_r, i) => {
        if ((i + 1) % 10 === 0) await save();
      },
    }, report, ctx);
  } finally {
    await save();
    await model.release();
  }
  const secs = (Date.now() - t0) / 1000;
  report.summary.push(`${report.processed} clips transcribed with ${path.basename(modelDir)}${o.beam && o.beam > 1 ? ` (beam ${o.beam})` : ' (greedy)'}` +
    `${audioSeconds ? `, ${(audioSeconds / Math.max(secs, 1e-3)).toFixed(1)}x real time` : ''}; ${report.skipped} kept as they were (a person's text, already transcribed, or excluded)`);
  return report;
}

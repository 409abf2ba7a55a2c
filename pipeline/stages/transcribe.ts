import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_BEAM, WhisperModel, type TranscribeOptions, type Transcript } from '../asr/whisper';
import { ProcessPool } from '../util/processPool';
import { asrFields, writeTranscript } from '../asr/transcriptFile';
import { Dataset } from '../dataset';
import { MissingModelError } from '../errors';
import { listModels, modelFolder, userModelsDir } from '../models/modelPaths';
import type { StageContext, StageReport } from './types';
import { forEachEntry } from './forEachEntry';

/** What transcribe does unless told otherwise (the registry shows it in help and settings). */
export const DEFAULT_TRANSCRIBE = { model: 'whisper-tiny', beam: DEFAULT_BEAM };
const MIN_CLIPS_FOR_WORKERS = 4;
type TranscribeRequest = { file: string; opts: TranscribeOptions };
type TranscribeReply = { transcript: Transcript; seconds: number };

/** bumped when decoding changes what a model writes (a rerun then transcribes again) */
export const TRANSCRIBE_VERSION = 2;

export interface TranscribeStageOptions extends TranscribeOptions {
  model?: string;
  /** transcribe clips that already have a machine transcript again (a person's text is never replaced) */
  overwrite?: boolean;
}

/**
 * A model folder given as a path, a registry name (`whisper-tiny`, `whisper-base`: from their npm package when it is
 * installed, else from `sds models fetch`), or a folder by name in the user's model cache.
 */
export function resolveAsrModel(model: string = DEFAULT_TRANSCRIBE.model): string {
  if (fs.existsSync(model)) return model;
  const listed = listModels().find((m) => m.name === model && m.task === 'asr' && m.files);
  if (listed) {
    const dir = modelFolder(listed);
    if (!dir) throw new MissingModelError(model);
    return dir;
  }
  const cached = path.join(userModelsDir(), model);
  if (fs.existsSync(cached)) return cached;
  throw new Error(`speech-to-text model "${model}" not found (neither a folder, a registry name such as whisper-tiny, nor ${cached}). ` +
    `sds models fetch whisper-tiny gets one; a Whisper ONNX export of your own goes in a folder (docs/models.md has the contract)`);
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
  const modelName = o.model && !fs.existsSync(o.model) ? o.model : path.basename(modelDir);
  const todo = rows.filter((r) => r.excluded !== 'yes' && r.text_source !== 'human' && (o.overwrite || !(r.transcript ?? '').trim()));
  // --jobs > 1: that many worker processes with one-thread sessions (session.run holds the main thread: two of them
  // transcribe 1.4x as fast as one process with two threads); a few clips are not worth their start
  const workers = ctx.jobs > 1 && todo.length >= MIN_CLIPS_FOR_WORKERS ? Math.min(ctx.jobs, todo.length) : 0;
  const pool = workers ? await ProcessPool.start<TranscribeRequest, TranscribeReply>('transcribeWorker', path.join(__dirname, '..', 'asr'), workers, { modelDir, ffmpeg: ctx.ffmpeg }, ctx.log) : undefined;
  const model = pool ? undefined : await WhisperModel.open(modelDir, { log: ctx.log });
  const transcribeFile = (file: string): Promise<TranscribeReply> => (pool ? pool.run({ file, opts: o }) : model!.transcribeFile(file, o, ctx.ffmpeg));
  report.skipped = rows.length - todo.length;
  const save = () => ds.writeClips(rows);
  let audioSeconds = 0;
  const t0 = Date.now();
  try {
    const fileOf = (r: (typeof rows)[number]) => path.join(dir, r.clean_path || r.path);
    await forEachEntry({
      entries: todo, name: fileOf, source: (r) => r.source, jobs: Math.max(1, workers),
      process: async (r) => {
        const { transcript: t, seconds } = await transcribeFile(fileOf(r));
        audioSeconds += seconds;
        // the words first: a row that says asr (saved with others while this one is in flight) has them on disk
        await writeTranscript(dir, r.path, {
          model: modelName, language: t.language, text: t.text, avgLogprob: +t.avgLogprob.toFixed(4), noSpeechProb: +t.noSpeechProb.toFixed(4),
          compressionRatio: +t.compressionRatio.toFixed(3), temperature: t.temperature, flag: t.flag ?? null, segments: t.segments, words: t.words ?? [],
        });
        Object.assign(r, asrFields(t.text, t.words, modelName, t.flag), { asr_logprob: t.avgLogprob.toFixed(3) });
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
    await model?.release();
    await pool?.close();
  }
  const secs = (Date.now() - t0) / 1000;
  const beam = o.beam ?? DEFAULT_BEAM;
  report.summary.push(`${report.processed} clips transcribed with ${modelName}${beam > 1 ? ` (beam ${beam})` : ' (greedy)'}${workers ? ` in ${workers} worker processes` : ''}` +
    `${audioSeconds ? `, ${(audioSeconds / Math.max(secs, 1e-3)).toFixed(1)}x real time` : ''}; ${report.skipped} kept as they were (a person's text, already transcribed, or excluded)`);
  return report;
}

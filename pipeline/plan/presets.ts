import type { PipelineFile } from './config';

/**
 * The pipelines `sds init --preset` writes, declared once: `npm run generate` makes VS Code's sds.json snippets of
 * them (snippets/sds.code-snippets), and a unit test checks each against the registry as `sds run` would.
 * `needs` says what a user must supply before the preset runs (a reference voice, a model they trained).
 */
export interface Preset {
  description: string;
  needs?: string;
  stages: PipelineFile['stages'];
}

export const PIPELINE_PRESETS: Record<string, Preset> = {
  'seed-radio': {
    description: 'the seed project\'s radio recipe: music removed, male speech >= 1.5 s, 5 kHz low-pass + loudness, sorted by tone, the host\'s voice kept',
    needs: 'a clean recording of the host (speaker-enroll inputs) and a tone model you trained (sds tone train)',
    stages: [
      { stage: 'separate' },
      { stage: 'segment', options: { engine: 'smn', on: 'vocals' } },
      { stage: 'slice', options: { labels: ['male'], min: 1.5, on: 'vocals' } },
      { stage: 'clean', options: { preset: 'seed' } },
      { stage: 'speaker-enroll', options: { name: 'host' }, inputs: ['host-reference.wav'] },
      { stage: 'speaker-score', options: { ref: 'host', 'auto-threshold': true } },
      { stage: 'tone-classify', options: { model: 'tone.onnx' } },
      { stage: 'lint' },
    ],
  },
  podcast: {
    description: 'podcast episodes: every voice, 1.5 to 15 s clips, denoised to -16 LUFS, Hugging Face audiofolder',
    stages: [
      { stage: 'segment' },
      { stage: 'slice', options: { labels: ['male', 'female'], min: 1.5, max: 15 } },
      { stage: 'clean', options: { preset: 'podcast' } },
      { stage: 'lint' },
      { stage: 'export', options: { format: 'hf-audiofolder' } },
    ],
  },
  'tts-single-speaker': {
    description: 'one voice for text-to-speech: clips similar to an enrolled reference, transcribed, as LJSpeech',
    needs: 'a clean recording of the voice (speaker-enroll inputs) and a Whisper ONNX model (transcribe model)',
    stages: [
      { stage: 'segment' },
      { stage: 'slice', options: { labels: ['male', 'female'], min: 1.5, max: 12 } },
      { stage: 'clean', options: { preset: 'speech' } },
      { stage: 'speaker-enroll', options: { name: 'voice' }, inputs: ['voice-reference.wav'] },
      { stage: 'speaker-score', options: { ref: 'voice', 'auto-threshold': true } },
      { stage: 'transcribe', options: { model: 'whisper-base' } },
      { stage: 'lint' },
      { stage: 'export', options: { format: 'ljspeech' } },
    ],
  },
  'asr-corpus': {
    description: 'speech recognition training data: every voice up to 20 s, speakers told apart, transcribed, NeMo manifests with speaker-disjoint splits',
    needs: 'a Whisper ONNX model (transcribe model)',
    stages: [
      { stage: 'segment' },
      { stage: 'slice', options: { labels: ['male', 'female'], min: 1, max: 20 } },
      { stage: 'clean', options: { preset: 'speech' } },
      { stage: 'speaker-split', options: { speakers: 'auto' } },
      { stage: 'transcribe', options: { model: 'whisper-base' } },
      { stage: 'lint' },
      { stage: 'export', options: { format: 'nemo', split: [0.9, 0.05, 0.05], by: 'speaker' } },
    ],
  },
  'emotion-corpus': {
    description: 'an emotion-labelled set: speech clips scored by a tone model, uncertain ones marked, Hugging Face audiofolder',
    needs: 'a tone model you trained (sds tone train)',
    stages: [
      { stage: 'segment' },
      { stage: 'slice', options: { labels: ['male', 'female'], min: 1.5, max: 10 } },
      { stage: 'clean', options: { preset: 'speech' } },
      { stage: 'tone-classify', options: { model: 'tone.onnx', 'min-prob': 0.6 } },
      { stage: 'lint' },
      { stage: 'export', options: { format: 'hf-audiofolder' } },
    ],
  },
};

export const DEFAULT_PIPELINE_PRESET = 'podcast';

/** The pipeline file's name: what `sds run` reads when given no file, what VS Code validates and runs. */
export const DEFAULT_CONFIG = 'sds.json';

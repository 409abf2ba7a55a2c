/**
 * Every engine, format and method a user picks by name, with one line each on what it is: the CLI's choices and
 * help, VS Code's setting enums and quick picks, and docs/cli.md all read these lists (echogarden's engine lists are
 * the pattern). Plain data, so the extension host can import it without loading a stage.
 */
export interface Named<N extends string = string> {
  readonly name: N;
  readonly description: string;
}

const named = <T extends Named>(list: readonly T[]) => list;
export const namesOf = <N extends string>(list: readonly Named<N>[]): N[] => list.map((e) => e.name);

export const SEGMENT_ENGINES = named([
  { name: 'smn', description: 'speech / music / noise (inaSpeechSegmenter CNN)' },
  { name: 'sm', description: 'speech / music (noise folded away)' },
  { name: 'silero', description: 'speech / silence only, Silero VAD: finer boundaries on clean speech, no music class' },
] as const);

export const DENOISERS = named([
  { name: 'off', description: 'no denoiser' },
  { name: 'gate', description: 'spectral gate with a noise profile from the source\'s own noise segments' },
  { name: 'gate-nonstationary', description: 'spectral gate tracking each frequency\'s noise floor over time' },
  { name: 'wiener', description: 'Wiener filter on the tracked noise floor' },
  { name: 'rnnoise', description: 'RNNoise (WebAssembly, 48 kHz)' },
  { name: 'dtln', description: 'DTLN (ONNX, 16 kHz): the strongest on noisy speech' },
  { name: 'gtcrn', description: 'GTCRN (ONNX, 16 kHz): small and fast' },
] as const);

/** Separation without a model; a model .onnx or a registry name can be given instead. */
export const SEPARATORS = named([
  { name: 'auto', description: 'model-free, per source: centre-channel extraction where a dry voice sits in the centre of a stereo image, REPET-SIM otherwise' },
  { name: 'repet', description: 'REPET-SIM, model-free: repeating music under speech' },
  { name: 'centre', description: 'centre channel, model-free, stereo: keeps what is panned to the centre' },
] as const);

export const EXPORT_FORMATS = named([
  { name: 'ljspeech', description: 'wavs/ + metadata.csv (id|text|text)' },
  { name: 'hf-audiofolder', description: 'Hugging Face audiofolder: metadata.csv with file_name' },
  { name: 'nemo', description: 'NeMo JSONL manifests' },
  { name: 'kaldi', description: 'Kaldi data dirs: wav.scp, text, utt2spk, spk2utt, segments' },
] as const);

/** Segment table formats, by the extension each is written with. */
export const TABLE_FORMATS = named([
  { name: 'csv', description: 'inaSpeechSegmenter table', ext: '.csv' },
  { name: 'audacity', description: 'Audacity label track', ext: '.txt' },
  { name: 'textgrid', description: 'Praat TextGrid', ext: '.TextGrid' },
  { name: 'rttm', description: 'RTTM speaker turns', ext: '.rttm' },
] as const);

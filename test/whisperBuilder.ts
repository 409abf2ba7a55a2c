import * as fs from 'node:fs';
import * as path from 'node:path';
import { int64Tensor, modelBytes, node, tensor, valueInfo } from '../pipeline/ml/onnxWriter';

/**
 * A tiny model with Whisper's ONNX interface (encoder_model.onnx, decoder_model.onnx, tokenizer.json), built by the
 * tests themselves: the decoder's next-token logits depend only on the last token (a lookup table), so every
 * decoding path and its probability is known exactly.
 */
export const TINY_VOCAB = ['Ġhello', 'Ġworld', '.', 'ĠA', 'ĠB', 'Ã©', 'Ġmaybe', 'Ġnot'];
export const TINY_SPECIAL = ['<|endoftext|>', '<|startoftranscript|>', '<|en|>', '<|de|>', '<|transcribe|>', '<|notimestamps|>', '<|0.00|>', '<|1.00|>', '<|2.00|>'];
const ALL = [...TINY_VOCAB, ...TINY_SPECIAL];
const id = (t: string) => ALL.indexOf(t);

export function writeTinyWhisper(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const V = ALL.length;
  const table = Array.from({ length: V }, () => new Array<number>(V).fill(-30));
  const row = (from: string, to: Record<string, number>) => Object.entries(to).forEach(([t, p]) => (table[id(from)][id(t)] = Math.log(p)));
  row('<|startoftranscript|>', { '<|de|>': 0.7, '<|en|>': 0.3 });
  row('<|notimestamps|>', { 'ĠA': 0.55, 'ĠB': 0.45 });
  row('ĠA', { 'Ġmaybe': 0.34, 'Ġnot': 0.33, '<|endoftext|>': 0.33 });
  row('Ġmaybe', { '<|endoftext|>': 1 });
  row('Ġnot', { '<|endoftext|>': 1 });
  row('ĠB', { 'Ã©': 0.95, '.': 0.05 });
  row('Ã©', { '<|endoftext|>': 1 });
  row('<|transcribe|>', { '<|0.00|>': 1 });
  row('<|0.00|>', { 'Ġhello': 0.9, 'ĠA': 0.1 });
  row('Ġhello', { 'Ġworld': 0.9, '.': 0.1 });
  row('Ġworld', { '<|1.00|>': 0.9, '.': 0.05, '<|endoftext|>': 0.05 });
  row('.', { '<|endoftext|>': 1 });
  row('<|1.00|>', { '<|endoftext|>': 0.9, '<|1.00|>': 0.1 });
  const D = 4;
  fs.writeFileSync(path.join(dir, 'encoder_model.onnx'), modelBytes({
    name: 'tiny-whisper-encoder',
    nodes: [node('Reshape', ['input_features', 'shape'], ['frames']), node('MatMul', ['frames', 'W'], ['last_hidden_state'])],
    initializers: [int64Tensor('shape', [1, 1500, 160]), tensor('W', Array.from({ length: 160 * D }, (_, i) => ((i % 7) - 3) / 100), [160, D])],
    inputs: [valueInfo('input_features', [1, 80, 3000])], outputs: [valueInfo('last_hidden_state', [1, 1500, D])],
  }));
  fs.writeFileSync(path.join(dir, 'decoder_model.onnx'), modelBytes({
    name: 'tiny-whisper-decoder',
    nodes: [node('Gather', ['table', 'input_ids'], ['looked'], [{ name: 'axis', int: 0 }]),
      node('ReduceMean', ['encoder_hidden_states'], ['pooled'], [{ name: 'axes', ints: [1, 2] }, { name: 'keepdims', int: 1 }]),
      node('Mul', ['pooled', 'zero'], ['nothing']), node('Add', ['looked', 'nothing'], ['logits'])],
    initializers: [tensor('table', table.flat(), [V, V]), tensor('zero', [0])],
    inputs: [valueInfo('input_ids', [1, 'T'], 'int64'), valueInfo('encoder_hidden_states', [1, 1500, D])], outputs: [valueInfo('logits', [1, 'T', V])],
  }));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({
    model: { type: 'BPE', vocab: Object.fromEntries(TINY_VOCAB.map((t, i) => [t, i])) },
    added_tokens: TINY_SPECIAL.map((content, k) => ({ id: TINY_VOCAB.length + k, content, special: true })),
  }));
  return dir;
}

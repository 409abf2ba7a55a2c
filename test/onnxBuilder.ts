import { modelBytes, node, tensor, valueInfo } from '../pipeline/ml/onnxWriter';

/** y = x * gain, x and y float32 of shape [1, N]: a tiny model to run a documented model contract end to end. */
export function mulModel(gain: number): Buffer {
  return modelBytes({
    name: 'tiny', nodes: [node('Mul', ['x', 'gain'], ['y'])], initializers: [tensor('gain', [gain])],
    inputs: [valueInfo('x', [1, 'n'])], outputs: [valueInfo('y', [1, 'n'])],
  });
}

/** A separation mask model of the documented interface that keeps everything: mask = 0 * magnitude + 1. */
export function onesMaskModel(): Buffer {
  return modelBytes({
    name: 'ones-mask', nodes: [node('Mul', ['magnitude', 'zero'], ['nothing']), node('Add', ['nothing', 'one'], ['mask'])],
    initializers: [tensor('zero', [0]), tensor('one', [1])],
    inputs: [valueInfo('magnitude', [1, 'frames', 513])], outputs: [valueInfo('mask', [1, 'frames', 513])],
  });
}

/** An MDX-Net-style model of the documented interface that returns its input: spectrogram [1, 4, dimF, dimT] in and out. */
export function identitySpectrogramModel(dimF: number, dimT: number): Buffer {
  return modelBytes({
    name: 'identity-mdx', nodes: [node('Identity', ['input'], ['output'])], initializers: [],
    inputs: [valueInfo('input', ['batch', 4, dimF, dimT])], outputs: [valueInfo('output', ['batch', 4, dimF, dimT])],
  });
}

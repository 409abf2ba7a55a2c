import { modelBytes, node, tensor, valueInfo } from '../pipeline/ml/onnxWriter';

/** y = x * gain, x and y float32 of shape [1, N]: a tiny model to run a documented model contract end to end. */
export function mulModel(gain: number): Buffer {
  return modelBytes({
    name: 'tiny', nodes: [node('Mul', ['x', 'gain'], ['y'])], initializers: [tensor('gain', [gain])],
    inputs: [valueInfo('x', [1, 'n'])], outputs: [valueInfo('y', [1, 'n'])],
  });
}

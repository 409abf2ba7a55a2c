/**
 * Writes tiny ONNX models for tests (protobuf by hand, no dependency): enough to run a documented model contract
 * end to end in onnxruntime-node without downloading anything.
 */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const vint = (field: number, v: number) => [...key(field, 0), ...varint(v)];
const bytes = (field: number, b: number[] | Uint8Array) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, [...Buffer.from(s, 'utf8')]);

/** A float32 tensor value-info with a symbolic or fixed shape. */
function valueInfo(name: string, dims: (number | string)[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, typeof d === 'number' ? vint(1, d) : str(2, d)));
  const tensorType = [...vint(1, 1), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

/** y = x * gain, x and y float32 of shape [1, N]. */
export function mulModel(gain: number): Buffer {
  const f = Buffer.alloc(4);
  f.writeFloatLE(gain);
  const tensor = [...vint(2, 1), ...bytes(9, [...f]), ...str(8, 'gain')]; // data_type FLOAT, raw_data, name (no dims: scalar)
  const node = [...str(1, 'x'), ...str(1, 'gain'), ...str(2, 'y'), ...str(4, 'Mul')];
  const graph = [...bytes(1, node), ...str(2, 'tiny'), ...bytes(5, tensor), ...bytes(11, valueInfo('x', [1, 'n'])), ...bytes(12, valueInfo('y', [1, 'n']))];
  const model = [...vint(1, 7), ...str(2, 'sds-tests'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...vint(2, 13)])];
  return Buffer.from(model);
}

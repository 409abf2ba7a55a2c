/**
 * A small ONNX (protobuf) writer: enough to export the models the project trains (an MLP as Sub/Div/Gemm/Relu/
 * Softmax) and the tiny models tests build, without a protobuf dependency. Field numbers are onnx.proto's.
 */
type Bytes = number[];

function varint(n: number): Bytes {
  if (!(n >= 0) || !Number.isInteger(n)) throw new Error(`onnxWriter: only non-negative integers are encoded, got ${n}`);
  const out: Bytes = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const vint = (field: number, v: number) => [...key(field, 0), ...varint(v)];
/** The key and length that open a length-delimited field of `length` bytes. */
export const lengthPrefix = (field: number, length: number): Bytes => [...key(field, 2), ...varint(length)];
const bytes = (field: number, b: Bytes | Uint8Array) => [...lengthPrefix(field, b.length), ...b];
const str = (field: number, s: string) => bytes(field, [...Buffer.from(s, 'utf8')]);
const f32 = (field: number, v: number) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return [...key(field, 5), ...b];
};

const FLOAT = 1;
const INT64 = 7;

/** A float32 initializer; no dims means a scalar. */
export function tensor(name: string, data: ArrayLike<number>, dims: number[] = []): Bytes {
  const raw = Buffer.from(Float32Array.from(data).buffer);
  return [...dims.flatMap((d) => vint(1, d)), ...vint(2, FLOAT), ...str(8, name), ...bytes(9, raw)];
}

/** An int64 initializer (shapes for Reshape, indices). */
export function int64Tensor(name: string, data: number[], dims: number[] = [data.length]): Bytes {
  const raw = Buffer.from(BigInt64Array.from(data.map((v) => BigInt(v))).buffer);
  return [...dims.flatMap((d) => vint(1, d)), ...vint(2, INT64), ...str(8, name), ...bytes(9, raw)];
}

export type Attribute = { name: string; int: number } | { name: string; float: number } | { name: string; ints: number[] };

export function node(op: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Bytes {
  const attr = (a: Attribute) => ('int' in a ? [...vint(3, a.int), ...vint(20, 2)] : 'ints' in a ? [...a.ints.flatMap((i) => vint(8, i)), ...vint(20, 7)] : [...f32(2, a.float), ...vint(20, 1)]);
  const attrs = attributes.map((a) => bytes(5, [...str(1, a.name), ...attr(a)]));
  return [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(3, `${op}_${outputs[0]}`), ...str(4, op), ...attrs.flat()];
}

/** A float32 (or int64) graph input or output with fixed or symbolic dims. */
export function valueInfo(name: string, dims: (number | string)[], type: 'float' | 'int64' = 'float'): Bytes {
  const shape = dims.flatMap((d) => bytes(1, typeof d === 'number' ? vint(1, d) : str(2, d)));
  const tensorType = [...vint(1, type === 'float' ? FLOAT : INT64), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

export interface GraphSpec {
  name: string;
  nodes: Bytes[];
  initializers: Bytes[];
  inputs: Bytes[];
  outputs: Bytes[];
  /** model metadata_props, readable by any ONNX tool (and by onnxruntime's session.metadata) */
  metadata?: Record<string, string>;
  opset?: number;
}

export function modelBytes(g: GraphSpec): Buffer {
  const graph = [...g.nodes.flatMap((n) => bytes(1, n)), ...str(2, g.name), ...g.initializers.flatMap((t) => bytes(5, t)),
    ...g.inputs.flatMap((v) => bytes(11, v)), ...g.outputs.flatMap((v) => bytes(12, v))];
  const meta = Object.entries(g.metadata ?? {}).flatMap(([k, v]) => bytes(14, [...str(1, k), ...str(2, v)]));
  return Buffer.from([...vint(1, 7), ...str(2, 'speech-dataset-studio'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...vint(2, g.opset ?? 13)]), ...meta]);
}

import { lengthPrefix, valueInfo } from '../ml/onnxWriter';

/**
 * Cuts an ONNX model at an inner tensor: the result takes that tensor as its only input and keeps just the nodes
 * the outputs still need. A model's own front end (an STFT, say) can then run in the host where the host does it
 * much faster, and the rest stays the model's. Works on protobuf's wire format, copying every kept field as it is,
 * so no protobuf library and no re-encoding of the weights. Field numbers are onnx.proto's.
 */
export function cutModelAt(model: Uint8Array, tensor: string, dims: (number | string)[]): Buffer {
  const buf = Buffer.from(model.buffer, model.byteOffset, model.byteLength);
  const top = [...fields(buf, 0, buf.length)];
  const graphField = top.find((f) => f.field === MODEL_GRAPH);
  if (!graphField) throw new Error('not an ONNX model: no graph');
  const graph = [...fields(buf, graphField.start, graphField.end)];
  const nodes = graph.filter((f) => f.field === GRAPH_NODE).map((f) => ({ f, io: nodeIo(buf, f) }));
  if (!nodes.some((n) => n.io.outputs.includes(tensor))) throw new Error(`no node of the model makes "${tensor}"`);

  // backwards from the graph's outputs: a node stays when something kept reads what it makes
  const needed = new Set(graph.filter((f) => f.field === GRAPH_OUTPUT).map((f) => valueInfoName(buf, f)));
  const keep = new Set<Field>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const { f, io } = nodes[i];
    if (io.outputs.includes(tensor) || !io.outputs.some((o) => needed.has(o))) continue;
    keep.add(f);
    for (const name of io.reads) if (name !== tensor) needed.add(name);
  }
  const parts: Buffer[] = [];
  for (const f of graph) {
    if (f.field === GRAPH_NODE && !keep.has(f)) continue;
    if (f.field === GRAPH_INPUT) continue;
    parts.push(buf.subarray(f.from, f.end));
  }
  parts.push(lengthDelimited(GRAPH_INPUT, Buffer.from(valueInfo(tensor, dims))));
  const newGraph = Buffer.concat(parts);
  return Buffer.concat(top.map((f) => (f === graphField ? lengthDelimited(MODEL_GRAPH, newGraph) : buf.subarray(f.from, f.end))));
}

/**
 * The model with only the graph outputs named in `keep`. An output nobody fetches still stays allocated to the end of
 * every run (Whisper's encoder export returns each layer's attention: 216 MB for tiny's 30 s window); dropped, ORT
 * frees it as soon as the next node has read it, and removes nodes that only fed it.
 */
export function keepOutputs(model: Uint8Array, keep: string[]): Buffer {
  const buf = Buffer.from(model.buffer, model.byteOffset, model.byteLength);
  const top = [...fields(buf, 0, buf.length)];
  const graphField = top.find((f) => f.field === MODEL_GRAPH);
  if (!graphField) throw new Error('not an ONNX model: no graph');
  const graph = [...fields(buf, graphField.start, graphField.end)];
  const names = graph.filter((f) => f.field === GRAPH_OUTPUT).map((f) => valueInfoName(buf, f));
  const absent = keep.filter((k) => !names.includes(k));
  if (absent.length) throw new Error(`the model has no output ${absent.join(', ')} (it has ${names.join(', ')})`);
  const newGraph = Buffer.concat(graph.filter((f) => f.field !== GRAPH_OUTPUT || keep.includes(valueInfoName(buf, f))).map((f) => buf.subarray(f.from, f.end)));
  return Buffer.concat(top.map((f) => (f === graphField ? lengthDelimited(MODEL_GRAPH, newGraph) : buf.subarray(f.from, f.end))));
}

/**
 * The model with a free batch dimension: `io` gives each named graph input and output its new dims (a name such as
 * 'batch' first). Exports from Keras through tf2onnx fix batch 1 into their Reshape shapes as constants; a Reshape
 * whose shape constant starts with 1 gets -1 there (the one dimension it infers), so B rows flow through where one
 * did. The graph's inner value_info (shapes inferred at export, batch 1 included) is dropped for ORT to infer again.
 * Only models whose rows never mix (no op across the batch axis) give each row what a batch of one gives it; the
 * caller's test says so for its model.
 */
export function withBatchDim(model: Uint8Array, io: Record<string, (number | string)[]>): Buffer {
  const buf = Buffer.from(model.buffer, model.byteOffset, model.byteLength);
  const top = [...fields(buf, 0, buf.length)];
  const graphField = top.find((f) => f.field === MODEL_GRAPH);
  if (!graphField) throw new Error('not an ONNX model: no graph');
  const graph = [...fields(buf, graphField.start, graphField.end)];
  const shapes = new Set<string>();
  for (const f of graph) {
    if (f.field !== GRAPH_NODE) continue;
    let op = '';
    const inputs: string[] = [];
    for (const x of fields(buf, f.start, f.end)) {
      if (x.field === NODE_OP_TYPE) op = text(buf, x);
      else if (x.field === NODE_INPUT) inputs.push(text(buf, x));
    }
    if (op === 'Reshape' && inputs[1]) shapes.add(inputs[1]);
  }
  const named = new Set<string>();
  const parts: Buffer[] = [];
  for (const f of graph) {
    if (f.field === GRAPH_VALUE_INFO) continue;
    if (f.field === GRAPH_INPUT || f.field === GRAPH_OUTPUT) {
      const name = valueInfoName(buf, f);
      if (io[name]) {
        named.add(name);
        parts.push(lengthDelimited(f.field, Buffer.from(valueInfo(name, io[name]))));
        continue;
      }
    }
    parts.push(f.field === GRAPH_INITIALIZER && shapes.has(initializerName(buf, f)) ? batchFreeShape(buf, f) : buf.subarray(f.from, f.end));
  }
  const absent = Object.keys(io).filter((n) => !named.has(n));
  if (absent.length) throw new Error(`the model has no input or output ${absent.join(', ')}`);
  const newGraph = Buffer.concat(parts);
  return Buffer.concat(top.map((f) => (f === graphField ? lengthDelimited(MODEL_GRAPH, newGraph) : buf.subarray(f.from, f.end))));
}

function initializerName(b: Buffer, f: Field): string {
  for (const x of fields(b, f.start, f.end)) if (x.field === TENSOR_NAME) return text(b, x);
  return '';
}

/** An int64 shape initializer, its leading 1 made -1 (re-encoded as raw_data); any other tensor as it was. */
function batchFreeShape(b: Buffer, f: Field): Buffer {
  const kept: Buffer[] = [];
  let values: bigint[] | undefined;
  let type = 0;
  for (const x of fields(b, f.start, f.end)) {
    if (x.field === TENSOR_DATA_TYPE) type = Number(varint(b, x.start).value);
    if (x.field === TENSOR_INT64_DATA && x.wire === 2) values = [...packedVarints(b, x.start, x.end)];
    else if (x.field === TENSOR_RAW_DATA) values = Array.from({ length: (x.end - x.start) / 8 }, (_, i) => b.readBigInt64LE(x.start + 8 * i));
    else kept.push(b.subarray(x.from, x.end));
  }
  const whole = lengthDelimited(GRAPH_INITIALIZER, b.subarray(f.start, f.end));
  if (type !== INT64 || !values || values[0] !== 1n) return whole;
  const raw = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => raw.writeBigInt64LE(i === 0 ? -1n : v, 8 * i));
  return lengthDelimited(GRAPH_INITIALIZER, Buffer.concat([...kept, lengthDelimited(TENSOR_RAW_DATA, raw)]));
}

/** protobuf's packed repeated int64: varints, negatives as 10-byte two's complement. */
function* packedVarints(b: Buffer, start: number, end: number): Generator<bigint> {
  for (let p = start; p < end;) {
    const { value, next } = varint(b, p);
    yield BigInt.asIntN(64, value);
    p = next;
  }
}

/** One base-128 varint at `p`: its value (all 64 bits, hence bigint) and where the next byte is. */
function varint(b: Buffer, p: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  let c: number;
  do {
    c = b[p++];
    value |= BigInt(c & 127) << shift;
    shift += 7n;
  } while (c & 128);
  return { value, next: p };
}

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const GRAPH_INITIALIZER = 5;
const GRAPH_VALUE_INFO = 13;
const NODE_OP_TYPE = 4;
const TENSOR_DATA_TYPE = 2;
const TENSOR_INT64_DATA = 7;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const INT64 = 7;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_GRAPHS = 11;
const VALUE_INFO_NAME = 1;

/** One field: its number, where its key starts (`from`), and its payload [start, end) (a varint's own bytes for wire type 0). */
interface Field {
  field: number;
  wire: number;
  from: number;
  start: number;
  end: number;
}

function* fields(b: Buffer, start: number, end: number): Generator<Field> {
  let p = start;
  // keys and lengths are far under 2^53
  const small = () => {
    const { value, next } = varint(b, p);
    p = next;
    return Number(value);
  };
  while (p < end) {
    const from = p;
    const key = small();
    const wire = key & 7;
    const field = Math.floor(key / 8);
    if (wire === 0) {
      const at = p;
      small();
      yield { field, wire, from, start: at, end: p };
    } else if (wire === 1 || wire === 5) {
      const len = wire === 1 ? 8 : 4;
      yield { field, wire, from, start: p, end: p + len };
      p += len;
    } else if (wire === 2) {
      const len = small();
      yield { field, wire, from, start: p, end: p + len };
      p += len;
    } else throw new Error(`ONNX model: unsupported protobuf wire type ${wire} at byte ${from}`);
  }
}

const text = (b: Buffer, f: Field) => b.toString('utf8', f.start, f.end);

function valueInfoName(b: Buffer, f: Field): string {
  for (const x of fields(b, f.start, f.end)) if (x.field === VALUE_INFO_NAME) return text(b, x);
  return '';
}

/** A node's outputs, and every name it reads: its inputs and what nodes in its subgraphs read from outside them. */
function nodeIo(b: Buffer, node: Field): { outputs: string[]; reads: string[] } {
  const outputs: string[] = [];
  const reads: string[] = [];
  for (const x of fields(b, node.start, node.end)) {
    if (x.field === NODE_INPUT) reads.push(text(b, x));
    else if (x.field === NODE_OUTPUT) outputs.push(text(b, x));
    else if (x.field === NODE_ATTRIBUTE) {
      for (const a of fields(b, x.start, x.end)) {
        if (a.field !== ATTRIBUTE_GRAPH && a.field !== ATTRIBUTE_GRAPHS) continue;
        // reading every name a subgraph's nodes touch over-keeps a little, never under-keeps
        for (const g of fields(b, a.start, a.end)) if (g.field === GRAPH_NODE) reads.push(...nodeIo(b, g).reads);
      }
    }
  }
  return { outputs, reads };
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(lengthPrefix(field, payload.length)), payload]);
}

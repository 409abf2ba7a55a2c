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

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_GRAPHS = 11;
const VALUE_INFO_NAME = 1;

/** One field: its number, where its key starts (`from`), and its payload [start, end). */
interface Field {
  field: number;
  wire: number;
  from: number;
  start: number;
  end: number;
}

function* fields(b: Buffer, start: number, end: number): Generator<Field> {
  let p = start;
  const varint = () => {
    let v = 0;
    let scale = 1;
    let c: number;
    do {
      c = b[p++];
      v += (c & 127) * scale;
      scale *= 128;
    } while (c & 128);
    return v;
  };
  while (p < end) {
    const from = p;
    const key = varint();
    const wire = key & 7;
    const field = Math.floor(key / 8);
    if (wire === 0) {
      varint();
      yield { field, wire, from, start: p, end: p };
    } else if (wire === 1 || wire === 5) {
      const len = wire === 1 ? 8 : 4;
      yield { field, wire, from, start: p, end: p + len };
      p += len;
    } else if (wire === 2) {
      const len = varint();
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

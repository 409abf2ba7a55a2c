import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cuda' | 'cpu';

export interface LoadedSession {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
}

/** The CUDA provider library only exists where onnxruntime-node's CUDA install step ran; look before trying. */
function cudaAvailable(): boolean {
  try {
    const dir = path.join(path.dirname(require.resolve('onnxruntime-node')), '..', 'bin');
    const stack = [dir];
    while (stack.length) {
      const d = stack.pop()!;
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) stack.push(path.join(d, e.name));
        else if (e.name.startsWith('libonnxruntime_providers_cuda')) return true;
      }
    }
  } catch {
    /* no bin folder: no CUDA */
  }
  return false;
}

/**
 * Opens a model with CUDA when present and asked for, else CPU. `SDS_EP=cpu|cuda` overrides the choice.
 * Threads default to the core count (or SDS_ORT_THREADS): the host runs one session per model and feeds it large batches. `bytes`: the
 * model itself, when it was changed in memory (`file` then names it in messages).
 */
export async function openSession(file: string, opts: { threads?: number; log?: (m: string) => void; bytes?: Uint8Array; foldDequantize?: boolean } = {}): Promise<LoadedSession> {
  const want = process.env.SDS_EP ?? 'auto';
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    // SDS_ORT_THREADS: a machine shared by several workers gives each its share of the cores (sds worker --threads)
    intraOpNumThreads: opts.threads ?? (Number(process.env.SDS_ORT_THREADS) || Math.max(1, Math.min(4, require('node:os').availableParallelism?.() ?? 2))),
    interOpNumThreads: 1,
    // foldDequantize: ORT keeps DequantizeLinear of constant weights unfolded (for QDQ fusion), so a dynamically
    // quantized model dequantizes them on every run; with QDQ handling off they are folded once at load. Whisper's
    // decoder spent 11 of its 24 ms a token dequantizing the 51865-word output matrix.
    ...(opts.foldDequantize ? { extra: { session: { disable_quant_qdq: '1' } } } : {}),
  };
  const create = (o: ort.InferenceSession.SessionOptions) => (opts.bytes ? ort.InferenceSession.create(opts.bytes, o) : ort.InferenceSession.create(file, o));
  if (want !== 'cpu' && (want === 'cuda' || cudaAvailable())) {
    try {
      const session = await create({ ...base, executionProviders: ['cuda', 'cpu'] });
      opts.log?.(`${path.basename(file)}: execution provider cuda`);
      return { session, provider: 'cuda' };
    } catch (e) {
      opts.log?.(`${path.basename(file)}: CUDA unavailable (${(e as Error).message.split('\n')[0]}), using cpu`);
    }
  }
  const session = await create({ ...base, executionProviders: ['cpu'] });
  opts.log?.(`${path.basename(file)}: execution provider cpu`);
  return { session, provider: 'cpu' };
}

export { ort };

/**
 * Runs a session fetching only `names`, keyed by those names. onnxruntime-node 1.23 returns the fetched tensors in
 * the order asked but keyed by the first output names of the model, so they are matched up by position here.
 */
export async function runFetching(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, names: string[]): Promise<Record<string, ort.Tensor>> {
  const out = await session.run(feeds, names);
  if (names.every((n) => n in out)) return out;
  const values = Object.values(out);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

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
export async function openSession(file: string, opts: { threads?: number; log?: (m: string) => void; bytes?: Uint8Array } = {}): Promise<LoadedSession> {
  const want = process.env.SDS_EP ?? 'auto';
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    // SDS_ORT_THREADS: a machine shared by several workers gives each its share of the cores (sds worker --threads)
    intraOpNumThreads: opts.threads ?? (Number(process.env.SDS_ORT_THREADS) || Math.max(1, Math.min(4, require('node:os').availableParallelism?.() ?? 2))),
    interOpNumThreads: 1,
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

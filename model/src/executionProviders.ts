// Chooses where the model runs: CUDA, then WebGPU, then CPU, taking the first whose session can be created.
// ONNX Runtime itself places any operator an accelerator lacks on the CPU, so the only failure handled here is an
// execution provider that cannot start (libraries not installed, no GPU adapter).

import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { type ExecutionProviderName, executionProviderNames } from './modelChoices';

export type { ExecutionProviderName } from './modelChoices';

export interface SessionChoice {
  session: ort.InferenceSession;
  provider: ExecutionProviderName;
  /** Why each provider tried before `provider` could not be used. */
  skipped: string[];
}

export interface SessionOptions {
  /** 'auto' (default) tries CUDA, WebGPU, CPU in that order; a list is tried in its order. */
  executionProviders?: 'auto' | readonly ExecutionProviderName[];
  /** Threads of the CPU execution provider; ONNX Runtime's default (one per core) when absent. */
  intraOpThreads?: number;
  /** Let idle ONNX Runtime threads spin (lower latency on a dedicated machine); default false. */
  allowSpinning?: boolean;
}

/** Whether `libonnxruntime_providers_cuda` lies next to the binding, where onnxruntime-node looks for it. */
function cudaProviderInstalled(): boolean {
  try {
    const pkg = path.dirname(createRequire(__filename).resolve('onnxruntime-node/package.json'));
    const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    return ['libonnxruntime_providers_cuda.so', 'onnxruntime_providers_cuda.dll'].some((f) =>
      existsSync(path.join(dir, f)),
    );
  } catch {
    return true; // Unknown layout: let ONNX Runtime try.
  }
}

/** Whether this Linux machine has a GPU device node at all; elsewhere assume it may. */
function gpuDevicePresent(): boolean {
  if (process.platform !== 'linux') return true;
  const has = (dir: string, prefix: string) => {
    try {
      return readdirSync(dir).some((f) => f.startsWith(prefix));
    } catch {
      return false;
    }
  };
  return has('/dev/dri', 'renderD') || has('/dev', 'nvidia');
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.trim();
}

/**
 * Creates a session for `modelPath`. Throws when no provider works; the message leads with the last provider's
 * error (the CPU provider fails only when the model file itself is unusable) and lists the others.
 */
export async function createSession(modelPath: string, options: SessionOptions = {}): Promise<SessionChoice> {
  const wanted = options.executionProviders ?? 'auto';
  const order = wanted === 'auto' ? executionProviderNames : wanted;
  if (order.length === 0) throw new Error('no execution provider to try');
  // In 'auto' mode a provider this build of onnxruntime-node does not know is skipped without trying it.
  const known = new Set(ort.listSupportedBackends().map((b) => b.name));
  const skipped: string[] = [];
  let lastError = '';
  for (const provider of order) {
    if (wanted === 'auto' && provider !== 'cpu' && !known.has(provider)) {
      skipped.push(`${provider}: not supported by this onnxruntime-node build`);
      continue;
    }
    if (wanted === 'auto' && provider === 'cuda' && !cudaProviderInstalled()) {
      skipped.push('cuda: the CUDA provider libraries are not installed beside onnxruntime-node (README: GPU)');
      continue;
    }
    if (wanted === 'auto' && provider === 'webgpu' && !gpuDevicePresent()) {
      // Asking for a WebGPU adapter on a machine without a GPU takes seconds and prints a native error dump.
      skipped.push('webgpu: no GPU device found (no /dev/dri/renderD* or /dev/nvidia*)');
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(modelPath, {
        executionProviders: [provider],
        logSeverityLevel: 3,
        graphOptimizationLevel: 'all',
        // Idle ONNX Runtime threads spin by default, burning the cores that the editor and the other requests
        // share with the model between decoding steps; they sleep here instead.
        extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
        ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
      });
      return { session, provider, skipped };
    } catch (err) {
      lastError = firstLine(err);
      skipped.push(`${provider}: ${lastError}`);
    }
  }
  const others = skipped.slice(0, -1);
  throw new Error(lastError + (others.length > 0 ? ` (also tried ${others.join('; ')})` : ''));
}

// The speed baseline: transformers.js (@huggingface/transformers, a devDependency) running the same model folder
// in Node with greedy decoding (it has no beam search). Loaded lazily so that the bench still runs, and says
// why, where the package is missing or fails.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

export interface GreedyRunner {
  label: string;
  /** Greedy decoding of exactly `newTokens` tokens after `promptIds`; returns the new ids. */
  generate(promptIds: readonly number[], newTokens: number): Promise<number[]>;
  release(): Promise<void>;
}

function packageVersion(name: string, from: string): string {
  try {
    const require = createRequire(from);
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 5; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? '?';
      } catch {}
      dir = dirname(dir);
    }
  } catch {}
  return '?';
}

/** transformers.js on `modelDir` (CPU, `threads` intra-op threads, its other defaults), or why it cannot run. */
export async function loadTransformersJs(modelDir: string, threads: number): Promise<GreedyRunner | { error: string }> {
  let tjs: typeof import('@huggingface/transformers');
  try {
    tjs = await import('@huggingface/transformers');
  } catch (err) {
    return { error: `cannot import @huggingface/transformers: ${(err as Error).message.split('\n')[0]}` };
  }
  try {
    tjs.env.allowRemoteModels = false;
    tjs.env.localModelPath = dirname(modelDir);
    const model = await tjs.AutoModelForCausalLM.from_pretrained(basename(modelDir), {
      subfolder: '',
      model_file_name: 'model',
      dtype: 'fp32',
      device: 'cpu',
      session_options: { intraOpNumThreads: threads },
    });
    const pkgFile = createRequire(__filename).resolve('@huggingface/transformers');
    const version = packageVersion('@huggingface/transformers', __filename);
    const ortVersion = packageVersion('onnxruntime-node', pkgFile);
    return {
      label: `transformers.js ${version} (onnxruntime-node ${ortVersion}, CPU, ${threads} intra-op threads, its defaults)`,
      async generate(promptIds, newTokens) {
        const n = promptIds.length;
        const input_ids = new tjs.Tensor('int64', BigInt64Array.from(promptIds, BigInt), [1, n]);
        const attention_mask = new tjs.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
        const out = (await model.generate({
          input_ids,
          attention_mask,
          max_new_tokens: newTokens,
          min_new_tokens: newTokens,
          do_sample: false,
          num_beams: 1,
        } as never)) as { data: BigInt64Array };
        return Array.from(out.data.subarray(n), Number);
      },
      release: () => model.dispose().then(() => undefined),
    };
  } catch (err) {
    return { error: `transformers.js failed to load the model: ${(err as Error).message.split('\n')[0]}` };
  }
}

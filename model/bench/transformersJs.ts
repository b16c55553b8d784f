// The speed baseline: transformers.js (@huggingface/transformers, a devDependency) running the same model folder
// in Node: greedy decoding, and batched sampling for many candidates (it has no beam search). Loaded lazily so
// that the bench still runs, and says why, where the package is missing or fails.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

export interface GreedyRunner {
  label: string;
  /** Greedy decoding of exactly `newTokens` tokens after `promptIds`; returns the new ids. */
  generate(promptIds: readonly number[], newTokens: number): Promise<number[]>;
  /**
   * `rows` sampled continuations of exactly `newTokens` tokens after `promptIds`, decoded as one batch: the way
   * to get many candidates for one prompt from a runtime without beam search. Absent where unsupported.
   */
  sampleBatch?(promptIds: readonly number[], rows: number, newTokens: number): Promise<number[][]>;
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
      // The prompt repeated on every row (transformers.js has no way to share one prefill between rows), its
      // multinomial sampler with its default top_k (50) at temperature 1.
      async sampleBatch(promptIds, rows, newTokens) {
        const n = promptIds.length;
        const ids = new BigInt64Array(rows * n);
        const one = BigInt64Array.from(promptIds, BigInt);
        for (let r = 0; r < rows; r++) ids.set(one, r * n);
        const out = (await model.generate({
          input_ids: new tjs.Tensor('int64', ids, [rows, n]),
          attention_mask: new tjs.Tensor('int64', new BigInt64Array(rows * n).fill(1n), [rows, n]),
          max_new_tokens: newTokens,
          min_new_tokens: newTokens,
          do_sample: true,
          temperature: 1,
          num_beams: 1,
        } as never)) as { data: BigInt64Array; dims: number[] };
        const width = out.dims[1]!;
        return Array.from({ length: rows }, (_, r) =>
          Array.from(out.data.subarray(r * width + n, (r + 1) * width), Number),
        );
      },
      release: () => model.dispose().then(() => undefined),
    };
  } catch (err) {
    return { error: `transformers.js failed to load the model: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * The conversion's check: the new folder, loaded the way the product loads it (model/src's loadModelFolder), against
 * the checkpoint's own forward pass in PyTorch (llemma_train.reference, float32, one layer at a time). Each check
 * prompt is the model's prompt format rendered for a goal (its last `checkTokens` tokens after BOS); it runs in one
 * call, then its last token runs as a cached step, so the prompt path, the cached path and the masks are all compared.
 *
 * Bounds per element type, on the worst position: the largest logit difference relative to the reference's spread
 * (the root mean square of its logits around their mean), and the KL divergence of the next-token distributions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { freemem } from 'node:os';
import * as path from 'node:path';
import { type ExecutionProviderName, getPromptFormat, type LoadedModel, loadModelFolder } from '@llemma/model';
import { lastJson, runPythonModule } from '../train/python';
import { argmax, klDivergence, maxAbsDiff, spread } from '../util/logits';
import type { ConvertDtype } from './options';
import { checkGoals } from './tokenizerProof';

/**
 * fp32 should agree to rounding; fp16 to half precision's. int4 changes the weights themselves (4-bit blocks), by an
 * amount that depends on the weights (on random ones it grows with depth: a 7B-shaped random model moves by more than
 * a nat of KL), so an int4 folder is held to the PyTorch forward pass of the same quantized weights, which the graph
 * and the packing must reproduce up to MatMulNBits' arithmetic (accuracy level 4 rounds activations to int8); its
 * distance from the original weights is reported, not bounded.
 */
export const checkBounds: Record<ConvertDtype, { relative: number; kl: number }> = {
  fp32: { relative: 1e-3, kl: 1e-4 },
  fp16: { relative: 0.05, kl: 0.01 },
  int4: { relative: 0.2, kl: 0.05 },
};

export interface PositionCheck {
  maxAbsDiff: number;
  /** maxAbsDiff / the reference's spread. */
  relative: number;
  kl: number;
  sameTop: boolean;
}

export interface LogitCheck {
  provider: string;
  prompts: { tokens: number; prompt: PositionCheck; cachedStep: PositionCheck }[];
  worst: { relative: number; kl: number; maxAbsDiff: number };
  bound: { relative: number; kl: number };
  passed: boolean;
  /** int4: the folder against the original (unquantized) weights' forward pass; information, not bounded. */
  quantization?: { relative: number; kl: number; maxAbsDiff: number; sameTop: number; positions: number };
  referencePeakBytes?: number;
}

export interface LogitCheckOptions {
  checkpoint: string;
  folder: string;
  dtype: ConvertDtype;
  promptFormat: string;
  providers: 'auto' | ExecutionProviderName[];
  checkTokens: number;
  /** A scratch folder for the ids and the reference (not the model folder). */
  scratch: string;
  /** int4: the block size the folder was quantized with (the reference quantizes the same way). */
  blockSize: number;
  /** Bytes of model.onnx_data, to tell whether an fp16 model can be checked on the CPU. */
  dataBytes: number;
  log: (line: string) => void;
}

function compare(ours: ArrayLike<number>, reference: readonly number[], vocab: number): PositionCheck {
  const diff = maxAbsDiff(ours, reference, vocab);
  return {
    maxAbsDiff: diff,
    relative: diff / Math.max(spread(reference, vocab), 1e-6),
    kl: klDivergence(reference, ours, vocab),
    sameTop: argmax(ours, vocab) === argmax(reference, vocab),
  };
}

/** Loads the folder where the check runs; null (and why) when an fp16 model is too large for the CPU here. */
async function loadForCheck(o: LogitCheckOptions): Promise<LoadedModel | string> {
  // ONNX Runtime's CPU provider runs float16 graphs by casting them to float32: about twice the file in memory.
  const cpuTooSmall = o.dtype === 'fp16' && o.dataBytes * 2.5 > freemem();
  if (!cpuTooSmall) return loadModelFolder(o.folder, { executionProviders: o.providers });
  const gpuOnly = o.providers === 'auto' ? ['cuda' as const] : o.providers.filter((p) => p !== 'cpu');
  const why = `on the CPU ONNX Runtime computes float16 in float32, about ${((o.dataBytes * 2.5) / 1e9).toFixed(1)} GB here`;
  if (gpuOnly.length === 0) return `not checked: ${why}`;
  try {
    return await loadModelFolder(o.folder, { executionProviders: gpuOnly });
  } catch (err) {
    return `not checked: ${why}, and ${gpuOnly.join('/')} could not run it (${(err as Error).message.split('\n').slice(-1)[0]?.trim()})`;
  }
}

/** Runs the check; a string says why it could not run (the caller reports it). */
export async function checkLogits(o: LogitCheckOptions): Promise<LogitCheck | string> {
  const loaded = await loadForCheck(o);
  if (typeof loaded === 'string') return loaded;
  const model = loaded;
  try {
    const format = getPromptFormat(o.promptFormat);
    const prompts = checkGoals.map((goal) => {
      const ids = model.tokenizer.encode(format.render({ goals: [goal] }));
      return ids.length <= o.checkTokens ? ids : [ids[0] as number, ...ids.slice(-(o.checkTokens - 1))];
    });
    const idsFile = path.join(o.scratch, 'check-ids.json');
    const refFile = path.join(o.scratch, 'check-reference.json');
    writeFileSync(idsFile, JSON.stringify(prompts));
    o.log(`check: PyTorch forward pass of the checkpoint on ${prompts.length} prompts (one layer at a time)`);
    const args = ['logits', o.checkpoint, '--ids', idsFile, '--out', refFile];
    if (o.dtype === 'int4') args.push('--int4-block-size', String(o.blockSize));
    const run = await runPythonModule('reference', args, { onError: (l) => o.log(`check: ${l}`) });
    const summary = lastJson<{ peak_rss_bytes: number }>(run.lines, 'reference');
    const written = JSON.parse(readFileSync(refFile, 'utf8')) as { logits: number[][][]; int4_logits?: number[][][] };
    const original = written.logits;
    const reference = written.int4_logits ?? original;
    const vocab = model.config.vocabSize;
    o.log(`check: the folder on ${model.provider}`);
    const results: LogitCheck['prompts'] = [];
    const toOriginal: PositionCheck[] = [];
    for (const [i, ids] of prompts.entries()) {
      const [refPrompt, refStep] = reference[i] as [number[], number[]];
      const first = await model.decoder.prefill([ids.slice(0, -1)]);
      const prompt = compare(first.logits[0] as Float32Array, refPrompt, vocab);
      const second = await model.decoder.step(first.cache, [ids.at(-1) as number]);
      results.push({
        tokens: ids.length,
        prompt,
        cachedStep: compare(second.logits[0] as Float32Array, refStep, vocab),
      });
      if (written.int4_logits) {
        const [origPrompt, origStep] = original[i] as [number[], number[]];
        toOriginal.push(compare(first.logits[0] as Float32Array, origPrompt, vocab));
        toOriginal.push(compare(second.logits[0] as Float32Array, origStep, vocab));
      }
    }
    const all = results.flatMap((r) => [r.prompt, r.cachedStep]);
    const worst = {
      relative: Math.max(...all.map((p) => p.relative)),
      kl: Math.max(...all.map((p) => p.kl)),
      maxAbsDiff: Math.max(...all.map((p) => p.maxAbsDiff)),
    };
    const bound = checkBounds[o.dtype];
    return {
      provider: model.provider,
      prompts: results,
      worst,
      bound,
      passed: worst.relative <= bound.relative && worst.kl <= bound.kl,
      ...(toOriginal.length > 0
        ? {
            quantization: {
              relative: Math.max(...toOriginal.map((p) => p.relative)),
              kl: Math.max(...toOriginal.map((p) => p.kl)),
              maxAbsDiff: Math.max(...toOriginal.map((p) => p.maxAbsDiff)),
              sameTop: toOriginal.filter((p) => p.sameTop).length,
              positions: toOriginal.length,
            },
          }
        : {}),
      ...(summary ? { referencePeakBytes: summary.peak_rss_bytes } : {}),
    };
  } finally {
    await model.release();
  }
}

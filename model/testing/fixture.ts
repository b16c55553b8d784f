// Shared by the model tests: where the shipped tiny model lives, its weights, and temporary model folders.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionOptions } from '../src/executionProviders';
import type { TinyLlamaWeights } from './tinyLlama';
import { buildTinyModel } from './tinyModelFolder';

/** The shipped test model folder (regenerate with makeTinyModel.ts). */
export const tinyModelDir = join(__dirname, 'tiny-llama');

let weights: TinyLlamaWeights | undefined;

/** The weights inside the shipped model.onnx (rebuilt from the seed; modelFixture.test.ts checks they match). */
export function tinyWeights(): TinyLlamaWeights {
  weights ??= buildTinyModel().weights;
  return weights;
}

/** A temporary folder, removed by the returned cleanup function. */
export function tempDir(prefix = 'llemma-model-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A temporary copy of the shipped model folder, to break in a test. */
export function copyOfTinyModel(): { dir: string; cleanup: () => void } {
  const t = tempDir();
  cpSync(tinyModelDir, t.dir, { recursive: true });
  return t;
}

/**
 * Session options for tests: CPU, one intra-op thread. Test files run in parallel on small machines, and a
 * multi-threaded ONNX Runtime operator whose threads wait on a busy core turns milliseconds into seconds.
 */
export const testSessionOptions = { executionProviders: ['cpu'], intraOpThreads: 1 } satisfies SessionOptions;

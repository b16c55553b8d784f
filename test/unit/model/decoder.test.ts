// The ONNX decoder step with its key/value cache against the reference forward: token-by-token decoding,
// left-padded batches of prompts of different lengths, row selection (beam reordering), and graph variants
// (no position_ids input; no grouped-query attention).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LoadedModel, loadModelFolder } from '../../../model/src/modelFolder';
import type { KvCache, StepOutput } from '../../../model/src/onnxDecoder';
import { tempDir, testSessionOptions, tinyModelDir, tinyWeights } from '../../../model/testing/fixture';
import { referenceLogits } from '../../../model/testing/referenceForward';
import type { TinyLlamaWeights } from '../../../model/testing/tinyLlama';
import { standardIoNames } from '../../../model/testing/tinyLlamaGraph';
import { type TinyModelOptions, writeTinyModelFolder } from '../../../model/testing/tinyModelFolder';

function maxDiff(actual: Float32Array, expected: Float64Array): number {
  let d = 0;
  expected.forEach((v, i) => {
    d = Math.max(d, Math.abs(v - actual[i]!));
  });
  return d;
}

function assertMatchesReference(
  w: TinyLlamaWeights,
  out: StepOutput<KvCache>,
  sequences: number[][],
  tolerance = 1e-3,
): void {
  assert.equal(out.logits.length, sequences.length);
  sequences.forEach((seq, row) => {
    const d = maxDiff(out.logits[row]!, referenceLogits(w, seq).at(-1)!);
    assert.ok(d < tolerance, `row ${row}: max |onnx - reference| = ${d}`);
  });
}

const promptA = [1, 40, 41, 42, 43, 44];
const promptB = [1, 300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310];
const promptC = [1, 99];

describe('OnnxDecoder with KV cache (tiny model)', () => {
  let model: LoadedModel;
  before(async () => {
    model = await loadModelFolder(tinyModelDir, testSessionOptions);
  });
  after(async () => {
    await model.release();
  });

  it('decodes token by token with the cache exactly as a full recomputation', async () => {
    const w = tinyWeights();
    let out = await model.decoder.prefill([promptB]);
    const seq = [...promptB];
    assertMatchesReference(w, out, [seq]);
    for (const token of [5, 200, 17, 450, 3]) {
      out = await model.decoder.step(out.cache, [token]);
      seq.push(token);
      assertMatchesReference(w, out, [seq]);
    }
    assert.equal(out.cache.length, seq.length);
  });

  it('batches prompts of different lengths with left padding', async () => {
    const w = tinyWeights();
    const prompts = [promptA, promptB, promptC];
    let out = await model.decoder.prefill(prompts);
    assertMatchesReference(w, out, prompts);
    out = await model.decoder.step(out.cache, [7, 8, 9]);
    assertMatchesReference(w, out, [
      [...promptA, 7],
      [...promptB, 8],
      [...promptC, 9],
    ]);
  });

  it('selects, repeats and drops cache rows (beam reordering)', async () => {
    const w = tinyWeights();
    const first = await model.decoder.prefill([promptA, promptB, promptC]);
    const cache = model.decoder.selectRows(first.cache, [2, 0, 0]);
    const out = await model.decoder.step(cache, [11, 12, 13]);
    assertMatchesReference(w, out, [
      [...promptC, 11],
      [...promptA, 12],
      [...promptA, 13],
    ]);
  });
});

describe('graph variants the contract allows', () => {
  async function check(options: TinyModelOptions, tolerance = 1e-3): Promise<void> {
    const { dir, cleanup } = tempDir();
    try {
      const built = writeTinyModelFolder(dir, options);
      const model = await loadModelFolder(dir, testSessionOptions);
      try {
        let out = await model.decoder.prefill([promptA, promptB]);
        out = await model.decoder.step(model.decoder.selectRows(out.cache, [1]), [42]);
        out = await model.decoder.step(out.cache, [43]);
        assertMatchesReference(built.weights, out, [[...promptB, 42, 43]], tolerance);
      } finally {
        await model.release();
      }
    } finally {
      cleanup();
    }
  }

  it('a graph without a position_ids input (positions derived inside the graph)', async () => {
    // Unpadded rows only: such a graph cannot know where a padded row's real tokens start.
    const { dir, cleanup } = tempDir();
    try {
      const built = writeTinyModelFolder(dir, { ioNames: { ...standardIoNames, positionIds: null } });
      const model = await loadModelFolder(dir, testSessionOptions);
      try {
        let out = await model.decoder.prefill([promptB]);
        out = await model.decoder.step(out.cache, [42]);
        assertMatchesReference(built.weights, out, [[...promptB, 42]]);
      } finally {
        await model.release();
      }
    } finally {
      cleanup();
    }
  });

  it('multi-head attention without GQA (as many key/value heads as query heads)', async () => {
    await check({ spec: { numKvHeads: 4 }, seed: 7 });
  });

  it('a float16 key/value cache and float16 logits (half-precision export)', async () => {
    // Half precision keeps about 3 significant digits of logits up to ~20 in size.
    await check({ float16Io: true }, 0.05);
  });
});

// The whole beam search (row skipping, only forked beams copied, the batch shrinking as beams finish) against a
// plain implementation of the same algorithm, kept here, on a toy decoder and on the tiny ONNX model.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mulberry32 } from '@llemma/stdx';
import { beamSearch } from '../../../model/src/beamSearch';
import { CandidatePool, CompletionTracker, makeCandidate } from '../../../model/src/completion';
import { LocalGenerator } from '../../../model/src/localGenerator';
import { logSoftmax, topK } from '../../../model/src/logits';
import { type LoadedModel, loadModelFolder } from '../../../model/src/modelFolder';
import type { Decoder, StepOutput } from '../../../model/src/onnxDecoder';
import type { Candidate } from '../../../model/src/types';
import { testSessionOptions, tinyModelDir } from '../../../model/testing/fixture';

const close = (a: number, b: number, eps: number, what = '') =>
  assert.ok(Math.abs(a - b) <= eps, `${what} ${a} vs ${b} (|diff| ${Math.abs(a - b)})`);

// ---------------------------------------------------------------------------------------------------------------
// The plain beam search: log-softmax of every row with Math.exp, top 2·width of each, one stable sort of all
// extensions, and selectRows(parents) with the beams in rank order. It is the algorithm of beamSearch.ts before
// the fast paths; both must return the same candidates.

async function plainBeamSearch<C>(
  decoder: Decoder<C>,
  promptIds: readonly number[],
  tracker: CompletionTracker,
  width: number,
  n: number,
): Promise<Candidate[]> {
  let { cache, logits } = await decoder.prefill([promptIds]);
  let beams: { ids: number[]; logprobs: number[]; sum: number }[] = [{ ids: [], logprobs: [], sum: 0 }];
  const pool = new CandidatePool();
  while (beams.length > 0) {
    const extensions: { parent: number; token: number; logprob: number; sum: number }[] = [];
    beams.forEach((beam, parent) => {
      const lp = logSoftmax(logits[parent]!);
      for (const token of topK(lp, 2 * width)) {
        extensions.push({ parent, token, logprob: lp[token]!, sum: beam.sum + lp[token]! });
      }
    });
    extensions.sort((a, b) => b.sum - a.sum);
    const next: typeof beams = [];
    const parents: number[] = [];
    for (const [rank, ext] of extensions.slice(0, 2 * width).entries()) {
      const parent = beams[ext.parent]!;
      const ids = [...parent.ids, ext.token];
      const logprobs = [...parent.logprobs, ext.logprob];
      const ending = tracker.check(ids);
      if (ending.reason !== null) {
        if (rank < width) pool.add(makeCandidate(ids, logprobs, ending));
        continue;
      }
      next.push({ ids, logprobs, sum: ext.sum });
      parents.push(ext.parent);
      if (next.length === width) break;
    }
    if (next.length === 0) break;
    if (pool.size >= width) {
      const worstKept = pool.best(width).at(-1)!.meanLogprob;
      if (next[0]!.sum / next[0]!.ids.length <= worstKept) break;
    }
    cache = decoder.selectRows(cache, parents);
    ({ cache, logits } = await decoder.step(
      cache,
      next.map((b) => b.ids.at(-1)!),
    ));
    beams = next;
  }
  return pool.best(n);
}

function assertSameCandidates(got: Candidate[], want: Candidate[], eps: number): void {
  assert.deepEqual(
    got.map((c) => [c.text, c.finishReason, c.tokenIds]),
    want.map((c) => [c.text, c.finishReason, c.tokenIds]),
  );
  got.forEach((c, i) => {
    close(c.logprob, want[i]!.logprob, eps, `candidate ${i} logprob`);
    c.tokenLogprobs.forEach((lp, j) => {
      close(lp, want[i]!.tokenLogprobs[j]!, eps, `candidate ${i} token ${j}`);
    });
  });
}

/** Wraps a decoder and records the batch size of every step. */
class CountingDecoder<C> implements Decoder<C> {
  readonly batches: number[] = [];
  constructor(private readonly inner: Decoder<C>) {}
  get vocabSize() {
    return this.inner.vocabSize;
  }
  prefill(p: readonly (readonly number[])[]) {
    return this.inner.prefill(p);
  }
  step(c: C, t: readonly number[]) {
    this.batches.push(t.length);
    return this.inner.step(c, t);
  }
  selectRows(c: C, r: readonly number[]) {
    return this.inner.selectRows(c, r);
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Toy decoder: the cache rows are the sequences; next-token probabilities are a seeded function of them. */
class ToyDecoder implements Decoder<number[][]> {
  constructor(
    readonly vocabSize: number,
    private readonly seed: number,
    private readonly eosBias: number,
    private readonly eos: readonly number[] = [0],
  ) {}
  logits(seq: readonly number[]): Float32Array {
    const h = seq.reduce((acc, t) => Math.imul(acc ^ (t + 1), 0x9e3779b1) >>> 0, this.seed);
    const rand = mulberry32(h);
    const row = Float32Array.from({ length: this.vocabSize }, () => rand() * 6);
    // EOS tokens get likelier as sequences grow, so beams finish at different lengths and the batch shrinks.
    for (const t of this.eos) if (t < this.vocabSize) row[t] = row[t]! + this.eosBias * seq.length;
    // Exact ties between tokens, to check the tie order.
    if (h % 3 === 0) row[2] = row[1]!;
    return row;
  }
  private out(rows: number[][]): StepOutput<number[][]> {
    return { cache: rows, logits: rows.map((r) => this.logits(r)) };
  }
  async prefill(prompts: readonly (readonly number[])[]) {
    return this.out(prompts.map((p) => [...p]));
  }
  async step(cache: number[][], tokens: readonly number[]) {
    return this.out(cache.map((r, i) => [...r, tokens[i]!]));
  }
  selectRows(cache: number[][], rows: readonly number[]) {
    return rows.map((r) => [...cache[r]!]);
  }
}

// Token 0 is EOS, token i ≥ 1 reads as the i-th letter (modulo 26).
const letters = 'abcdefghijklmnopqrstuvwxyz';
const toyText = { decode: (ids: readonly number[]) => ids.map((i) => (i === 0 ? '' : letters[(i - 1) % 26])).join('') };

describe('beam search equals the plain implementation', () => {
  it('on a toy decoder: widths 1–12, EOS, stop strings, shrinking batches', async () => {
    let shrank = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const width = 1 + (seed % 12);
      const vocab = 5 + (seed % 20);
      // Stop strings that many two-letter endings complete, and EOS likelier with length: beams end at all
      // lengths, and often more than half of the best extensions end, which shrinks the batch.
      const eos = seed % 2 ? [0, 4, 5, 7, 9, 10] : [0];
      const rules = {
        eosIds: new Set(eos),
        stop: seed % 3 ? ['ab', 'ba', 'cc'] : [],
        maxNewTokens: 3 + (seed % 7),
      };
      const bias = seed % 2 ? 0.5 : 0.3;
      const tracker = () => new CompletionTracker(toyText, rules);
      const decoder = new CountingDecoder(new ToyDecoder(vocab, seed, bias, eos));
      const got = await beamSearch(decoder, [seed], tracker(), { width, n: width });
      const want = await plainBeamSearch(new ToyDecoder(vocab, seed, bias, eos), [seed], tracker(), width, width);
      assertSameCandidates(got, want, 1e-12);
      if (decoder.batches.some((b, i) => i > 0 && b < decoder.batches[i - 1]!)) shrank++;
    }
    assert.ok(shrank >= 5, `the batch shrank in only ${shrank} searches`);
  });

  describe('on the tiny ONNX model', () => {
    let model: LoadedModel;
    before(async () => {
      model = await loadModelFolder(tinyModelDir, testSessionOptions);
    });
    after(async () => {
      await model.release();
    });
    const promptIds = [1, 40, 41, 42, 43, 44, 300, 301, 302];

    it('the same candidates at width 8, and with EOS ids that end many beams (the batch shrinks)', async () => {
      const text = model.tokenizer.completionText(promptIds);
      // Two thirds of the vocabulary as EOS: most of the best extensions end at every step.
      const many = [...Array(model.decoder.vocabSize).keys()].filter((id) => id % 3 !== 0);
      for (const eos of [[2], many]) {
        const rules = { eosIds: new Set(eos), stop: [], maxNewTokens: 12 };
        const counting = new CountingDecoder(model.decoder);
        const got = await beamSearch(counting, promptIds, new CompletionTracker(text, rules), { width: 8, n: 8 });
        const want = await plainBeamSearch(model.decoder, promptIds, new CompletionTracker(text, rules), 8, 8);
        assertSameCandidates(got, want, 1e-9);
        if (eos.length > 1) {
          assert.ok(
            counting.batches.some((b) => b < 8),
            `batch sizes ${counting.batches.join(' ')}: expected some below 8`,
          );
        }
      }
    });

    it('concurrent searches on one decoder (as in the worker) give the results of separate ones', async () => {
      const gen = new LocalGenerator(model);
      const prompts = ['Tactic state:\n---\n⊢ 1 + 1 = 2\n---\nNext tactic:\n---', 'rw [h]\n', 'intro x'];
      const opts = { n: 6, beamWidth: 6, maxNewTokens: 10 };
      const alone: Candidate[][] = [];
      for (const p of prompts) alone.push(await gen.generate(p, opts));
      const together = await Promise.all(prompts.map((p) => gen.generate(p, opts)));
      together.forEach((c, i) => {
        assertSameCandidates(c, alone[i]!, 1e-6);
      });
    });
  });
});

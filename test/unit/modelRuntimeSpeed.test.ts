// The runtime's fast paths against straightforward versions of the same thing: the table-driven exp and top-k,
// in-place row reordering of the key/value cache, beam placement in batch rows, and the whole beam search (row
// skipping, only forked beams copied, the batch shrinking as beams finish) against a plain implementation of
// the same algorithm, kept here, on a toy decoder and on the tiny ONNX model.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mulberry32 } from '@llemma/stdx';
import { beamSearch, placeRows } from '../../model/src/beamSearch';
import { CandidatePool, CompletionTracker, makeCandidate } from '../../model/src/completion';
import { LocalGenerator } from '../../model/src/localGenerator';
import {
  argmaxRow,
  expNonPositive,
  logSoftmax,
  logSumExp,
  logSumExpMathExp,
  rowMax,
  topK,
} from '../../model/src/logits';
import { type LoadedModel, loadModelFolder } from '../../model/src/modelFolder';
import { type Decoder, inPlaceMoves, type KvCache, type StepOutput } from '../../model/src/onnxDecoder';
import type { Candidate } from '../../model/src/types';
import { testSessionOptions, tinyModelDir, tinyWeights } from '../../model/testing/fixture';
import { referenceLogits } from '../../model/testing/referenceForward';

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

describe('logits helpers (fast paths)', () => {
  it('the table exp agrees with Math.exp to 1e-14 relative where terms matter', () => {
    for (let x = -60; x <= 0; x += 0.000731) {
      const e = Math.exp(x);
      assert.ok(Math.abs(expNonPositive(x) - e) <= 2e-15 * e + 1e-300, `exp(${x})`);
    }
    for (let x = -700; x <= -60; x += 0.0917) {
      const e = Math.exp(x);
      assert.ok(Math.abs(expNonPositive(x) - e) <= 2e-13 * e, `exp(${x})`);
    }
    assert.equal(expNonPositive(0), 1);
  });

  it('logSumExp equals the Math.exp version to 1e-13 on rows of every shape', () => {
    const rand = mulberry32(5);
    for (const [size, scale] of [
      [1, 1],
      [7, 3],
      [456, 20],
      [32000, 8],
      [32000, 200],
    ] as const) {
      const row = Float32Array.from({ length: size }, () => (rand() * 2 - 1) * scale);
      close(logSumExp(row, rowMax(row)), logSumExpMathExp(row), 1e-13, `size ${size} scale ${scale}`);
    }
    const withNaN = Float32Array.from([1, Number.NaN, 2]);
    assert.ok(Number.isNaN(logSumExp(withNaN, rowMax(withNaN))));
    const masked = Float32Array.from([Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY]);
    assert.equal(logSumExp(masked, rowMax(masked)), 0);
  });

  it('topK returns the k largest, largest first, ties in index order, for float32 rows and other arrays', () => {
    const rand = mulberry32(9);
    for (let trial = 0; trial < 200; trial++) {
      const size = 1 + Math.floor(rand() * 60);
      // Few distinct values, so that ties are common.
      const values = Array.from({ length: size }, () => Math.floor(rand() * 8) - 4);
      const k = Math.floor(rand() * (size + 3));
      const expected = [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b).slice(0, k);
      assert.deepEqual(topK(Float32Array.from(values), k), expected);
      assert.deepEqual(topK(Float64Array.from(values), k), expected);
    }
    assert.deepEqual(topK(Float32Array.from([1, 2]), 0), []);
    assert.equal(argmaxRow(Float32Array.from([3, 9, 9, 1])), 1);
  });
});

describe('in-place reordering of cache rows', () => {
  /** Applies moves to an array of row labels in order, as copyWithin would. */
  const applyMoves = (labels: number[], moves: Array<[number, number]>) => {
    const out = [...labels];
    for (const [dst, src] of moves) out[dst] = out[src]!;
    return out;
  };

  const hasCycle = (rows: number[]) =>
    rows.some((_, start) => {
      let j = start;
      for (let steps = 0; steps <= rows.length; steps++) {
        const src = rows[j]!;
        if (src === j || src >= rows.length) return false;
        j = src;
        if (j === start) return true;
      }
      return false;
    });

  it('inPlaceMoves reproduces every gather it accepts and refuses only cycles', () => {
    const rand = mulberry32(3);
    let accepted = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const old = 1 + Math.floor(rand() * 9);
      const m = 1 + Math.floor(rand() * old);
      const rows = Array.from({ length: m }, () => Math.floor(rand() * old));
      const moves = inPlaceMoves(rows);
      if (moves === null) {
        // A refusal must be a real cycle of moves (j reads rows[j], which is itself overwritten, ... back to j).
        assert.ok(hasCycle(rows), `refused ${rows}`);
        continue;
      }
      accepted++;
      const labels = Array.from({ length: old }, (_, i) => i);
      assert.deepEqual(applyMoves(labels, moves).slice(0, m), rows, `rows ${rows}`);
      assert.equal(moves.length, rows.filter((s, j) => s !== j).length, 'each moved row is copied once');
    }
    assert.ok(accepted > 1000);
    assert.equal(inPlaceMoves([1, 0]), null);
    assert.deepEqual(inPlaceMoves([0, 1, 2]), []);
  });

  it('placeRows keeps first children in their parent row and never needs a second buffer', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 2000; trial++) {
      const old = 1 + Math.floor(rand() * 12);
      const count = 1 + Math.floor(rand() * 12);
      const parentRows = Array.from({ length: count }, () => Math.floor(rand() * old));
      const { source, rowOf } = placeRows(parentRows);
      assert.equal(source.length, count);
      assert.deepEqual(
        [...rowOf].sort((a, b) => a - b),
        [...source.keys()],
        'a bijection beams → rows',
      );
      parentRows.forEach((p, i) => {
        assert.equal(source[rowOf[i]!], p, 'each beam reads its parent');
        if (p < count && parentRows.indexOf(p) === i) assert.equal(rowOf[i], p, 'first child stays in place');
      });
      if (count <= old) {
        const moves = inPlaceMoves(source);
        assert.ok(moves, `in place for ${parentRows}`);
        const forks = parentRows.filter((p, i) => !(p < count && parentRows.indexOf(p) === i)).length;
        assert.equal(moves.length, forks, 'only forked (or displaced) beams are copied');
      }
    }
  });
});

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

describe('OnnxDecoder cache handling', () => {
  let model: LoadedModel;
  before(async () => {
    model = await loadModelFolder(tinyModelDir, testSessionOptions);
  });
  after(async () => {
    await model.release();
  });
  const prompts = [
    [1, 40, 41, 42, 43, 44],
    [1, 300, 301, 302, 303, 304, 305, 306],
    [1, 99],
  ];

  function check(out: StepOutput<KvCache>, sequences: number[][]): void {
    sequences.forEach((seq, row) => {
      const want = referenceLogits(tinyWeights(), seq).at(-1)!;
      let d = 0;
      want.forEach((v, j) => {
        d = Math.max(d, Math.abs(v - out.logits[row]![j]!));
      });
      assert.ok(d < 1e-3, `row ${row}: max |onnx - reference| = ${d}`);
    });
  }

  it('reorders rows in place (fork, then shrink) and stays exact', async () => {
    const d = model.decoder;
    let out = await d.prefill(prompts);
    // [0, 0, 1]: row 0 forks into row 1, row 1 moves to row 2; no cycle, so no second buffer.
    assert.ok(inPlaceMoves([0, 0, 1]));
    out = await d.step(d.selectRows(out.cache, [0, 0, 1]), [7, 8, 9]);
    check(out, [
      [...prompts[0]!, 7],
      [...prompts[0]!, 8],
      [...prompts[1]!, 9],
    ]);
    // Shrink to [2, 0]: three rows become two.
    out = await d.step(d.selectRows(out.cache, [2, 0]), [10, 11]);
    check(out, [
      [...prompts[1]!, 9, 10],
      [...prompts[0]!, 7, 11],
    ]);
    // A swap is a cycle: gathered into a second buffer.
    out = await d.step(d.selectRows(out.cache, [1, 0]), [12, 13]);
    check(out, [
      [...prompts[0]!, 7, 11, 12],
      [...prompts[1]!, 9, 10, 13],
    ]);
    // Growing (one row to several) copies too.
    out = await d.step(d.selectRows(out.cache, [1, 1, 1]), [14, 15, 16]);
    check(out, [
      [...prompts[1]!, 9, 10, 13, 14],
      [...prompts[1]!, 9, 10, 13, 15],
      [...prompts[1]!, 9, 10, 13, 16],
    ]);
  });

  it('refuses a cache that step() or selectRows() already consumed', async () => {
    const d = model.decoder;
    const first = await d.prefill([prompts[0]!]);
    const second = await d.step(first.cache, [5]);
    await assert.rejects(d.step(first.cache, [5]), /consumed/);
    const selected = d.selectRows(second.cache, [0, 0]);
    assert.throws(() => d.selectRows(second.cache, [0]), /consumed/);
    assert.throws(() => d.selectRows(selected, [2]), RangeError);
  });

  it('the prompt split into (all but the last token) + one step gives the logits of one full run', async () => {
    // prefill of one unpadded prompt runs without fetching the prompt's logits, then steps its last token.
    const seq = [1, 300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310];
    const out = await model.decoder.prefill([seq]);
    assert.equal(out.cache.length, seq.length);
    assert.deepEqual(out.cache.nextPosition, [seq.length]);
    assert.equal(out.cache.mask, null);
    check(out, [seq]);
  });
});

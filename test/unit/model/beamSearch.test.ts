// Beam search and sampling loops on a toy decoder whose next-token distribution is a fixed function of the
// sequence, so expected results can be worked out by hand or by brute-force enumeration.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { beamSearch, beamSearchBatch } from '../../../model/src/beamSearch';
import { CompletionTracker } from '../../../model/src/completion';
import type { Decoder, StepOutput } from '../../../model/src/onnxDecoder';
import { sample } from '../../../model/src/sampling';
import type { Candidate } from '../../../model/src/types';

// Toy vocabulary: 0 = 'a', 1 = 'b', 2 = 'c', 3 = EOS.
const letters = ['a', 'b', 'c', ''];
const text = { decode: (ids: readonly number[]) => ids.map((i) => letters[i]).join('') };

/** Rows of the toy "cache" are just the token sequences; probabilities come from `probs(sequence)`. */
class ToyDecoder implements Decoder<number[][]> {
  readonly vocabSize = 4;
  steps = 0;
  onStep: (() => void) | null = null;
  constructor(private readonly probs: (seq: readonly number[]) => number[]) {}
  private out(rows: number[][]): StepOutput<number[][]> {
    return { cache: rows, logits: rows.map((r) => Float32Array.from(this.probs(r), (p) => Math.log(p))) };
  }
  async prefill(prompts: readonly (readonly number[])[]) {
    return this.out(prompts.map((p) => [...p]));
  }
  async step(cache: number[][], tokens: readonly number[]) {
    this.steps++;
    this.onStep?.();
    return this.out(cache.map((r, i) => [...r, tokens[i]!]));
  }
  selectRows(cache: number[][], rows: readonly number[]) {
    return rows.map((r) => [...cache[r]!]);
  }
}

const tracker = (maxNewTokens: number, stop: string[] = []) =>
  new CompletionTracker(text, { eosIds: new Set([3]), stop, maxNewTokens });

const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

describe('beam search (toy decoder)', () => {
  // After the prompt [9]: a 0.6, b 0.4. After 'a': a, b equally likely. After 'b': a 0.9.
  const twoStep = (seq: readonly number[]) => {
    const last = seq.at(-1);
    if (last === 9) return [0.6, 0.4, 1e-6, 1e-6];
    if (last === 0) return [0.5, 0.5, 1e-6, 1e-6];
    return [0.9, 0.1, 1e-6, 1e-6];
  };

  it('finds the sequence greedy decoding misses; width 1 is greedy', async () => {
    const beam = await beamSearch(new ToyDecoder(twoStep), [9], tracker(2), { width: 2, n: 1 });
    assert.equal(beam[0]!.text, 'ba'); // 0.4 * 0.9 = 0.36 beats 0.6 * 0.5 = 0.30
    close(beam[0]!.logprob, Math.log(0.36), 1e-5);
    const greedy = await beamSearch(new ToyDecoder(twoStep), [9], tracker(2), { width: 1, n: 1 });
    assert.equal(greedy[0]!.text, 'aa'); // the tie after 'a' goes to the lower token id
  });

  it('width 1 stays greedy when a lower-ranked ending would score better', async () => {
    // EOS first (0.45, mean log -0.80) ranks below 'a' (0.55); 'a' then 'a' (0.55 * 0.34, mean -0.84) scores
    // worse, but greedy never considers that EOS, and neither may beam search of width 1.
    const probs = (seq: readonly number[]) => (seq.length === 1 ? [0.55, 1e-9, 1e-9, 0.45] : [0.34, 0.33, 0.33, 1e-9]);
    const [c] = await beamSearch(new ToyDecoder(probs), [0], tracker(2), { width: 1, n: 1 });
    assert.deepEqual(c!.tokenIds, [0, 0]);
  });

  it('with a beam as wide as the tree it returns every sequence with its exact log-probability', async () => {
    // Three letters, no EOS, three tokens: 27 sequences, each probability a fixed function of the sequence.
    const probs = (seq: readonly number[]) => {
      const h = seq.reduce((acc, t) => acc * 7 + t + 1, 3);
      const w = [1 + (h % 5), 1 + ((h >> 2) % 3), 1 + ((h >> 4) % 4)];
      const z = w.reduce((a, b) => a + b, 0);
      return [...w.map((x) => x / z), 0];
    };
    const got = await beamSearch(new ToyDecoder(probs), [0], tracker(3), { width: 27, n: 27 });
    assert.equal(got.length, 27);
    assert.equal(new Set(got.map((c) => c.text)).size, 27);
    for (const c of got) {
      let expected = 0;
      const seq = [0];
      for (const t of c.tokenIds) {
        expected += Math.log(probs(seq)[t]!);
        seq.push(t);
      }
      close(c.logprob, expected, 1e-5);
      close(c.meanLogprob, expected / 3, 1e-5);
      assert.equal(c.finishReason, 'length');
    }
    for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]!.meanLogprob >= got[i]!.meanLogprob);
  });

  it('ends a sequence at EOS, counts the EOS token, and ranks by mean log-probability', async () => {
    // EOS at once: 0.3 (mean log -1.20). 'ba': 0.2 * 0.9 = 0.18, a lower total but a better mean (-0.86).
    const probs = (seq: readonly number[]) => (seq.length === 1 ? [0.5, 0.2, 1e-9, 0.3] : [0.9, 0.05, 0.04, 0.01]);
    const got = await beamSearch(new ToyDecoder(probs), [0], tracker(2), { width: 3, n: 3 });
    assert.deepEqual(
      got.map((c) => [c.text, c.finishReason, c.tokenIds]),
      [
        ['aa', 'length', [0, 0]],
        ['ba', 'length', [1, 0]],
        ['', 'eos', [3]],
      ],
    );
    close(got[2]!.logprob, Math.log(0.3), 1e-6);
    close(got[1]!.meanLogprob, Math.log(0.18) / 2, 1e-6);
  });

  it('cuts the text at a stop string and keeps the token that completed it', async () => {
    // Always 'a' then 'b' alternately: "abab..."; stop "ba" completes at the third token.
    const probs = (seq: readonly number[]) => (seq.at(-1) === 0 ? [0.01, 0.97, 0.01, 0.01] : [0.97, 0.01, 0.01, 0.01]);
    const [c] = await beamSearch(new ToyDecoder(probs), [1], tracker(10, ['ba']), { width: 1, n: 1 });
    assert.equal(c!.text, 'a');
    assert.deepEqual(c!.tokenIds, [0, 1, 0]);
    assert.equal(c!.finishReason, 'stop');
  });

  it('a batch of prompts gives each prompt the search it gets alone, in one decoder batch', async () => {
    // Distributions that depend on the whole sequence, with some EOS, so the three searches end at different steps.
    const probs = (seq: readonly number[]) => {
      const h = seq.reduce((acc, t) => (acc * 31 + t + 7) % 1009, 11);
      const w = [1 + (h % 7), 1 + ((h >> 1) % 5), 1 + ((h >> 3) % 4), h % 3 === 0 ? 4 : 0.5];
      const z = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / z);
    };
    const jobs = [
      { promptIds: [0], tracker: tracker(3) },
      { promptIds: [1, 2], tracker: tracker(7, ['ba']) },
      { promptIds: [2], tracker: tracker(5) },
    ];
    const rowsPerStep = (d: ToyDecoder, log: number[]) => {
      const step = d.step.bind(d);
      d.step = async (cache, tokens) => {
        log.push(cache.length);
        return step(cache, tokens);
      };
    };
    const alone: Candidate[][] = [];
    const aloneRows: number[][] = [];
    for (const job of jobs) {
      const d = new ToyDecoder(probs);
      const log: number[] = [];
      rowsPerStep(d, log);
      alone.push(await beamSearch(d, job.promptIds, job.tracker, { width: 4, n: 4 }));
      aloneRows.push(log);
    }
    const d = new ToyDecoder(probs);
    const batchRows: number[] = [];
    rowsPerStep(d, batchRows);
    const together = await beamSearchBatch(d, jobs, { width: 4, n: 4 });
    assert.deepEqual(together, alone);
    assert.ok(new Set(aloneRows.map((r) => r.length)).size > 1, 'precondition: the searches end at different steps');
    // Each step runs the beams of every unfinished prompt; a finished prompt leaves the batch.
    const longest = Math.max(...aloneRows.map((r) => r.length));
    assert.deepEqual(
      batchRows,
      Array.from({ length: longest }, (_, k) => aloneRows.reduce((sum, r) => sum + (r[k] ?? 0), 0)),
    );
    assert.deepEqual(await beamSearchBatch(d, [], { width: 4, n: 4 }), []);
  });

  it('stops between steps once the signal is aborted', async () => {
    const decoder = new ToyDecoder(() => [0.4, 0.3, 0.29, 0.01]);
    const controller = new AbortController();
    decoder.onStep = () => {
      if (decoder.steps === 3) controller.abort();
    };
    await assert.rejects(
      beamSearch(decoder, [0], tracker(50), { width: 3, n: 3, signal: controller.signal }),
      (err: Error) => err.name === 'AbortError',
    );
    assert.equal(decoder.steps, 3, 'no decoding step after the abort');
  });

  it('rejects before any work when the signal is already aborted', async () => {
    const decoder = new ToyDecoder(() => [0.25, 0.25, 0.25, 0.25]);
    await assert.rejects(
      sample(decoder, [0], tracker(5), { n: 2, temperature: 1, seed: 1, signal: AbortSignal.abort() }),
      (err: Error) => err.name === 'AbortError',
    );
    assert.equal(decoder.steps, 0);
  });
});

describe('sampling (toy decoder)', () => {
  const uniform = () => [0.3, 0.3, 0.3, 0.1];

  it('is reproducible with a seed and varies with it', async () => {
    const run = (seed: number) => sample(new ToyDecoder(uniform), [0], tracker(6), { n: 8, temperature: 1, seed });
    assert.deepEqual(await run(7), await run(7));
    assert.notDeepEqual(
      (await run(7)).map((c) => c.text),
      (await run(8)).map((c) => c.text),
    );
  });

  it('draws tokens with the frequencies of softmax(logits / temperature)', async () => {
    // One token per sample; at temperature 2 the weights 0.6 / 0.3 / 0.1 become sqrt-proportional.
    const probs = () => [0.6, 0.3, 0.1 - 1e-9, 1e-9];
    const counts = [0, 0, 0];
    for (let seed = 0; seed < 400; seed++) {
      const [c] = await sample(new ToyDecoder(probs), [0], tracker(1), { n: 1, temperature: 2, seed });
      counts[c!.tokenIds[0]!]! += 1;
    }
    const w = [0.6, 0.3, 0.1].map(Math.sqrt);
    const z = w.reduce((a, b) => a + b, 0);
    w.forEach((x, i) => {
      const expected = (400 * x) / z;
      assert.ok(Math.abs(counts[i]! - expected) < 5 * Math.sqrt(expected), `token ${i}: ${counts[i]} vs ${expected}`);
    });
  });
});

// Generation with the real ONNX runtime on the tiny model, checked against the independent reference forward:
// greedy parity, beam-search scores, stop strings, EOS, length limits, sampling and cancellation.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalGenerator } from '../../../model/src/localGenerator';
import type { Candidate } from '../../../model/src/types';
import { copyOfTinyModel, testSessionOptions, tinyModelDir, tinyWeights } from '../../../model/testing/fixture';
import { logSoftmax, referenceGreedy, referenceLogits } from '../../../model/testing/referenceForward';

const prompt = 'Tactic state:\n---\nn : ℕ\n⊢ n + 0 = n\n---\nNext tactic:\n---';

/** Per-token log-probabilities of `generated` after `promptIds` by the reference forward (one full pass). */
function referenceTokenLogprobs(promptIds: number[], generated: number[]): number[] {
  const all = referenceLogits(tinyWeights(), [...promptIds, ...generated]);
  return generated.map((t, i) => logSoftmax(all[promptIds.length - 1 + i]!)[t]!);
}

function assertClose(actual: number, expected: number, eps: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} vs ${expected}`);
}

/** Loads a copy of the tiny model whose config.json has been changed by `edit`. */
async function withConfig(edit: (config: Record<string, unknown>) => void): Promise<[LocalGenerator, () => void]> {
  const copy = copyOfTinyModel();
  const file = join(copy.dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  edit(config);
  writeFileSync(file, JSON.stringify(config));
  const gen = await LocalGenerator.load(copy.dir, testSessionOptions);
  return [
    gen,
    () => {
      void gen.release();
      copy.cleanup();
    },
  ];
}

describe('generation on the tiny model', () => {
  let gen: LocalGenerator;
  let promptIds: number[];
  before(async () => {
    gen = await LocalGenerator.load(tinyModelDir, testSessionOptions);
    promptIds = gen.model.tokenizer.encode(prompt);
  });
  after(async () => {
    await gen.release();
  });

  it('greedy decoding (beam width 1) equals the reference forward token for token', async () => {
    const steps = 32;
    const ref = referenceGreedy(tinyWeights(), promptIds, steps);
    // Parity is meaningful only if no step is a near-tie that float32 rounding could flip.
    assert.ok(Math.min(...ref.margins) > 1e-3, `smallest top-2 margin ${Math.min(...ref.margins)}`);
    const [c] = await gen.generate(prompt, { n: 1, beamWidth: 1, maxNewTokens: steps });
    assert.deepEqual(c!.tokenIds, ref.ids);
    c!.tokenLogprobs.forEach((lp, i) => {
      assertClose(lp, ref.logprobs[i]!, 1e-4, `log-prob of token ${i}`);
    });
    assert.equal(c!.finishReason, 'length');
    assert.equal(c!.text, gen.model.tokenizer.completionText(promptIds).decode(ref.ids));
  });

  it('beam search returns n distinct candidates whose scores are sums of their token log-probs', async () => {
    const n = 6;
    const candidates = await gen.generate(prompt, { n, beamWidth: 8, maxNewTokens: 12 });
    assert.equal(candidates.length, n);
    assert.equal(new Set(candidates.map((c) => c.text)).size, n, 'texts are distinct');
    for (const [i, c] of candidates.entries()) {
      const ref = referenceTokenLogprobs(promptIds, c.tokenIds);
      const refSum = ref.reduce((a, b) => a + b, 0);
      assertClose(c.logprob, refSum, 1e-3, `candidate ${i} logprob vs reference`);
      assertClose(
        c.logprob,
        c.tokenLogprobs.reduce((a, b) => a + b, 0),
        1e-9,
        `candidate ${i} sum`,
      );
      assertClose(c.meanLogprob, c.logprob / c.tokenIds.length, 1e-12, `candidate ${i} mean`);
      ref.forEach((lp, j) => {
        assertClose(c.tokenLogprobs[j]!, lp, 1e-4, `candidate ${i} token ${j}`);
      });
      if (i > 0) assert.ok(candidates[i - 1]!.meanLogprob >= c.meanLogprob, 'sorted best first');
    }
  });

  it('beam search ranks at least as well as greedy on the same budget', async () => {
    const [greedy] = await gen.generate(prompt, { n: 1, beamWidth: 1, maxNewTokens: 10 });
    const [best] = await gen.generate(prompt, { n: 1, beamWidth: 8, maxNewTokens: 10 });
    assert.ok(best!.meanLogprob >= greedy!.meanLogprob - 1e-9, `${best!.meanLogprob} < ${greedy!.meanLogprob}`);
  });

  it('maxNewTokens 1 returns the most likely first tokens of the reference, best first', async () => {
    const candidates = await gen.generate(prompt, { n: 4, maxNewTokens: 1 });
    const first = logSoftmax(referenceLogits(tinyWeights(), promptIds).at(-1)!);
    const ranked = [...first.keys()].sort((a, b) => first[b]! - first[a]!);
    assert.equal(candidates[0]!.tokenIds[0], ranked[0]);
    for (const c of candidates) {
      assert.equal(c.tokenIds.length, 1);
      assert.ok(ranked.slice(0, 4).includes(c.tokenIds[0]!));
      assertClose(c.logprob, first[c.tokenIds[0]!]!, 1e-4, 'first-token log-prob');
    }
  });

  it('never exceeds maxNewTokens', async () => {
    for (const c of await gen.generate(prompt, { n: 4, maxNewTokens: 7 })) {
      assert.ok(c.tokenIds.length <= 7);
      if (c.finishReason === 'length') assert.equal(c.tokenIds.length, 7);
    }
  });

  it('ends at a stop string: text cut before it, the completing token kept', async () => {
    const [free] = await gen.generate(prompt, { n: 1, beamWidth: 1, maxNewTokens: 32 });
    const decode = (ids: number[]) => gen.model.tokenizer.completionText(promptIds).decode(ids);
    // A stop string the model really produces: two ASCII characters from the middle of its greedy output.
    const full = decode(free!.tokenIds);
    let at = -1;
    for (let i = 8; at < 0 && i + 2 <= full.length; i++) if (/^[!-~]{2}$/.test(full.slice(i, i + 2))) at = i;
    assert.ok(at > 0, `no ASCII pair in ${JSON.stringify(full)}`);
    const stop = full.slice(at, at + 2);
    const completing = free!.tokenIds.findIndex((_, k) => decode(free!.tokenIds.slice(0, k + 1)).includes(stop));
    const [c] = await gen.generate(prompt, { n: 1, beamWidth: 1, maxNewTokens: 32, stop: ['@@@never', stop] });
    assert.equal(c!.finishReason, 'stop');
    assert.equal(c!.text, full.slice(0, full.indexOf(stop)));
    assert.deepEqual(c!.tokenIds, free!.tokenIds.slice(0, completing + 1));
  });

  it('ends at the EOS token of config.json, which counts in the score but not in the text', async () => {
    const [free] = await gen.generate(prompt, { n: 1, beamWidth: 1, maxNewTokens: 12 });
    const eos = free!.tokenIds[5]!;
    const firstUse = free!.tokenIds.indexOf(eos);
    const [eosGen, cleanup] = await withConfig((c) => {
      c['eos_token_id'] = [2, eos];
    });
    try {
      const [c] = await eosGen.generate(prompt, { n: 1, beamWidth: 1, maxNewTokens: 12 });
      assert.equal(c!.finishReason, 'eos');
      assert.deepEqual(c!.tokenIds, free!.tokenIds.slice(0, firstUse + 1));
      assert.equal(c!.text, gen.model.tokenizer.completionText(promptIds).decode(free!.tokenIds.slice(0, firstUse)));
    } finally {
      cleanup();
    }
  });

  it('stops at the context length and refuses a prompt that fills it', async () => {
    const [small, cleanup] = await withConfig((c) => {
      (c['llemma'] as Record<string, unknown>)['context_length'] = promptIds.length + 5;
    });
    try {
      const candidates = await small.generate(prompt, { n: 2, maxNewTokens: 50 });
      for (const c of candidates) assert.ok(c.tokenIds.length <= 5);
      await assert.rejects(small.generate(`${prompt}${prompt}`, { n: 1 }), RangeError);
    } finally {
      cleanup();
    }
  });

  it('samples reproducibly with a seed, scoring tokens with the model log-probs', async () => {
    const opts = { n: 5, temperature: 1.5, maxNewTokens: 8, seed: 42 };
    const a = await gen.generate(prompt, opts);
    const b = await gen.generate(prompt, opts);
    assert.deepEqual(a, b);
    const other = await gen.generate(prompt, { ...opts, seed: 43 });
    assert.notDeepEqual(
      other.map((c) => c.tokenIds),
      a.map((c) => c.tokenIds),
    );
    assert.equal(new Set(a.map((c) => c.text)).size, a.length);
    for (const c of a) {
      referenceTokenLogprobs(promptIds, c.tokenIds).forEach((lp, j) => {
        assertClose(c.tokenLogprobs[j]!, lp, 1e-4, `sampled token ${j}`);
      });
    }
  });

  it('generateBatch: prompts of different lengths (left-padded) get the candidates generate gives each alone', async () => {
    const prompts = [prompt, 'Tactic state:\n---\na b : ℕ\n⊢ a + b = b + a\n---\nNext tactic:\n---', '⊢ True'];
    const lengths = prompts.map((p) => gen.model.tokenizer.encode(p).length);
    assert.equal(new Set(lengths).size, 3, 'precondition: three prompt lengths');
    const opts = { n: 4, beamWidth: 6, maxNewTokens: 10 };
    const together = await gen.generateBatch(prompts, opts);
    assert.equal(together.length, 3);
    for (const [i, p] of prompts.entries()) {
      const alone = await gen.generate(p, opts);
      assert.deepEqual(
        together[i]!.map((c) => [c.text, c.tokenIds, c.finishReason]),
        alone.map((c) => [c.text, c.tokenIds, c.finishReason]),
        `prompt ${i}`,
      );
      together[i]!.forEach((c, k) => {
        assertClose(c.logprob, alone[k]!.logprob, 1e-4, `prompt ${i} candidate ${k}`);
        // and against the reference forward of that prompt alone
        const ids = gen.model.tokenizer.encode(p);
        const ref = referenceTokenLogprobs(ids, c.tokenIds).reduce((a, b) => a + b, 0);
        assertClose(c.logprob, ref, 1e-4, `prompt ${i} candidate ${k} vs reference`);
      });
    }
    const sampled = await gen.generateBatch(prompts.slice(0, 2), { n: 2, temperature: 1, seed: 5, maxNewTokens: 6 });
    assert.deepEqual(sampled[1], await gen.generate(prompts[1]!, { n: 2, temperature: 1, seed: 5, maxNewTokens: 6 }));
    await assert.rejects(
      gen.generateBatch([prompt, 'x'.repeat(5000)], opts),
      (err: Error) => err instanceof RangeError && /context length/.test(err.message),
    );
  });

  it('finishedBeamCandidates returns the whole finished pool, of which generate returns the best n', async () => {
    const opts = { n: 3, beamWidth: 6, maxNewTokens: 8, stop: ['e'] };
    const all = await gen.finishedBeamCandidates(prompt, opts);
    const best = await gen.generate(prompt, opts);
    assert.ok(all.length > best.length, `${all.length} finished, ${best.length} returned`);
    assert.deepEqual(all.slice(0, best.length), best);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.meanLogprob >= all[i]!.meanLogprob);
  });

  it('rejects with AbortError when cancelled between steps, and stays usable', async () => {
    const controller = new AbortController();
    let steps = 0;
    const decoder = gen.model.decoder;
    const counting = new LocalGenerator({
      ...gen.model,
      decoder: {
        vocabSize: decoder.vocabSize,
        prefill: (p) => decoder.prefill(p),
        selectRows: (c, r) => decoder.selectRows(c, r),
        step: (c, t) => {
          if (++steps === 4) controller.abort();
          return decoder.step(c, t);
        },
      },
    });
    await assert.rejects(
      counting.generate(prompt, { n: 4, maxNewTokens: 100, signal: controller.signal }),
      (err: Error) => err.name === 'AbortError',
    );
    assert.equal(steps, 4);
    const after: Candidate[] = await gen.generate(prompt, { n: 1, maxNewTokens: 3 });
    assert.equal(after.length, 1);
  });

  it('validates options', async () => {
    await assert.rejects(gen.generate(prompt, { n: 4, beamWidth: 2 }), /beamWidth must be an integer >= n/);
    await assert.rejects(gen.generate(prompt, { n: 0 }), /n must be a positive integer/);
    await assert.rejects(gen.generate(prompt, { n: 1, temperature: -1 }), /temperature must be >= 0/);
    await assert.rejects(gen.generate(prompt, { n: 1, stop: [''] }), /stop strings must not be empty/);
  });
});

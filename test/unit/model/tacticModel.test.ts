// TacticModel: a model as a tactic source. The prompt is the model's own format, the completions are read back with it
// (trimmed, deduplicated, ranked), and the model's description is made here. A recording text generator stands in for
// the model; the fixed tactic table for tests keeps the same contract.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GeneratorInfo } from '../../../model/src/generatorFactory';
import { getPromptFormat } from '../../../model/src/prompts';
import { type DescribedGenerator, describeModel, TacticModel } from '../../../model/src/tacticModel';
import type { Candidate, GenerateOptions, ModelInfo } from '../../../model/src/types';
import { FixedTactics } from '../../../model/testing/fixedTactics';

const local: ModelInfo = {
  folder: '/models/m',
  provider: 'cpu',
  skippedProviders: ['cuda: not installed'],
  promptFormat: 'proof-prefix',
  contextLength: 2048,
  vocabSize: 100,
  generationGraph: { used: false, reason: 'generation graph off' },
};

const completion = (text: string, meanLogprob: number): Candidate => ({
  text,
  logprob: meanLogprob * 2,
  meanLogprob,
  tokenIds: [1, 2],
  tokenLogprobs: [meanLogprob, meanLogprob],
  finishReason: 'stop',
});

/** A generator that answers with fixed completions and records what it was asked. */
function recording(info: GeneratorInfo, completions: Candidate[]) {
  const asked: { prompt: string; opts: GenerateOptions }[] = [];
  let infos = 0;
  let disposed = false;
  const generator: DescribedGenerator = {
    generate: async (prompt, opts) => {
      asked.push({ prompt, opts });
      return completions;
    },
    info: async () => {
      infos++;
      return info;
    },
    dispose: async () => {
      disposed = true;
    },
  };
  return { generator, asked, infos: () => infos, disposed: () => disposed };
}

describe('TacticModel', () => {
  const context = { goals: ['n : ℕ\n⊢ n + 0 = n'], theorem: 'theorem t (n : ℕ) : n + 0 = n', tactics: ['intro'] };
  const budget = { candidates: 4, beamWidth: 8, maxNewTokens: 64 };

  it("renders the model's own prompt format and generates with its stop strings and the budget", async () => {
    const r = recording(local, [completion(' simp\n', -0.1)]);
    await new TacticModel(r.generator).proposeTactics(context, budget);
    const format = getPromptFormat('proof-prefix');
    assert.equal(r.asked.length, 1);
    assert.equal(r.asked[0]?.prompt, format.render(context));
    assert.deepEqual(r.asked[0]?.opts, { n: 4, beamWidth: 8, temperature: 0, maxNewTokens: 64, stop: format.stop });
  });

  it('renders a state from Isabelle in the Isabelle format, whatever format the model names', async () => {
    const r = recording(local, [completion(' by blast\n', -0.1)]);
    const isabelle = { prover: 'isabelle' as const, goals: ['goal (1 subgoal):\n 1. P'], theorem: 'lemma p: "P"' };
    const out = await new TacticModel(r.generator).proposeTactics(isabelle, budget);
    assert.match(r.asked[0]?.prompt ?? '', /^Complete the Isabelle proof with its next step\./);
    assert.ok(r.asked[0]?.prompt.includes('goal (1 subgoal):\n 1. P'));
    assert.deepEqual(
      out.map((c) => c.tactic),
      ['by blast'],
    );
  });

  it('reads tactics out of the completions: trimmed, deduplicated, ranked best first', async () => {
    const r = recording(local, [completion(' simp\n', -0.1), completion('simp', -0.2), completion('\nring_nf ', -0.3)]);
    const tactics = await new TacticModel(r.generator).proposeTactics(context, budget);
    assert.deepEqual(tactics, [
      {
        tactic: 'simp',
        score: -0.1,
        rank: 0,
        source: 'model',
        meanLogprob: -0.1,
        logprob: -0.2,
        tokens: 2,
        finishReason: 'stop',
      },
      {
        tactic: 'ring_nf',
        score: -0.3,
        rank: 1,
        source: 'model',
        meanLogprob: -0.3,
        logprob: -0.6,
        tokens: 2,
        finishReason: 'stop',
      },
    ]);
  });

  it('asks the model what it is once, and describes it for the user', async () => {
    const r = recording(local, []);
    const model = new TacticModel(r.generator);
    await model.proposeTactics(context, budget);
    await model.proposeTactics(context, budget);
    assert.deepEqual(await model.describe(), {
      source: '/models/m',
      provider: 'cpu',
      skippedProviders: ['cuda: not installed'],
      promptFormat: 'proof-prefix',
    });
    assert.equal(r.infos(), 1);
    await model.dispose();
    assert.equal(r.disposed(), true);
  });

  it('describes a model server by its URL and model name, on http', () => {
    const server: GeneratorInfo = {
      backend: 'openai',
      url: 'http://127.0.0.1:8000/v1',
      model: 'llemma_7b',
      servedModels: ['llemma_7b'],
      serverKind: 'vllm',
      promptFormat: 'llemma-fewshot',
      contextLength: null,
      beamSearch: 'vllm',
      decoding: 'beam search',
      notes: [],
    };
    assert.deepEqual(describeModel(server), {
      source: 'http://127.0.0.1:8000/v1 (llemma_7b)',
      provider: 'http',
      promptFormat: 'llemma-fewshot',
    });
    assert.deepEqual(describeModel({ ...local, generationGraph: { used: true, reason: 'in one run' } }), {
      source: '/models/m',
      provider: 'cpu',
      skippedProviders: ['cuda: not installed'],
      generationGraph: 'in one run',
      promptFormat: 'proof-prefix',
    });
  });
});

describe('FixedTactics (the fixed generator for tests)', () => {
  it('proposes its table for the goals, best first, at most the budget', async () => {
    const fixed = new FixedTactics({
      '⊢ a\n\n⊢ b': [
        ['simp', -0.5],
        ['constructor', -0.1],
        ['rfl', -0.9],
      ],
    });
    const tactics = await fixed.proposeTactics(
      { goals: ['⊢ a', '⊢ b'] },
      { candidates: 2, beamWidth: 2, maxNewTokens: 8 },
    );
    assert.deepEqual(tactics, [
      { tactic: 'constructor', score: -0.1, rank: 0, source: 'model', meanLogprob: -0.1 },
      { tactic: 'simp', score: -0.5, rank: 1, source: 'model', meanLogprob: -0.5 },
    ]);
    assert.deepEqual(
      await fixed.proposeTactics({ goals: ['⊢ c'] }, { candidates: 2, beamWidth: 2, maxNewTokens: 8 }),
      [],
    );
    assert.equal(fixed.calls.length, 2);
    assert.equal((await fixed.describe()).provider, 'fixed');
  });
});

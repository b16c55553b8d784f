// The merged candidate generator: sources' candidates on one calibrated scale, de-duplicated after whitespace
// normalisation with every source kept, ranked, cut at the budget and followed by the procedures left over; the
// tables of sources.json read and refused; the parts asked at once, a model whose prompt does not fit giving none.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { combine, mergeCandidates, tacticKey } from '../../../model/src/mergeCandidates';
import { MergedTacticSource } from '../../../model/src/mergedTacticSource';
import { autoTacticSources, readTacticSources, tacticSourceNames } from '../../../model/src/modelChoices';
import { ProcedureSource } from '../../../model/src/procedures';
import { buildRetrievalIndex } from '../../../model/src/retrieval/buildIndex';
import { FileSource } from '../../../model/src/retrieval/fileSource';
import { encodeRetrievalIndex, retrievalFileName } from '../../../model/src/retrieval/indexFile';
import { LazyRetrieval } from '../../../model/src/retrieval/loadRetrieval';
import { defaultRetrievalParams } from '../../../model/src/retrieval/retrievalIndex';
import { RetrievalSource } from '../../../model/src/retrieval/retrievalSource';
import {
  defaultSourceTables,
  modelScore,
  parseSourceTables,
  readSourceTables,
  type SourceTables,
  SourceTablesError,
  sourceTablesFileName,
} from '../../../model/src/sourceTables';
import type { ProposedTactic, TacticSource } from '../../../model/src/tacticSource';

const t = (tactic: string, score: number, source: ProposedTactic['source'], rank = 0): ProposedTactic => ({
  tactic,
  score,
  rank,
  source,
});

const tables: SourceTables = {
  formatVersion: 1,
  procedures: [
    { tactic: 'simp', logProbability: { first: -4, later: -3 } },
    { tactic: 'omega', logProbability: { first: -6, later: -7 } },
    { tactic: 'decide', logProbability: { first: -8, later: -8 } },
  ],
  model: { rankEdges: [0, 3, 31], logProbabilities: { first: [-2.5, -5, -9], later: [-3, -6, -9] } },
  file: { rankEdges: [0, 7], logProbabilities: { first: [-1.5, -4], later: [-3.5, -6] } },
  merge: 'max',
  provenance: {},
};

describe('the source names', () => {
  it('reads `auto`, nothing or a list, in the order of the names, unknown names apart', () => {
    assert.equal(readTacticSources('auto').sources, 'auto');
    assert.equal(readTacticSources('').sources, 'auto');
    assert.deepEqual(readTacticSources('procedures, retrieval'), { sources: ['retrieval', 'procedures'], unknown: [] });
    assert.deepEqual(readTacticSources('model,oracle').unknown, ['oracle']);
  });

  it('resolves `auto`: every source for a model the user names, the embedded one without its neural model', () => {
    assert.deepEqual(autoTacticSources(false), [...tacticSourceNames]);
    assert.deepEqual(autoTacticSources(true), ['retrieval', 'file', 'procedures']);
  });
});

describe('mergeCandidates', () => {
  it('merges texts that differ in spaces, keeps the best score and every source, best first', () => {
    const merged = mergeCandidates(
      [
        { source: 'retrieval', tactics: [t('simp  [h]', -3, 'retrieval'), t('ring', -5, 'retrieval', 1)] },
        { source: 'model', tactics: [t('simp [h]', -2, 'model'), t('linarith', -6, 'model', 1)] },
      ],
      8,
      'max',
    );
    assert.deepEqual(
      merged.map((m) => [m.tactic, m.score, m.source, m.sources, m.rank]),
      [
        ['simp [h]', -2, 'model', ['model', 'retrieval'], 0],
        ['ring', -5, 'retrieval', undefined, 1],
        ['linarith', -6, 'model', undefined, 2],
      ],
    );
    assert.equal(tacticKey('  simp \n [h] '), 'simp [h]');
  });

  it('cuts at the budget, then appends the procedures that did not rank within it', () => {
    const merged = mergeCandidates(
      [
        {
          source: 'retrieval',
          tactics: [t('a', -1, 'retrieval'), t('b', -2, 'retrieval', 1), t('c', -3, 'retrieval', 2)],
        },
        { source: 'procedures', tactics: [t('simp', -2.5, 'procedures'), t('omega', -9, 'procedures', 1)] },
      ],
      3,
      'max',
    );
    assert.deepEqual(
      merged.map((m) => m.tactic),
      ['a', 'b', 'simp', 'omega'],
    );
    assert.deepEqual(
      merged.map((m) => m.rank),
      [0, 1, 2, 3],
    );
  });

  it("breaks ties by each source's own order, then by the order of the sources", () => {
    const merged = mergeCandidates(
      [
        { source: 'procedures', tactics: [t('rfl', -4, 'procedures')] },
        { source: 'model', tactics: [t('b', -4, 'model'), t('a', -4, 'model', 1)] },
        { source: 'retrieval', tactics: [t('z', -4, 'retrieval')] },
      ],
      8,
      'max',
    );
    assert.deepEqual(
      merged.map((m) => m.tactic),
      ['z', 'b', 'rfl', 'a'],
    );
  });

  it('combines agreeing sources as independent evidence with noisyOr', () => {
    assert.equal(combine([-1, -3], 'max'), -1);
    const p = 1 - (1 - Math.exp(-1)) * (1 - Math.exp(-3));
    assert.ok(Math.abs(combine([-1, -3], 'noisyOr') - Math.log(p)) < 1e-12);
    assert.equal(combine([-2], 'noisyOr'), -2);
  });
});

describe('sources.json', () => {
  it('reads a table, by rank and step', () => {
    const parsed = parseSourceTables(JSON.stringify(tables), 'sources.json');
    assert.deepEqual(parsed, tables);
    assert.equal(modelScore(parsed.model, 0, 'first'), -2.5);
    assert.equal(modelScore(parsed.model, 2, 'later'), -6);
    assert.equal(modelScore(parsed.model, 40, 'first'), -9);
  });

  it('refuses what the runtime would misread, naming the file and the problem', () => {
    const bad = [
      [{ ...tables, formatVersion: 2 }, /formatVersion must be 1/],
      [{ ...tables, procedures: [{ tactic: 'simp', logProbability: { first: 0.5, later: -1 } }] }, /log-probability/],
      [{ ...tables, procedures: [...tables.procedures, tables.procedures[0]] }, /simp is listed twice/],
      [{ ...tables, model: { ...tables.model, rankEdges: [3, 1, 31] } }, /ascending/],
      [
        { ...tables, model: { ...tables.model, logProbabilities: { first: [-1], later: [-1] } } },
        /model.logProbabilities/,
      ],
      [{ ...tables, merge: 'mean' }, /merge must be one of max, noisyOr/],
      [{ ...tables, file: { ...tables.file, rankEdges: [] } }, /file.rankEdges/],
    ] as const;
    for (const [value, message] of bad) {
      assert.throws(
        () => parseSourceTables(JSON.stringify(value), '/m/sources.json'),
        (e: Error) =>
          e instanceof SourceTablesError && message.test(e.message) && e.message.startsWith('/m/sources.json'),
      );
    }
    assert.throws(() => parseSourceTables('{', 'f'), /not JSON/);
  });

  it('falls back to the default tables where a folder has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llemma-sources-'));
    try {
      assert.deepEqual(await readSourceTables(dir), { tables: defaultSourceTables, from: 'default' });
      writeFileSync(join(dir, sourceTablesFileName), JSON.stringify({ ...tables, model: undefined, file: undefined }));
      const read = await readSourceTables(dir);
      assert.equal(read.from, join(dir, sourceTablesFileName));
      assert.deepEqual(read.tables.model, defaultSourceTables.model);
      assert.deepEqual(read.tables.file, defaultSourceTables.file);
      assert.deepEqual(read.tables.procedures, tables.procedures);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A source that answers after `ms`, recording when it was asked. */
function slowSource(
  tactics: ProposedTactic[],
  ms: number,
  log: string[],
  name: string,
): TacticSource & { dispose(): Promise<void> } {
  return {
    proposeTactics: async () => {
      log.push(`${name} asked`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name} answered`);
      return tactics;
    },
    describe: async () => ({ source: '/models/m', provider: 'cpu', promptFormat: 'proof-prefix' }),
    dispose: async () => {},
  };
}

describe('MergedTacticSource', () => {
  const budget = { candidates: 3, beamWidth: 3, maxNewTokens: 16 };
  const retrievalOf = (tactics: ProposedTactic[], log: string[]) => ({
    proposeTactics: async () => {
      log.push('retrieval asked');
      return tactics;
    },
    describe: async () => ({ source: 'r', provider: 'cpu', promptFormat: 'none' }),
  });

  it('asks every part at once, recalibrates the model by rank and step, and merges', async () => {
    const log: string[] = [];
    const merged = new MergedTacticSource({
      model: slowSource(
        [
          { ...t('linarith', -0.1, 'model'), meanLogprob: -0.1 },
          { ...t('simp', -0.2, 'model', 1), meanLogprob: -0.2 },
        ],
        30,
        log,
        'model',
      ),
      retrieval: retrievalOf([t('positivity', -3, 'retrieval'), t('simp', -3.5, 'retrieval', 1)], log),
      procedures: new ProcedureSource(async () => tables.procedures),
      tables: async () => tables,
      origin: '/models/m',
    });
    const out = await merged.proposeTactics({ goals: ['x : ℝ\n⊢ 0 < x ^ 2'], tactics: [] }, budget);
    // Retrieval was asked while the model was still generating.
    assert.deepEqual(log.slice(0, 2), ['model asked', 'retrieval asked']);
    assert.deepEqual(
      out.map((c) => [c.tactic, c.score, c.sources ?? [c.source]]),
      [
        ['linarith', -2.5, ['model']],
        ['positivity', -3, ['retrieval']],
        ['simp', -3.5, ['retrieval', 'procedures', 'model']],
        ['omega', -6, ['procedures']],
        ['decide', -8, ['procedures']],
      ],
    );
    assert.equal(out[0]?.meanLogprob, -0.1);
    const described = await merged.describe();
    assert.deepEqual(described.sources, ['retrieval', 'model', 'procedures']);
    assert.equal(described.promptFormat, 'proof-prefix');
  });

  it('gives a state from Isabelle to the model alone: retrieval, the procedures and the tables are Lean’s', async () => {
    const log: string[] = [];
    const parts = {
      retrieval: retrievalOf([t('positivity', -3, 'retrieval')], log),
      procedures: new ProcedureSource(async () => tables.procedures),
      tables: async () => tables,
      origin: '/models/m',
    };
    const model = slowSource([{ ...t('by blast', -0.4, 'model'), meanLogprob: -0.4 }], 1, log, 'model');
    const isabelle = { prover: 'isabelle' as const, goals: ['goal (1 subgoal):\n 1. P'] };
    const out = await new MergedTacticSource({ ...parts, model }).proposeTactics(isabelle, budget);
    assert.deepEqual(
      out.map((c) => [c.tactic, c.score, c.source]),
      [['by blast', -0.4, 'model']],
    );
    assert.deepEqual(log, ['model asked', 'model answered']);
    assert.deepEqual(await new MergedTacticSource(parts).proposeTactics(isabelle, budget), []);
  });

  it('answers without the model when its prompt does not fit its context', async () => {
    const merged = new MergedTacticSource({
      model: {
        proposeTactics: async () => {
          throw new RangeError("the prompt has 632 tokens; the model's context length is 512");
        },
        describe: async () => ({ source: 'm', provider: 'cpu', promptFormat: 'proof-prefix' }),
        dispose: async () => {},
      },
      procedures: new ProcedureSource(async () => tables.procedures),
      tables: async () => tables,
      origin: 'm',
    });
    const out = await merged.proposeTactics({ goals: ['⊢ True'], tactics: ['intro'] }, budget);
    assert.deepEqual(
      out.map((c) => c.tactic),
      ['simp', 'omega', 'decide'],
    );
  });

  it('from a folder: retrieval from its retrieval.bin (none without one), tables from its sources.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llemma-merged-'));
    try {
      const bare = MergedTacticSource.fromSpec(dir, { sources: ['retrieval', 'procedures'] });
      const described = await bare.describe();
      assert.deepEqual(described.sources, ['procedures']);
      assert.deepEqual(described.skippedSources, ['retrieval: the model folder has no retrieval.bin']);
      assert.equal(described.provider, 'none');

      const index = buildRetrievalIndex(
        [
          { goal: 'n : ℕ\n⊢ n + 0 = n', tactic: 'simp', step: 'first' },
          { goal: 'a b : ℕ\n⊢ a * b = b * a', tactic: 'ring', step: 'first' },
        ],
        defaultRetrievalParams,
      );
      writeFileSync(join(dir, retrievalFileName), encodeRetrievalIndex(index.tables, {}));
      writeFileSync(join(dir, sourceTablesFileName), JSON.stringify(tables));
      const source = MergedTacticSource.fromSpec(dir, { sources: ['retrieval', 'procedures'] });
      assert.deepEqual((await source.describe()).sources, ['retrieval', 'procedures']);
      const out = await source.proposeTactics(
        { goals: ['m : ℕ\n⊢ m + 0 = m'], tactics: [] },
        { ...budget, candidates: 1 },
      );
      assert.deepEqual(
        out.map((c) => [c.tactic, c.sources ?? [c.source]]),
        [
          ['simp', ['retrieval', 'procedures']],
          ['omega', ['procedures']],
          ['decide', ['procedures']],
        ],
      );
      const direct = await new RetrievalSource(new LazyRetrieval(dir)).proposeTactics(
        { goals: ['m : ℕ\n⊢ m + 0 = m'] },
        budget,
      );
      assert.equal(direct[0]?.source, 'retrieval');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the file source', () => {
  const above = [
    { goal: 'x y : ℝ\nhx : 0 < x\n⊢ 0 < x * y ^ 2 + x', tactic: 'positivity', step: 'first' as const },
    { goal: 's t : Set α\n⊢ s ∩ t ⊆ s', tactic: 'intro a ha\nexact ha.1', step: 'first' as const },
    { goal: 'f : ℕ → ℕ\nhf : ∀ n, f n = n\n⊢ f 3 = 3', tactic: 'simp [hf]', step: 'first' as const },
  ];
  const budget = { candidates: 8, beamWidth: 8, maxNewTokens: 16 };

  it("proposes the tactics of the file's most similar goals, renamed to the query, scored by rank from the file table", async () => {
    const file = new FileSource(async () => tables.file);
    const out = await file.proposeTactics(
      { goals: ['g : ℕ → ℕ\nhg : ∀ n, g n = n\n⊢ g 5 = 5'], tactics: [], fileExamples: above },
      budget,
    );
    assert.deepEqual(out[0], { tactic: 'simp [hg]', score: -1.5, rank: 0, source: 'file' });
    assert.ok(out.slice(1).every((c) => c.score === -4 && c.source === 'file'));
    // A later step is scored with the later column.
    const later = await file.proposeTactics(
      { goals: ['g : ℕ → ℕ\nhg : ∀ n, g n = n\n⊢ g 5 = 5'], tactics: ['intro'], fileExamples: above },
      budget,
    );
    assert.equal(later[0]?.score, -3.5);
  });

  it('answers nothing without pairs above the proof, or without a goal', async () => {
    const file = new FileSource(async () => tables.file);
    assert.deepEqual(await file.proposeTactics({ goals: ['⊢ True'] }, budget), []);
    assert.deepEqual(await file.proposeTactics({ goals: ['⊢ True'], fileExamples: [] }, budget), []);
    assert.deepEqual(await file.proposeTactics({ goals: [], fileExamples: above }, budget), []);
  });

  it('is one of the merged sources: a tactic from the file outranks weaker retrieval and is tagged `file`', async () => {
    const merged = new MergedTacticSource({
      retrieval: {
        proposeTactics: async () => [t('norm_num', -5, 'retrieval')],
        describe: async () => ({ source: 'r', provider: 'cpu', promptFormat: 'none' }),
      },
      file: new FileSource(async () => tables.file),
      procedures: new ProcedureSource(async () => tables.procedures),
      tables: async () => tables,
      origin: 'm',
    });
    const out = await merged.proposeTactics(
      { goals: ['a b : ℝ\nha : 0 < a\n⊢ 0 < a * b ^ 2 + a'], tactics: [], fileExamples: above },
      { ...budget, candidates: 3 },
    );
    assert.deepEqual(
      out.slice(0, 2).map((c) => [c.tactic, c.source]),
      [
        ['positivity', 'file'],
        ['simp', 'procedures'],
      ],
    );
    assert.deepEqual((await merged.describe()).sources, ['retrieval', 'file', 'procedures']);
  });
});

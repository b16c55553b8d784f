import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { defaultSourceTables } from '@llemma/model';
import { runDataStage } from '../src/data/pipeline';
import {
  type CandidateSource,
  contextGoal,
  fileExamplesOf,
  fileSource,
  filledSource,
  frequencySource,
} from '../src/eval/candidateSources';
import { figures, paired, runSources } from '../src/eval/compare';
import type { SourcesReport } from '../src/eval/sourcesReport';
import { runEvalSourcesStage } from '../src/eval/sourcesStage';
import { type EvalStep, readSteps } from '../src/eval/steps';
import { runIndexStage } from '../src/index/stage';
import type { RunConfig } from '../src/run/config';
import { evalStep as step, tempDir } from './helpers';
import { tinyRun } from './smokeFixture';

const fixed = (name: string, lists: Record<string, string[]>): CandidateSource => ({
  name,
  description: name,
  candidates: (s, n) => (lists[s.gold] ?? []).slice(0, n),
});

describe('candidate sources', () => {
  it('keys a step whose state is unknown by the statement, the previous tactic, or both', () => {
    const s = step({ step: 2, statementGoal: 'n : ℕ\nh : 0 < n\n⊢ n ≠ 0', previous: 'intro k' });
    assert.equal(contextGoal(s, 'none'), undefined);
    assert.equal(contextGoal(s, 'statement'), 'n : ℕ\nh : 0 < n\n⊢ n ≠ 0');
    assert.equal(contextGoal(s, 'previous'), '⊢ intro k');
    assert.equal(contextGoal(s, 'statement+previous'), 'n : ℕ\nh : 0 < n\n⊢ intro k');
    assert.equal(contextGoal({ ...s, statementGoal: '⊢ True' }, 'statement+previous'), '⊢ intro k');
  });

  it('proposes first-step and later-step frequency lists, and fills one source up with another', async () => {
    const training = [
      step({ gold: 'ext' }),
      step({ gold: 'ext' }),
      step({ gold: 'simp' }),
      step({ step: 1, gold: 'rfl' }),
    ];
    const freq = frequencySource(training, 8);
    assert.deepEqual(freq.candidates(step({}), 8), ['ext', 'simp']);
    assert.deepEqual(freq.candidates(step({ step: 3 }), 8), ['rfl']);
    const filled = filledSource(fixed('a', { simp: ['simp ', 'omega'] }), freq, 'a+f');
    assert.deepEqual(await filled.candidates(step({}), 3), ['simp ', 'omega', 'ext']);
  });

  it("gives a step the goal-known pairs of its file's earlier declarations only, and the file source answers from them", async () => {
    const rows = [
      step({ theorem: 'a', line: 3, gold: 'unfold angle', goal: 'x y : V\n⊢ angle x y = angle y x' }),
      step({ theorem: 'a', line: 4, step: 1, gold: 'rw [h]', goal: null }),
      step({ theorem: 'b', line: 9, gold: 'simp', goal: 'h : p\n⊢ q', inline: true, step: 0 }),
      step({ path: 'B.lean', theorem: 'c', line: 2, gold: 'ring', goal: '⊢ x = x' }),
      step({ theorem: 'd', line: 20, gold: 'unfold angle', goal: 'u v : V\n⊢ angle (-u) (-v) = angle u v' }),
      step({ theorem: 'e', line: 30, gold: 'exact rfl', goal: '⊢ angle u u = 0' }),
    ];
    const examples = fileExamplesOf(rows);
    const d = rows[4] as EvalStep;
    assert.deepEqual(examples(d), [
      { goal: 'x y : V\n⊢ angle x y = angle y x', tactic: 'unfold angle', step: 'first' },
      { goal: 'h : p\n⊢ q', tactic: 'simp', step: 'later' },
    ]);
    assert.equal(examples(d), examples(d), 'one list per step, shared by every source asked on it');
    assert.deepEqual(examples(rows[0] as EvalStep), []);
    const file = fileSource(examples, defaultSourceTables.file);
    assert.equal((await file.candidates(d, 8))[0], 'unfold angle');
    assert.deepEqual(await file.candidates(rows[1] as EvalStep, 8), [], 'a step whose goal is unknown gets none');
  });

  it('ranks, counts and pairs sources step by step', async () => {
    const steps = [step({ gold: 'a' }), step({ gold: 'b' }), step({ gold: 'c' }), step({ gold: 'd' })];
    const one = fixed('one', { a: ['a'], b: ['x', 'b'], c: ['c'] });
    const two = fixed('two', { a: ['a'], d: ['d'] });
    const [r1, r2] = await runSources([one, two], steps);
    assert.deepEqual([...(r1?.ranks ?? [])], [0, 1, 0, -1]);
    const all = [0, 1, 2, 3];
    assert.deepEqual(figures(r1!, all).hits, { top1: 2, top8: 3, top32: 3 });
    assert.deepEqual(paired(r1!, r2!, all, 8), {
      source: 'one',
      against: 'two',
      cutoff: 8,
      sourceOnly: 2,
      againstOnly: 1,
      p: 1,
    });
  });
});

describe('eval-sources stage', () => {
  const dir = tempDir();
  let run: RunConfig;
  let report: SourcesReport;
  let heldOut: EvalStep[];
  before(async () => {
    run = tinyRun(dir, {
      evalSources: {
        sources: [],
        split: 'heldout',
        unknownGoal: 'statement+previous',
        maxSteps: 0,
        steps: 'all',
        model: true,
      },
    });
    await runDataStage(run.data);
    await runIndexStage(run);
    report = await runEvalSourcesStage(run);
    heldOut = await readSteps(path.join(run.runDir, 'tactics-heldout.jsonl'), 'proof-prefix', []);
  });

  it('reads every held-out step, with the statement goal and the previous tactic of later steps', () => {
    assert.ok(heldOut.length > 10);
    for (const s of heldOut) {
      if (s.step === 0) assert.equal(s.statementGoal, s.goal);
      else assert.ok(s.previous !== null && s.statementGoal !== null, JSON.stringify(s));
    }
  });

  it('measures every source on all held-out steps and on the first steps, and writes JSON and Markdown', () => {
    const [first, all] = report.sets;
    assert.equal(all?.steps, heldOut.length);
    assert.equal(first?.steps, heldOut.filter((s) => s.step === 0).length);
    // No model folder in this run: no model row, and no merged generator with the model beside the one without it.
    assert.deepEqual(
      all?.sources.map((s) => s.name),
      [
        'frequency',
        'retrieval',
        'retrieval+frequency',
        'file',
        'procedures',
        'retrieval+procedures',
        'retrieval+file+procedures',
      ],
    );
    assert.equal(report.model, undefined);
    assert.equal(report.ranks['retrieval']?.length, heldOut.length);
    for (const s of all?.sources ?? []) assert.ok(s.hits.top1 <= s.hits.top8 && s.hits.top8 <= s.hits.top32);
    // Filling up never loses a step that retrieval alone gets right.
    const r = report.ranks['retrieval'] ?? [];
    const f = report.ranks['retrieval+frequency'] ?? [];
    r.forEach((rank, i) => {
      if (rank >= 0) assert.equal(f[i], rank);
    });
    assert.ok(all?.paired.some((p) => p.source === 'retrieval' && p.against === 'frequency' && p.cutoff === 8));
    const md = readFileSync(path.join(run.runDir, 'eval-sources.md'), 'utf8');
    assert.match(md, /## all steps: \d+/);
    assert.match(md, /\| retrieval \| frequency \| top-8 \|/);
    assert.ok(existsSync(path.join(run.runDir, 'eval-sources.json')));
  });

  it('tunes on held-aside training files without reading the held-out split, and writes files of its own', async () => {
    // A held-out file that cannot be read proves it is not read.
    writeFileSync(path.join(run.runDir, 'tactics-heldout.jsonl'), 'not json\n');
    const aside = await runEvalSourcesStage({
      ...run,
      stages: {
        ...run.stages,
        index: { ...run.stages.index, heldAsideFraction: 0.3 },
        evalSources: { ...run.stages.evalSources, split: 'heldaside' },
      },
    });
    assert.equal(aside.split, 'heldaside');
    const quick = await runEvalSourcesStage({
      ...run,
      stages: {
        ...run.stages,
        index: { ...run.stages.index, heldAsideFraction: 0.3 },
        evalSources: { ...run.stages.evalSources, split: 'heldaside', maxSteps: 5 },
      },
    });
    assert.equal(quick.sets[1]?.steps, 5);
    assert.equal(quick.sampledFrom, aside.sets[1]?.steps);
    assert.ok((aside.sets[1]?.steps ?? 0) > 0);
    assert.ok(existsSync(path.join(run.runDir, 'eval-sources-heldaside.md')));
    assert.ok(!existsSync(path.join(run.runDir, 'model', 'MODEL_CARD.md')));
    // First steps only, without the model: files of their own, one set.
    const first = await runEvalSourcesStage({
      ...run,
      stages: {
        ...run.stages,
        index: { ...run.stages.index, heldAsideFraction: 0.3 },
        evalSources: { ...run.stages.evalSources, split: 'heldaside', steps: 'first', model: false },
      },
    });
    assert.deepEqual(
      first.sets.map((s) => s.name),
      ['first steps'],
    );
    assert.equal(first.sets[0]?.steps, aside.sets[0]?.steps);
    assert.ok(existsSync(path.join(run.runDir, 'eval-sources-heldaside-first-nomodel.md')));
  });
});

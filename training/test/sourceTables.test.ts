import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getPromptFormat } from '@llemma/model';
import { unknownGoal } from '../src/data/tacticExamples';
import { contextOfPrompt } from '../src/eval/stepContexts';
import type { EvalStep } from '../src/eval/steps';
import { sample } from '../src/eval/steps';
import { rankProcedures } from '../src/index/procedures';
import { fitModelTable, fitProcedureScores, rankEdges } from '../src/index/sourceCalibration';
import { evalStep as step } from './helpers';

/** A proof of `tactics` in file `path`, steps numbered from 0. */
const proof = (path: string, theorem: string, ...tactics: string[]) =>
  tactics.map((gold, i) => step({ path, theorem, step: i, line: i + 1, gold }));

describe('decision procedures from data', () => {
  const steps = [
    ...proof('A.lean', 'a', 'simp'),
    ...proof('K.lean', 'k', 'simp'),
    ...proof('B.lean', 'b', 'intro x', 'simp'),
    ...proof('C.lean', 'c', 'intro', 'omega'),
    ...proof('D.lean', 'd', 'simp', 'ring'),
    ...proof('E.lean', 'e', 'constructor', 'omega'),
    // An inline tactic closes its block; the step after it continues the proof before it.
    step({ path: 'F.lean', theorem: 'f', gold: 'positivity', inline: true }),
    ...proof('F.lean', 'f', 'native_decide'),
    ...proof('G.lean', 'g', 'exact?'),
    ...proof('H.lean', 'h', 'norm_num [foo]'),
  ];

  it('counts the bare tactics that close a goal on their own, most files first, and chooses by the rules', () => {
    const rows = rankProcedures(steps, { count: 2, minFiles: 1, minClosingShare: 0.5, exclude: ['native_decide'] });
    const by = new Map(rows.map((r) => [r.tactic, r]));
    assert.deepEqual(
      rows.map((r) => r.tactic),
      ['simp', 'omega', 'native_decide', 'positivity', 'ring'],
    );
    assert.deepEqual(
      { files: by.get('simp')?.files, closing: by.get('simp')?.closing, uses: by.get('simp')?.uses },
      { files: 3, closing: 3, uses: 4 },
    );
    assert.deepEqual(
      rows.filter((r) => r.chosen).map((r) => r.tactic),
      ['simp', 'omega'],
    );
    assert.match(by.get('native_decide')?.why ?? '', /excluded/);
    assert.match(by.get('positivity')?.why ?? '', /beyond the first 2/);
    // Tactics with arguments, search tactics and tactics that never close are not candidates at all.
    for (const t of ['norm_num [foo]', 'exact?', 'intro', 'constructor']) assert.equal(by.has(t), false, t);
  });

  it('leaves out a tactic that seldom closes what it starts', () => {
    const rows = rankProcedures(
      [...steps, ...proof('I.lean', 'i', 'simp', 'x'), ...proof('J.lean', 'j', 'simp', 'y')],
      {
        count: 9,
        minFiles: 1,
        minClosingShare: 0.6,
        exclude: [],
      },
    );
    assert.match(rows.find((r) => r.tactic === 'simp')?.why ?? '', /closes in 50 % of its uses/);
  });
});

describe('score tables', () => {
  it("fits the model's table per step kind, never rising with the rank", () => {
    const obs = [
      ...Array.from({ length: 100 }, (_, i) => ({ rank: 0, step: 'first' as const, right: i < 20 })),
      ...Array.from({ length: 100 }, (_, i) => ({ rank: 1, step: 'first' as const, right: i < 30 })),
      ...Array.from({ length: 300 }, (_, i) => ({ rank: 20, step: 'first' as const, right: i < 3 })),
      ...Array.from({ length: 50 }, (_, i) => ({ rank: 0, step: 'later' as const, right: i < 5 })),
    ];
    const { table, bins } = fitModelTable(obs);
    assert.deepEqual(table.rankEdges, rankEdges);
    const first = table.logProbabilities.first;
    assert.ok(first.every((x, i) => i === 0 || x <= (first[i - 1] as number)));
    // Ranks 0 and 1 disagree with the order, so they are pooled; empty bins below take the value above them.
    assert.equal(bins.first[0]?.probability, bins.first[1]?.probability);
    assert.ok(Math.abs((bins.first[0]?.probability ?? 0) - (20.5 / 101 + 30.5 / 101) / 2) < 1e-12);
    assert.equal(bins.later[0]?.probability, 5.5 / 51);
    assert.equal(bins.later[5]?.probability, 5.5 / 51);
  });

  it('scores each procedure by how often it was the tactic written, per step kind', () => {
    const [simp, ring] = fitProcedureScores(
      ['simp', 'ring'],
      [
        { gold: 'simp', step: 'first' },
        { gold: 'simp ', step: 'first' },
        { gold: 'exact h', step: 'first' },
        { gold: 'ring', step: 'later' },
      ],
    );
    assert.equal(simp?.logProbability.first, Math.log(2.5 / 4));
    assert.equal(simp?.logProbability.later, Math.log(0.5 / 2));
    assert.equal(ring?.logProbability.later, Math.log(1.5 / 2));
  });
});

describe('evaluated steps', () => {
  it('reads the context back from a prompt only when it renders the same prompt', () => {
    const format = getPromptFormat('proof-prefix');
    const context = {
      theorem: 'theorem t (n : ℕ) : n = n',
      tactics: ['intro', 'cases n\n  · rfl'],
      goals: [unknownGoal],
    };
    const read = contextOfPrompt(format.render(context), 'proof-prefix');
    assert.equal(read && format.render(read), format.render(context));
    assert.deepEqual(contextOfPrompt(format.render({ ...context, tactics: [] }), 'proof-prefix')?.tactics, []);
    assert.equal(contextOfPrompt('Tactic state:\n---\n⊢ True', 'proof-prefix'), undefined);
    assert.equal(contextOfPrompt(format.render(context), 'llemma-fewshot'), undefined);
    // The few-shot format holds goals only.
    const fewshot = getPromptFormat('llemma-fewshot');
    assert.deepEqual(contextOfPrompt(fewshot.render({ goals: ['⊢ True'] }), 'llemma-fewshot'), { goals: ['⊢ True'] });
  });

  it('samples a seeded subset in file order', () => {
    const steps = Array.from({ length: 50 }, (_, i) => step({ line: i }));
    const a = sample(steps, 10, 7);
    assert.equal(a.length, 10);
    assert.deepEqual(a, sample(steps, 10, 7));
    assert.ok(a.every((s, i) => i === 0 || s.line > (a[i - 1] as EvalStep).line));
    assert.equal(sample(steps, 0, 7).length, 50);
  });
});

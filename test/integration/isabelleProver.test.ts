// The Isabelle prover behind the core, on the server double's world (test/doubles/isabelleServerDouble.mjs): the goal
// at the cursor of a .thy file, the decision procedures verified on it, and the whole-proof gate.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FixedTactics } from '../../model/testing/fixedTactics';
import { defaultSettings } from '../../protocol';
import { IsabelleProver } from '../../server/provers/isabelle/isabelleProver';
import { type StartedServer, startServer } from '../../server/provers/isabelle/serverProcess';

const double = join(import.meta.dirname, '..', 'doubles', 'isabelleServerDouble.mjs');
const goal = 'proof (prove)\ngoal (1 subgoal):\n 1. \\<forall>x. \\<exists>y. x = y';
const world = {
  root: goal,
  unknownStepsFail: true,
  steps: {
    'by auto': {},
    'by simp': { error: 'Failed to finish proof\\<^here>:\ngoal (1 subgoal):\n 1. \\<And>x. \\<exists>y. x = y' },
    'apply (rule allI)': { state: 'proof (prove)\ngoal (1 subgoal):\n 1. \\<And>x. \\<exists>y. x = y' },
  },
};
const text = [
  'theory Demo imports Main begin',
  '',
  'lemma demo: "\\<forall>x. \\<exists>y. x = y"',
  '  sorry',
  '',
  'end',
  '',
].join('\n');

let started: StartedServer | undefined;
after(() => started?.stop?.());

async function prover(): Promise<IsabelleProver> {
  process.env.ISABELLE_DOUBLE = JSON.stringify({ world });
  try {
    started ??= await startServer(
      { executable: double, name: 'llemma-prover-test', startTimeoutMs: 10_000 },
      () => undefined,
    );
  } finally {
    delete process.env.ISABELLE_DOUBLE;
  }
  const address = started.address;
  return new IsabelleProver({
    settings: () => defaultSettings,
    log: () => undefined,
    onStatus: () => undefined,
    start: async () => ({ address }),
  });
}

describe('IsabelleProver on the server double', () => {
  it('shows the goal before the step on the cursor line, and names Isabelle as the prover', async () => {
    const p = await prover();
    const r = await p.goalAt('/x/Demo.thy', text, { line: 3, character: 2 });
    assert.deepEqual(r.goals, ['\\<forall>x. \\<exists>y. x = y']);
    assert.equal(r.declaration, 'demo');
    assert.equal(r.prover.prover, 'isabelle');
    assert.equal(r.prover.toolchain, 'Isabelle2025-2');
    await assert.rejects(
      p.goalAt('/x/Demo.thy', text, { line: 2, character: 0 }),
      /goal is asked on a line of its proof/,
    );
    await p.dispose();
  });

  it('keeps only the decision procedures that close the goal; steps that progress give the new goals', async () => {
    const p = await prover();
    const session = await p.openSession('/x/Demo.thy', text, { line: 3, character: 2 });
    const closing = await p.procedures(session);
    assert.deepEqual(
      closing.map((c) => c.step),
      ['by auto'],
    );
    const failed = await session.check(session.root, 'by simp');
    assert.equal(failed.kind, 'failed');
    const step = await session.check(session.root, 'apply (rule allI)');
    assert.equal(step.kind, 'progress');
    assert.deepEqual(step.kind === 'progress' && step.node.goals, ['\\<And>x. \\<exists>y. x = y']);
    await p.dispose();
  });

  it('accepts a proof only when the whole theory checks, never one with sorry or oops', async () => {
    const p = await prover();
    const session = await p.openSession('/x/Demo.thy', text, { line: 3, character: 2 });
    assert.deepEqual(await session.verify(['by auto']), { ok: true, axioms: [] });
    assert.equal((await session.verify(['by simp'])).ok, false);
    assert.equal((await session.verify(['apply (rule allI)'])).ok, false);
    const sorry = await session.verify(['sorry']);
    assert.deepEqual(sorry, { ok: false, reason: 'the proof holds `sorry`' });
    await p.dispose();
  });

  it('suggests verified steps: the closing procedure first, then the progressing model step; none forbidden or failing', async () => {
    const p = await prover();
    const model = new FixedTactics({
      'goal (1 subgoal):\n 1. \\<forall>x. \\<exists>y. x = y': [
        ['apply (rule allI)', -0.5],
        ['ML_val \\<open>OS.Process.system "x"\\<close>', -0.1],
        ['by simp', -0.3],
        ['intro allI', -0.2],
      ],
    });
    const r = await p.suggest('/x/Demo.thy', text, { line: 3, character: 2 }, model);
    assert.deepEqual(
      r.suggestions.map((s) => [s.tactic, s.status]),
      [
        ['by auto', 'closes'],
        ['apply (rule allI)', 'progress'],
      ],
    );
    assert.deepEqual(r.suggestions[1]?.remainingGoals, ['\\<And>x. \\<exists>y. x = y']);
    assert.deepEqual(r.suggestions[0]?.edit, {
      range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } },
      newText: '  by auto\n',
    });
    assert.equal(r.counts.forbidden, 2);
    // The model was shown the state as Isabelle prints it, with the lemma, as a state from Isabelle.
    assert.deepEqual(model.calls[0]?.context, {
      prover: 'isabelle',
      goals: ['goal (1 subgoal):\n 1. \\<forall>x. \\<exists>y. x = y'],
      theorem: 'lemma demo: "\\<forall>x. \\<exists>y. x = y"',
      tactics: [],
    });
    assert.equal(r.prover.prover, 'isabelle');
    await p.dispose();
  });

  it('ghost text: a step in place of the text typed on a proof line; refused elsewhere before Isabelle is asked', async () => {
    const p = await prover();
    const typing = text.replace('  sorry', '  by au');
    const r = await p.suggest(
      '/x/Demo.thy',
      typing,
      { line: 3, character: 7 },
      new FixedTactics({}),
      undefined,
      'cursor',
    );
    assert.deepEqual(r.suggestions[0]?.edit, {
      range: { start: { line: 3, character: 0 }, end: { line: 3, character: 7 } },
      newText: '  by auto',
    });
    const comment = text.replace('  sorry', '  apply (rule allI)\n  (* note *)\n  sorry');
    const model = new FixedTactics({});
    await assert.rejects(
      p.suggest('/x/Demo.thy', comment, { line: 4, character: 12 }, model, undefined, 'cursor'),
      /No step starts at the cursor/,
    );
    assert.equal(model.calls.length, 0);
    await p.dispose();
  });

  it('proves the statement and writes the proof in place of the sorry', async () => {
    const p = await prover();
    const model = new FixedTactics({});
    const r = await p.prove('/x/Demo.thy', text, { line: 3, character: 2 }, model, {
      budget: { candidatesPerExpansion: 4, maxExpansions: 5, timeLimitMs: 30_000 },
    });
    assert.equal(r.outcome, 'proved');
    assert.deepEqual(r.tactics, ['by auto']);
    assert.deepEqual(r.edit, {
      range: { start: { line: 3, character: 0 }, end: { line: 3, character: 7 } },
      newText: '  by auto',
    });
    await p.dispose();
  });
});

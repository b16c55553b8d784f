// The Isabelle prover behind the core, on the server double's world (test/doubles/isabelleServerDouble.mjs): the goal
// at the cursor of a .thy file, the decision procedures verified on it, the whole-proof gate, and Sledgehammer as an
// optional source (the double answers it with the recorded Sledgehammer run).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MergedTacticSource } from '@llemma/model';
import { decisionProcedures } from '@llemma/prover-text/isabelle';
import { FixedTactics } from '../../model/testing/fixedTactics';
import { defaultSettings, type LlemmaSettings } from '../../protocol';
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
    'by metis': {},
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

const logs = mkdtempSync(join(tmpdir(), 'llemma-isabelle-prover-'));
const doubles = new Map<string, { server: StartedServer; log: string }>();
after(() => {
  for (const d of doubles.values()) d.server.stop?.();
});

/** A server double with `worldOf`, started once per name, and the file its commands are logged to. */
async function startDouble(name: string, worldOf: object): Promise<{ server: StartedServer; log: string }> {
  const known = doubles.get(name);
  if (known) return known;
  const log = join(logs, `${name}.log`);
  writeFileSync(log, '');
  process.env.ISABELLE_DOUBLE = JSON.stringify({ world: worldOf, log });
  try {
    const server = await startServer(
      { executable: double, name: `llemma-prover-test-${name}`, startTimeoutMs: 10_000 },
      () => undefined,
    );
    doubles.set(name, { server, log });
    return { server, log };
  } finally {
    delete process.env.ISABELLE_DOUBLE;
  }
}

function logOf(name: string): string {
  const d = doubles.get(name);
  assert.ok(d, `no double ${name}`);
  return d.log;
}

/** How many Sledgehammer questions the double has answered. */
function sledgehammerAsked(log: string): number {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l === 'sledgehammer asked').length;
}

async function prover(
  settings: Partial<LlemmaSettings> = {},
  name = 'main',
  worldOf: object = world,
  lines?: string[],
): Promise<IsabelleProver> {
  const { address } = (await startDouble(name, worldOf)).server;
  return new IsabelleProver({
    settings: () => ({ ...defaultSettings, ...settings }),
    log: (line) => lines?.push(line),
    onStatus: () => undefined,
    start: async () => ({ address }),
  });
}

const hammerOn: Partial<LlemmaSettings> = { 'isabelle.sledgehammer': true, 'isabelle.sledgehammerSeconds': 3 };

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

  it("names what was asked on Isabelle's state: the embedded default's retrieval and file are Lean's, said to be skipped", async () => {
    const p = await prover();
    const folder = join(import.meta.dirname, '..', '..', 'model', 'default');
    const lines = ['retrieval,file,procedures', 'retrieval,file,model,procedures'];
    for (const listed of lines) {
      const sources = listed.split(',') as ('retrieval' | 'file' | 'model' | 'procedures')[];
      const merged = MergedTacticSource.fromSpec(folder, {
        sources,
        sessionOptions: { executionProviders: ['cpu'] },
      });
      try {
        const r = await p.suggest('/x/Demo.thy', text, { line: 3, character: 2 }, merged);
        const proof = await p.prove('/x/Demo.thy', text, { line: 3, character: 2 }, merged, {
          budget: { candidatesPerExpansion: 4, maxExpansions: 2, timeLimitMs: 30_000 },
        });
        const expected = sources.includes('model') ? ['model', 'procedures'] : ['procedures'];
        for (const model of [r.model, proof.model]) {
          assert.deepEqual(model.sources, expected, listed);
          assert.deepEqual(model.skippedSources, [
            "retrieval: it reads Lean goals; it is not asked on Isabelle's",
            "file: it reads Lean goals; it is not asked on Isabelle's",
          ]);
        }
        assert.deepEqual(
          r.suggestions.map((s) => [s.tactic, s.sources]),
          [['by auto', ['procedures']]],
        );
      } finally {
        await merged.dispose();
      }
    }
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

describe('Sledgehammer as a source on the server double', () => {
  it('with isabelle.sledgehammer on, a step only Sledgehammer found is suggested, run by Isabelle and tagged so', async () => {
    const p = await prover(hammerOn);
    const log = logOf('main');
    const asked = sledgehammerAsked(log);
    const r = await p.suggest('/x/Demo.thy', text, { line: 3, character: 2 }, new FixedTactics({}));
    assert.equal(sledgehammerAsked(log), asked + 1);
    // The recording's steps are presburger, simp, auto, blast, fast, metis: the procedures' among them name both
    // sources; `by fast` fails in this world, so it is not shown; `by metis` closes the goal.
    assert.deepEqual(
      r.suggestions.map((s) => [s.tactic, s.status, s.source, s.sources]),
      [
        ['by auto', 'closes', 'procedures', ['procedures', 'sledgehammer']],
        ['by metis', 'closes', 'sledgehammer', ['sledgehammer']],
      ],
    );
    assert.ok(r.model.sources?.includes('sledgehammer'), JSON.stringify(r.model));
    assert.equal(r.model.skippedSources, undefined);
    // Every procedure but `by auto` fails here, and so does Sledgehammer's `by fast`.
    assert.equal(r.counts.failed, decisionProcedures.length - 1 + 1);
    await p.dispose();
  });

  it("proof search takes Sledgehammer's steps at an expansion and names the source of the proof's step", async () => {
    const noAuto = {
      ...world,
      steps: { ...world.steps, 'by auto': { error: 'Failed to apply initial proof method' } },
    };
    const p = await prover(hammerOn, 'no-auto', noAuto);
    const r = await p.prove('/x/Demo.thy', text, { line: 3, character: 2 }, new FixedTactics({}), {
      budget: { candidatesPerExpansion: 4, maxExpansions: 3, timeLimitMs: 30_000 },
    });
    assert.equal(r.outcome, 'proved');
    assert.deepEqual(r.tactics, ['by metis']);
    assert.deepEqual(r.tacticSources, [['sledgehammer']]);
    assert.ok(r.model.sources?.includes('sledgehammer'));
    await p.dispose();
  });

  it('with it off (the default), Sledgehammer is never asked', async () => {
    const p = await prover();
    const log = logOf('main');
    const asked = sledgehammerAsked(log);
    const r = await p.suggest('/x/Demo.thy', text, { line: 3, character: 2 }, new FixedTactics({}));
    const proof = await p.prove('/x/Demo.thy', text, { line: 3, character: 2 }, new FixedTactics({}), {
      budget: { candidatesPerExpansion: 4, maxExpansions: 3, timeLimitMs: 30_000 },
    });
    assert.equal(sledgehammerAsked(log), asked);
    assert.deepEqual(
      r.suggestions.map((s) => s.tactic),
      ['by auto'],
    );
    assert.ok(!r.model.sources?.includes('sledgehammer'));
    assert.deepEqual(proof.tacticSources, [['procedures']]);
    await p.dispose();
  });

  it('when the server cannot run it, it is skipped for the session with a reason, and suggestions still come', async () => {
    const error = 'Outer syntax error\\<^here>: command expected,\nbut keyword sledgehammer was found';
    const lines: string[] = [];
    const p = await prover(hammerOn, 'no-hammer', { ...world, sledgehammerError: error }, lines);
    const log = logOf('no-hammer');
    for (let i = 0; i < 2; i++) {
      const r = await p.suggest('/x/Demo.thy', text, { line: 3, character: 2 }, new FixedTactics({}));
      assert.deepEqual(
        r.suggestions.map((s) => [s.tactic, s.sources]),
        [['by auto', ['procedures']]],
      );
      assert.deepEqual(r.model.skippedSources, ['sledgehammer: Outer syntax error\\<^here>: command expected,']);
      assert.ok(!r.model.sources?.includes('sledgehammer'));
    }
    assert.equal(sledgehammerAsked(log), 1, 'asked once, then set aside');
    assert.equal(lines.filter((l) => /sledgehammer set aside/.test(l)).length, 1);
    // A new set-up of Isabelle may have it: asked again.
    await p.restartAll();
    await p.suggest('/x/Demo.thy', text, { line: 3, character: 2 }, new FixedTactics({}));
    assert.equal(sledgehammerAsked(log), 2);
    await p.dispose();
  });
});

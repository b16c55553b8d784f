// Suggest and prove through the server core with two process doubles: the REPL double in --world mode plays Lean
// (a table of goals and the tactics it accepts), the OpenAI-compatible double plays the model (fixed candidates per
// goal, including forbidden and oversized ones). Every figure asserted here comes from those two processes.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Position, Range } from 'vscode-languageserver-protocol';
import type { TacticSource } from '../../model/src/tacticSource';
import { FixedTactics } from '../../model/testing/fixedTactics';
import { defaultSettings, LlemmaErrorCode, type LlemmaSettings } from '../../protocol';
import { LlemmaCore } from '../../server/core';
import { readLog } from './fixtureProject';
import {
  A0,
  assertNothingForbiddenSent,
  base,
  F0,
  file,
  fileText,
  G0,
  G1,
  modelRequests,
  refused,
  S0,
  startModelDouble,
  text,
  worldRepl,
} from './searchFixture';

let modelUrl = '';
let stopModel: () => void = () => {};
before(async () => {
  const model = await startModelDouble();
  modelUrl = model.url;
  stopModel = model.stop;
});
after(() => stopModel());

let cores = 0;
/** A core whose REPL is the world double with its own log, and whose model is the model double. */
function makeCore(overrides: Partial<LlemmaSettings> = {}, tactics?: TacticSource) {
  const log = path.join(base, `repl-${cores++}.log`);
  const replCommand = worldRepl(log);
  const settings: LlemmaSettings = {
    ...defaultSettings,
    'lean.replCommand': replCommand,
    'lean.tacticTimeoutMs': 1500,
    'model.path': modelUrl,
    // The model double alone (the Llemma search, its own scores): these tests are about the search's mechanics; the
    // merged generator's decision procedures have tests of their own.
    'model.sources': ['model'],
    ...overrides,
  };
  const core = new LlemmaCore({ settings, ...(tactics ? { tactics } : {}) });
  const tacticsSent = () =>
    readLog(log)
      .filter((e) => e.event === 'input' && typeof e.input?.['tactic'] === 'string')
      .map((e) => e.input!['tactic'] as string);
  return { core, log, tacticsSent };
}

describe('suggest', () => {
  test('runs every allowed candidate in Lean, hides failures, puts closing tactics first; the second call is cached', async () => {
    const { core, tacticsSent } = makeCore();
    try {
      const r = await core.suggestTactics(file, text, { line: 3, character: 2 });
      assert.deepEqual(r.goals, [A0]);
      assert.deepEqual(
        r.suggestions.map((s) => [s.tactic, s.status, s.remainingGoals.length]),
        [
          ['simp', 'closes', 0],
          ['induction n', 'progress', 2],
        ],
      );
      assert.deepEqual(r.counts, { generated: 4, forbidden: 1, failed: 1, verified: 2 });
      assert.equal(r.forbidden[0]?.tactic, 'admit');
      assert.equal(r.model.provider, 'http');
      assert.equal(r.model.promptFormat, 'llemma-fewshot');
      assert.equal(r.prover.checkProcesses, defaultSettings['lean.checkProcesses']);
      assert.equal(r.cached, false);
      assert.ok(r.timings.totalMs >= r.timings.modelMs + r.timings.proverMs - 1);
      assertNothingForbiddenSent(tacticsSent());
      const requestsBefore = modelRequests();
      const again = await core.suggestTactics(file, text, { line: 3, character: 2 });
      assert.equal(again.cached, true);
      assert.deepEqual(
        again.suggestions.map((s) => [s.tactic, s.status]),
        r.suggestions.map((s) => [s.tactic, s.status]),
      );
      assert.equal(modelRequests(), requestsBefore, 'the cached call asked the model again');
      // Lean's verdicts are cached too: no tactic was run twice.
      assert.equal(tacticsSent().length, 3);
      // Each suggestion comes with the edit that writes it where its state is: above the `sorry` it was checked before.
      const above = { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } };
      assert.deepEqual(
        r.suggestions.map((s) => s.edit),
        [
          { range: above, newText: '  simp\n' },
          { range: above, newText: '  induction n\n' },
        ],
      );
      // Ghost text: in place of the line's text before the cursor.
      const ghost = await core.suggestTactics(file, text, { line: 3, character: 7 }, undefined, 'cursor');
      const line = { start: { line: 3, character: 0 }, end: { line: 3, character: 7 } };
      assert.deepEqual(
        ghost.suggestions.map((s) => s.edit),
        [
          { range: line, newText: '  simp' },
          { range: line, newText: '  induction n' },
        ],
      );
    } finally {
      await core.dispose();
    }
  });

  test('every refused candidate is kept from Lean; the one allowed is run and shown', async () => {
    const { core, tacticsSent } = makeCore({ 'suggest.candidates': 128 });
    try {
      const r = await core.suggestTactics(file, text, { line: 9, character: 2 });
      assert.deepEqual(r.goals, [S0]);
      assert.deepEqual(
        r.suggestions.map((s) => s.tactic),
        ['rfl'],
      );
      assert.equal(r.counts.forbidden, refused.length);
      assert.deepEqual(tacticsSent(), ['rfl']);
    } finally {
      await core.dispose();
    }
  });

  test('a model that cannot be used fails the request with a message that says why', async () => {
    const empty = path.join(base, 'empty-model');
    mkdirSync(empty, { recursive: true });
    for (const [settings, message] of [
      [{ 'model.path': 'relative/model' }, /must be an absolute folder path or an http\(s\) URL/],
      [{ 'model.path': empty }, /model\.onnx|config\.json|tokenizer\.json/],
    ] as const) {
      const { core } = makeCore(settings);
      try {
        await assert.rejects(
          core.suggestTactics(file, text, { line: 3, character: 2 }),
          (err: Error & { code?: number }) => {
            assert.equal(err.code, LlemmaErrorCode.ModelError);
            assert.match(err.message, message);
            return true;
          },
        );
      } finally {
        await core.dispose();
      }
    }
  });

  test('a position outside a proof fails before the model is asked', async () => {
    const { core } = makeCore();
    const requestsBefore = modelRequests();
    try {
      await assert.rejects(core.suggestTactics(file, text, { line: 1, character: 0 }), /not inside a declaration/);
      // Ghost text where no tactic starts at the cursor: mid-line, on the `by` line.
      for (const position of [
        { line: 3, character: 2 },
        { line: 2, character: 44 },
      ]) {
        await assert.rejects(
          core.suggestTactics(file, text, position, undefined, 'cursor'),
          (err: Error & { code?: number }) =>
            err.code === LlemmaErrorCode.NotInProof && /No tactic starts/.test(err.message),
        );
      }
      assert.equal(modelRequests(), requestsBefore);
    } finally {
      await core.dispose();
    }
  });
});

describe('prove', () => {
  test('finds the two-step proof past a hanging tactic, re-checks it, and returns the edit', async () => {
    const { core, tacticsSent } = makeCore();
    try {
      const progress: number[] = [];
      const r = await core.proveTheorem(
        file,
        text,
        { line: 6, character: 2 },
        {
          onProgress: (p) => progress.push(p.expansions),
        },
      );
      assert.equal(r.outcome, 'proved');
      assert.deepEqual(r.tactics, ['norm_num', 'ring']);
      // Each tactic names the sources that proposed it (the model double's candidates, the procedures).
      assert.equal(r.tacticSources.length, 2);
      assert.ok(
        r.tacticSources.every(
          (s) => s.length > 0 && s.every((n) => ['retrieval', 'file', 'model', 'procedures'].includes(n)),
        ),
        JSON.stringify(r.tacticSources),
      );
      assert.deepEqual(r.edit, {
        range: { start: { line: 6, character: 0 }, end: { line: 6, character: 7 } },
        newText: '  norm_num\n  ring',
      });
      assert.deepEqual(r.axioms, ['propext']);
      assert.equal(r.otherSorries, 0);
      assert.equal(r.stats.expansions, 2);
      assert.deepEqual(progress, [1]);
      // `sorry`, `#eval …` and `native_decide`; the 100 kB candidate is dropped by the HTTP backend's size cap.
      assert.equal(r.stats.forbidden, 3);
      assert.ok(r.stats.replRestarts >= 1, 'the hanging `omega` should have cost a restart');
      assert.equal(r.budget.candidatesPerExpansion, 32);
      assert.equal(r.budget.allowNativeDecide, false);
      assertNothingForbiddenSent(tacticsSent());
      assert.ok(!tacticsSent().includes('native_decide'));
    } finally {
      await core.dispose();
    }
  });

  test("fills one half past a proof that rests on sorry, reports the user's other sorry, keeps their comments", async () => {
    const { core } = makeCore();
    try {
      const r = await core.proveTheorem(file, text, { line: 13, character: 2 });
      assert.equal(r.outcome, 'proved');
      assert.deepEqual(r.tactics, ['simp']);
      assert.equal(r.stats.rejectedProofs, 1, 'the proof through a lemma proved by sorry was refused');
      assert.equal(r.otherSorries, 1);
      assert.deepEqual(r.axioms, ['sorryAx'], 'as the document will have it, through the sorry of its own text');
      assert.ok(r.edit);
      assert.deepEqual(applyEdit(text, r.edit).split('\n').slice(11), [
        'theorem halves (b : ℕ) : b + 0 = b ∧ 2 * b = b + b := by',
        '  refine ⟨?_, sorry⟩ -- sorry for now',
        '  simp -- try simp',
        '  -- or induction',
        '',
      ]);
    } finally {
      await core.dispose();
    }
  });

  test('respects the expansion budget and stops on cancel', async () => {
    const { core } = makeCore();
    try {
      const limited = await core.proveTheorem(file, text, { line: 6, character: 2 }, { budget: { maxExpansions: 1 } });
      assert.equal(limited.outcome, 'expansionLimit');
      assert.equal(limited.edit, null);
      const abort = new AbortController();
      const cancelled = await core.proveTheorem(
        file,
        text,
        { line: 6, character: 2 },
        {
          signal: abort.signal,
          onProgress: () => abort.abort(),
        },
      );
      assert.equal(cancelled.outcome, 'cancelled');
      assert.equal(cancelled.stats.expansions, 1);
    } finally {
      await core.dispose();
    }
  });

  test('goes on after the REPL is killed with SIGKILL in the middle of a search', async () => {
    const { core, log } = makeCore();
    try {
      const search = core.proveTheorem(file, text, { line: 6, character: 2 });
      // Wait until `norm_num` (answered after 300 ms) is on the wire, then kill the REPL's process group.
      const deadline = Date.now() + 20_000;
      let killed = false;
      while (!killed && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        const sent = readLog(log).filter((e) => e.event === 'input' && e.input?.['tactic'] === 'norm_num');
        const pid = core.lean.replFor(file).client.pid;
        if (sent.length > 0 && pid) {
          process.kill(pid, 'SIGKILL');
          killed = true;
        }
      }
      assert.ok(killed, 'norm_num never reached the REPL');
      const r = await search;
      assert.equal(r.outcome, 'proved');
      assert.deepEqual(r.tactics, ['norm_num', 'ring']);
      assert.ok(r.stats.replRestarts >= 1);
      assert.ok(readLog(log).filter((e) => e.event === 'start').length >= 2);
    } finally {
      await core.dispose();
    }
  });
});

describe('the merged generator (model.sources auto): the model with the decision procedures', () => {
  test('tries every procedure on the goal and names the source of each suggestion', async () => {
    const { core, tacticsSent } = makeCore({ 'model.sources': 'auto' });
    try {
      const r = await core.suggestTactics(file, text, { line: 3, character: 2 });
      // A server URL has no folder, so no retrieval.bin: the file (nothing proved above), the model double and the
      // procedures of the default tables.
      assert.deepEqual(r.model.sources, ['file', 'model', 'procedures']);
      assert.match(r.model.skippedSources?.join('\n') ?? '', /retrieval: a model server has no model folder/);
      const bySource = new Map(r.suggestions.map((s) => [s.tactic, s.sources]));
      // `simp` is the model's and a procedure (one candidate, both sources); `induction n` only the model's.
      assert.deepEqual(new Set(bySource.get('simp')), new Set(['model', 'procedures']));
      assert.deepEqual(bySource.get('induction n'), ['model']);
      assert.equal(r.suggestions.find((s) => s.tactic === 'induction n')?.source, 'model');
      // Every procedure reached Lean on this goal, once, with the model's candidates.
      const sent = tacticsSent();
      for (const p of ['simp', 'rfl', 'omega', 'decide', 'linarith'])
        assert.equal(sent.filter((t) => t === p).length, 1, p);
      assert.ok(r.counts.generated > 4, JSON.stringify(r.counts));
      assert.ok(r.suggestions.every((s) => s.score <= 0 && s.sources.includes(s.source)));
    } finally {
      await core.dispose();
    }
  });

  test('a found proof names the sources of its tactics', async () => {
    const { core } = makeCore({ 'model.sources': 'auto' });
    try {
      const r = await core.proveTheorem(file, text, { line: 3, character: 2 });
      assert.equal(r.outcome, 'proved');
      assert.deepEqual(r.tactics, ['simp']);
      assert.deepEqual(new Set(r.tacticSources[0]), new Set(['model', 'procedures']));
      assert.deepEqual(r.model.sources, ['file', 'model', 'procedures']);
    } finally {
      await core.dispose();
    }
  });
});

describe('a fixed tactic source in place of the model', () => {
  const fixedCore = () => {
    const tactics = new FixedTactics({
      [A0]: [
        ['decide', -0.1],
        ['simp', -0.3],
      ],
      [G0]: [
        ['norm_num', -0.2],
        ['rfl', -0.3],
      ],
      [G1]: [['ring', -0.2]],
    });
    const { core } = makeCore({ 'model.path': '/nowhere' }, tactics);
    return { core, tactics };
  };

  test('suggests and proves through the core with the fixed table; the model is never asked', async () => {
    const { core, tactics } = fixedCore();
    const requestsBefore = modelRequests();
    try {
      const r = await core.suggestTactics(file, text, { line: 3, character: 2 });
      assert.deepEqual(
        r.suggestions.map((s) => [s.tactic, s.status]),
        [['simp', 'closes']],
      );
      assert.deepEqual(r.model, { source: 'fixed table', provider: 'fixed', promptFormat: 'none' });
      assert.deepEqual(r.budget, { beamWidth: 32, candidates: 32, maxNewTokens: 256 });
      assert.deepEqual(tactics.calls[0]?.context.goals, [A0]);
      const proof = await core.proveTheorem(file, text, { line: 6, character: 2 });
      assert.equal(proof.outcome, 'proved');
      assert.deepEqual(proof.tactics, ['norm_num', 'ring']);
      // The proof so far reaches the source: the statement, then the tactics of the path.
      const second = tactics.calls.find((c) => c.context.goals[0] === G1);
      assert.deepEqual(second?.context.tactics, ['norm_num']);
      assert.match(second?.context.theorem ?? '', /^theorem two_mul'/);
      assert.equal(modelRequests(), requestsBefore);
    } finally {
      await core.dispose();
    }
  });

  test("the core's unchecked candidates are the source's own, with its description", async () => {
    const { core } = fixedCore();
    try {
      const r = await core.candidates({ goals: [G0] }, { candidates: 8, beamWidth: 8, maxNewTokens: 256 });
      assert.deepEqual(
        r.tactics.map((t) => t.tactic),
        ['norm_num', 'rfl'],
      );
      assert.equal(r.model.provider, 'fixed');
    } finally {
      await core.dispose();
    }
  });
});

/** The document after an LSP edit (the fixture has `\n` line ends only). */
function applyEdit(doc: string, edit: { range: Range; newText: string }): string {
  const starts = [0, ...[...doc.matchAll(/\n/g)].map((m) => m.index + 1)];
  const at = (p: Position) => (starts[p.line] ?? doc.length) + p.character;
  return doc.slice(0, at(edit.range.start)) + edit.newText + doc.slice(at(edit.range.end));
}

describe('the file source', () => {
  test("suggests and proves with the tactic of the file's earlier, similar theorem, verified by Lean and tagged `file`", async () => {
    const { core, tacticsSent } = makeCore({ 'model.path': '', 'model.sources': ['file'] });
    try {
      const at = { line: 6, character: 2 };
      const r = await core.suggestTactics(file, fileText, at);
      assert.deepEqual(r.goals, [F0]);
      assert.deepEqual(
        r.suggestions.map((s) => [s.tactic, s.status, s.source, s.sources]),
        [['rw [Nat.two_mul]', 'closes', 'file', ['file']]],
      );
      assert.deepEqual(r.model.sources, ['file']);
      assert.ok(tacticsSent().includes('rw [Nat.two_mul]'));
      const proof = await core.proveTheorem(file, fileText, at);
      assert.equal(proof.outcome, 'proved');
      assert.deepEqual(proof.tactics, ['rw [Nat.two_mul]']);
      assert.deepEqual(proof.tacticSources, [['file']]);
      // Without the proof above, the file source has nothing to offer.
      const alone = fileText.replace('  rw [Nat.two_mul]', '  sorry');
      const none = await core.suggestTactics(file, alone, at);
      assert.deepEqual(none.suggestions, []);
    } finally {
      await core.dispose();
    }
  });
});

// `llemma goal` and `llemma prove` on an Isabelle theory, as a user runs them: a real CLI process, `--isabelle` naming
// the Isabelle server double (test/doubles/isabelleServerDouble.mjs), which the CLI starts as it would start
// `isabelle server -n llemma`. The double's world comes through ISABELLE_DOUBLE.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..');
const double = path.join(root, 'test', 'doubles', 'isabelleServerDouble.mjs');
const after = 'proof (prove)\ngoal (1 subgoal):\n 1. \\<And>x. \\<exists>y. x = y';
const world = {
  root: 'proof (prove)\ngoal (1 subgoal):\n 1. \\<forall>x. \\<exists>y. x = y',
  unknownStepsFail: true,
  steps: {
    'apply (rule allI)': { state: after },
    'by blast': {},
    'by auto': { error: `Failed to finish proof\\<^here>:\n${after.slice('proof (prove)\n'.length)}` },
  },
};
const dir = mkdtempSync(path.join(tmpdir(), 'llemma-isabelle-cli-'));
const theory = path.join(dir, 'Demo.thy');
writeFileSync(
  theory,
  [
    'theory Demo imports Main begin',
    '',
    'lemma exists_equal: "\\<forall>x::nat. \\<exists>y. x = y"',
    '  apply (rule allI)',
    '  sorry',
    '',
    'lemma unreachable: "False"',
    '  sorry',
    '',
    'end',
    '',
  ].join('\n'),
);

function llemma(args: string[], worldOf: object = world) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      LLEMMA_REPL: '',
      ISABELLE_DOUBLE: JSON.stringify({ world: worldOf, exitWithParent: true }),
    },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('goal on a .thy file prints the state Isabelle gives before the step on the line', () => {
  const r = llemma(['goal', `${theory}:5:3`, '--isabelle', double]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Demo\.thy:5:3 · exists_equal/);
  assert.match(r.stdout, /isabelle via `.*isabelleServerDouble\.mjs server -n llemma` · toolchain Isabelle2025-2/);
  assert.ok(r.stdout.includes('\\<And>x. \\<exists>y. x = y'), r.stdout);
});

test('prove on a .thy file: the statement the world lets close is proved, re-checked by Isabelle; the other is not', () => {
  const r = llemma(['prove', theory, '--isabelle', double, '--json', '--expansions', '3', '--time', '30']);
  assert.equal(r.code, 1, r.stderr);
  const { results } = JSON.parse(r.stdout);
  assert.deepEqual(
    results.map((o: { declaration: string; line: number }) => [o.declaration, o.line]),
    [
      ['exists_equal', 5],
      ['unreachable', 8],
    ],
  );
  const [proved, unproved] = results;
  assert.equal(proved.result.outcome, 'proved');
  assert.deepEqual(proved.result.tactics, ['by blast']);
  assert.deepEqual(proved.result.tacticSources, [['procedures']]);
  assert.equal(proved.result.prover.prover, 'isabelle');
  assert.deepEqual(proved.result.edit.newText, '  by blast');
  assert.notEqual(unproved.result?.outcome, 'proved');

  const one = llemma(['prove', `${theory}:exists_equal`, '--isabelle', double, '--expansions', '3']);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /exists_equal: proved, re-checked by isabelle via/);
  assert.match(one.stdout, /\n {4}by blast\n/);
  assert.match(one.stdout, /Isabelle Isabelle2025-2 via /);
  assert.match(one.stdout, /1 of 1 proved/);
});

test("prove --sledgehammer: Sledgehammer's steps are candidates, named in the sources; a server without it is skipped", () => {
  const args = [
    'prove',
    `${theory}:exists_equal`,
    '--isabelle',
    double,
    '--expansions',
    '3',
    '--sledgehammer-time',
    '2',
  ];
  const on = llemma(args);
  assert.equal(on.code, 0, on.stderr);
  // `by blast` is a decision procedure and one of the recorded Sledgehammer run's proofs.
  assert.match(on.stdout, /\n {4}by blast\n {2}sources: procedures\+sledgehammer\n/);
  assert.match(on.stdout, /· sources [^\n]*sledgehammer/);

  const without = llemma(args, { ...world, sledgehammerError: 'Bad command "sledgehammer"' });
  assert.equal(without.code, 0, without.stderr);
  assert.match(without.stdout, /sources: procedures\n/);
  assert.match(without.stdout, /\(not used: [^\n]*sledgehammer: Bad command "sledgehammer"\)/);
});

test('an isabelle executable that cannot start is named, with the flag that sets it', () => {
  const r = llemma(['goal', `${theory}:5:3`, '--isabelle', path.join(dir, 'no-isabelle')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no-isabelle/);
  assert.match(r.stderr, /`--isabelle <path to the isabelle executable>`/);
  assert.doesNotMatch(r.stderr, /llemma\.isabelle\.path/);
});

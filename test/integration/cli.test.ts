// The `llemma` CLI as a user runs it: a real process, the REPL double as the prover, exit codes and output checked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { forDisplay } from '../../protocol';
import { goal, goalResponse, goalRule, headerRule, makeProject, toolchain } from './fixtureProject';

const root = path.resolve(import.meta.dirname, '..', '..');
const project = makeProject();
const okRepl = project.repl('cli-ok', { rules: [headerRule, goalRule] });

function llemma(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LLEMMA_REPL: '', ...env },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('goal prints the proof state as text, with the prover it came from', () => {
  const r = llemma(['goal', `${project.file}:4:3`, '--repl', okRepl]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Main\.lean:4:3 · add_zero'/);
  assert.match(r.stdout, new RegExp(`toolchain ${toolchain.replace(/[.]/g, '\\.')}`));
  assert.ok(r.stdout.includes(goal), r.stdout);
});

test('--json prints the GoalAtResult; LLEMMA_REPL is honoured', () => {
  const r = llemma(['goal', `${project.file}:4:1`, '--json'], { LLEMMA_REPL: okRepl });
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.deepEqual(result.goals, [goal]);
  assert.equal(result.prover.projectRoot, project.root);
});

test('failures exit 1 with the reason; bad usage exits 2', () => {
  const inStatement = llemma(['goal', `${project.file}:3:12`, '--repl', okRepl, '--json']);
  assert.equal(inStatement.code, 1);
  assert.match(inStatement.stderr, /statement/);
  assert.equal(JSON.parse(inStatement.stdout).error.code, -33004);

  const dead = project.repl('cli-dead', {
    startup: { exit: 3, stderr: 'libleanshared.so: cannot open shared object' },
  });
  const crashed = llemma(['goal', `${project.file}:4:3`, '--repl', dead]);
  assert.equal(crashed.code, 1);
  assert.match(crashed.stderr, /exited with code 3.*\n?.*libleanshared/);

  const missing = llemma(['goal', `${project.file}:4:3`, '--repl', '/nonexistent/repl']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\/nonexistent\/repl/);

  assert.equal(llemma(['goal', 'nope.lean:1:1']).code, 2);
  assert.equal(llemma(['goal', `${project.file}:x`]).code, 2);
});

test('help for each command exits 0; no command exits 2; --version prints the package version', () => {
  for (const command of ['goal', 'candidates', 'prove']) {
    const r = llemma([command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage:\\n {2}llemma ${command} `));
  }
  assert.match(llemma(['suggest', '--help']).stdout, /^Usage:\n {2}llemma candidates /, 'the former name');
  const bare = llemma([]);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /no command given[\s\S]*Usage:/);
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.equal(llemma(['--version']).stdout, `llemma ${version}\n`);
});

test('a position outside the file is refused, naming the file’s size', () => {
  const pastEnd = llemma(['goal', `${project.file}:999:3`, '--repl', okRepl]);
  assert.equal(pastEnd.code, 2);
  assert.match(pastEnd.stderr, /has 5 lines; there is no line 999/);
  const pastLine = llemma(['goal', `${project.file}:4:500`, '--repl', okRepl]);
  assert.equal(pastLine.code, 2);
  assert.match(pastLine.stderr, /line 4 of .* has 6 characters; column 500 is past its end \(at most 7\)/);
  assert.equal(llemma(['goal', `${project.file}:4:7`, '--repl', okRepl]).code, 0, 'the end of a line is a position');
});

test('messages name the CLI’s flags and environment variables, not VS Code settings', () => {
  // No lake anywhere and no --repl: the remedy is a flag or an environment variable, and "run the command again".
  const noLean = llemma(['goal', `${project.file}:4:3`], {
    PATH: path.dirname(process.execPath),
    ELAN_HOME: mkdtempSync(path.join(tmpdir(), 'llemma-no-elan-')),
  });
  assert.equal(noLean.code, 1);
  assert.match(noLean.stderr, /Lean is not installed.*then run the command again\./);
  assert.doesNotMatch(noLean.stderr, /llemma\.lean|Restart|\{\{/);

  const hung = project.repl('cli-hung', { rules: [{ ...headerRule }, { match: { hasEnv: true }, hang: true }] });
  const slow = llemma(['goal', `${project.file}:4:3`, '--repl', hung, '--timeout', '1000']);
  assert.equal(slow.code, 1);
  assert.match(slow.stderr, /raise the limit: `--timeout <ms>`/);
  assert.doesNotMatch(slow.stderr, /llemma\.lean|\{\{/);
});

test('terminal escapes in the prover’s output are shown, not obeyed', () => {
  const hostileGoal = 'n : ℕ\u001b]0;pwned\u0007\u001b[2J\n⊢ n + 0 = n\u202e';
  const hostile = project.repl('cli-escapes', {
    rules: [
      headerRule,
      { ...goalRule, respond: { ...goalResponse, sorries: [{ ...goalResponse.sorries[0], goal: hostileGoal }] } },
    ],
  });
  for (const json of [false, true]) {
    const r = llemma(['goal', `${project.file}:4:3`, '--repl', hostile, ...(json ? ['--json'] : [])]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(forDisplay(r.stdout), r.stdout, 'nothing in the output acts on a terminal');
    if (json) assert.deepEqual(JSON.parse(r.stdout).goals, [hostileGoal], 'JSON keeps the data, escaped');
    else assert.match(r.stdout, /n : ℕ␛\]0;pwned␇␛\[2J\n⊢ n \+ 0 = n<U\+202E>/);
  }
});

test('prove reports a declaration whose sorry no proof search can start from as not proved, saying why', () => {
  const dir = mkdtempSync(path.join(project.root, 'terms-'));
  const file = path.join(dir, 'Terms.lean');
  writeFileSync(
    file,
    'import Mathlib\n\ntheorem t : True := sorry\n\ntheorem u : True ∧ True := by\n  exact ⟨trivial, by sorry⟩\n',
  );
  const r = llemma(['prove', file, '--repl', okRepl]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /Terms\.lean:3 t: error: no `sorry` here that a proof search can start from/);
  assert.match(r.stdout, /Terms\.lean:6 u: error: no `sorry` here .*Put the `sorry` on a line of its own\./);
  assert.match(r.stdout, /0 of 2 proved/);
});

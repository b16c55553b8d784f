// The `llemma` CLI as a user runs it: a real process, the REPL double as the prover, exit codes and output checked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { goal, goalRule, headerRule, makeProject, toolchain } from './fixtureProject';

const root = path.resolve(import.meta.dirname, '..', '..');
const project = makeProject();
const okRepl = project.repl('cli-ok', { rules: [headerRule, goalRule] });

function llemma(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli.ts'), ...args], {
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

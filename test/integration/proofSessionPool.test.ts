/**
 * Candidate tactics checked on a pool of REPL processes (`lean.checkProcesses`): the server's LeanProver and
 * ProofSession over real child processes (the REPL double in world mode, test/integration/searchFixture.ts), with
 * each process's requests told apart by the pid in the double's log.
 */
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultSettings } from '../../protocol';
import { LeanProver } from '../../server/provers/lean/leanProver';
import type { ProofSession, TacticCheck } from '../../server/provers/lean/proofSession';
import { readLog } from './fixtureProject';
import { base, file, G0, G1, text, worldRepl } from './searchFixture';

const provers: LeanProver[] = [];
after(async () => {
  await Promise.all(provers.map((p) => p.dispose()));
  rmSync(base, { recursive: true, force: true });
});

let logs = 0;
function proverWith(processes: number, command?: (log: string) => string) {
  const log = path.join(base, `pool-${logs++}.log.jsonl`);
  const prover = new LeanProver({
    settings: () => ({
      ...defaultSettings,
      'lean.checkProcesses': processes,
      'lean.tacticTimeoutMs': 1500,
      'lean.requestTimeoutMs': 10_000,
      'lean.importTimeoutMs': 10_000,
    }),
    replOverride: (command ?? worldRepl)(log),
    log: () => undefined,
    onStatus: () => undefined,
  });
  provers.push(prover);
  /** The tactics each REPL process ran, by pid, in order. */
  const tacticsByPid = () => {
    const out = new Map<number, string[]>();
    for (const e of readLog(log)) {
      const tactic = e.event === 'input' ? e.input?.['tactic'] : undefined;
      if (typeof tactic === 'string') out.set(e.pid, [...(out.get(e.pid) ?? []), tactic]);
    }
    return out;
  };
  return { prover, tacticsByPid };
}

/** The `sorry` of two_mul' (goal G0): `omega` hangs there, `norm_num` leads to G1 after 300 ms, `ring` closes G1. */
const position = { line: text.split('\n').indexOf("theorem two_mul' (a : ℕ) : 2 * a = a + a := by") + 1, character: 2 };

/** Runs checks at once and returns their results with the order in which they finished. */
async function race(session: ProofSession, tactics: string[]) {
  const finished: string[] = [];
  const results = await Promise.all(
    tactics.map((t) =>
      session.check(session.root, t).then((r) => {
        finished.push(t);
        return r;
      }),
    ),
  );
  return { finished, results: Object.fromEntries(tactics.map((t, i) => [t, results[i] as TacticCheck])) };
}

describe('ProofSession on a pool of REPL processes', () => {
  it('with two processes, a check goes on while another tactic hangs in the first', async () => {
    const { prover, tacticsByPid } = proverWith(2);
    const session = await prover.openSession(file, text, position);
    assert.deepEqual(session.root.goals, [G0]);
    assert.equal(session.processes, 2);
    const { finished, results } = await race(session, ['omega', 'norm_num']);
    assert.deepEqual(finished, ['norm_num', 'omega']);
    assert.equal(results['omega']?.kind, 'failed');
    assert.ok(results['omega']?.kind === 'failed' && results['omega'].transient, 'the hang timed out');
    assert.ok(results['norm_num']?.kind === 'progress' && results['norm_num'].node.goals[0] === G1);
    assert.deepEqual(session.checksPerProcess, [1, 1]);
    const ran = [...tacticsByPid().values()];
    assert.deepEqual(ran.map((t) => t.join(',')).sort(), ['norm_num', 'omega']);
  });

  it('with one process, the same checks run one after the other', async () => {
    const { prover, tacticsByPid } = proverWith(1);
    const session = await prover.openSession(file, text, position);
    assert.equal(session.processes, 1);
    const { finished, results } = await race(session, ['omega', 'norm_num']);
    // norm_num waited for omega's timeout, then ran on the restarted process from a re-probed root.
    assert.deepEqual(finished, ['omega', 'norm_num']);
    assert.ok(results['norm_num']?.kind === 'progress');
    assert.deepEqual(session.checksPerProcess, [2]);
    const pids = [...tacticsByPid().entries()];
    assert.equal(pids.length, 2, 'the hung process was replaced');
    assert.deepEqual(
      pids.map(([, t]) => t),
      [['omega'], ['norm_num']],
    );
  });

  it('replays a state on the process that checks the next tactic from it', async () => {
    const { prover, tacticsByPid } = proverWith(2);
    const session = await prover.openSession(file, text, position);
    const step = await session.check(session.root, 'norm_num');
    assert.ok(step.kind === 'progress');
    // The first process is held by a hanging tactic, so `ring` on the new state goes to the second, which has
    // never seen it: it probes the root there and replays `norm_num` first.
    const hung = session.check(session.root, 'omega');
    const closed = await session.check(step.node, 'ring');
    assert.equal(closed.kind, 'closed');
    assert.equal((await hung).kind, 'failed');
    const [first, second] = [...tacticsByPid().values()];
    assert.deepEqual(first, ['norm_num', 'omega']);
    assert.deepEqual(second, ['norm_num', 'ring']);
  });

  it('leaves out a further process that cannot start, and checks everything on the first', async () => {
    // The first start runs the double; every later one fails at once, as a REPL whose toolchain is broken would.
    const marker = path.join(base, 'pool-started');
    const script = path.join(base, 'first-only.sh');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `if mkdir '${marker}' 2>/dev/null; then exec "$@"; fi`,
        'echo "cannot start" >&2',
        'exit 3',
        '',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    const { prover } = proverWith(2, (log) => `'${script}' ${worldRepl(log)}`);
    const session = await prover.openSession(file, text, position);
    const { results } = await race(session, ['rfl', 'norm_num', 'rfl ']);
    assert.equal(results['rfl']?.kind, 'failed');
    assert.equal(results['norm_num']?.kind, 'progress');
    assert.deepEqual(session.checksPerProcess, [3, 0]);
    assert.match(session.unusable.get(1) ?? '', /cannot start|exit|code 3/i);
  });
});

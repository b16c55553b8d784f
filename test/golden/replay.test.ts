/**
 * The real ReplClient against recorded REPL sessions: replDouble.mjs replays a transcript over a real child process
 * and refuses any request that differs from the recorded one, so these tests check both what the client sends (byte
 * for byte, as parsed JSON) and how it reads what the REPL answered.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ReplError } from '../../server/provers/lean/repl/replApi';
import { ReplClient, runTactic } from '../../server/provers/lean/repl/replClient';
import { tacticOutcome } from '../../server/provers/lean/repl/replSchema';

const root = join(import.meta.dirname, '..', '..');
const double = join(root, 'test', 'doubles', 'replDouble.mjs');
const transcripts = join(import.meta.dirname, 'transcripts');

async function withReplay(name: string, body: (client: ReplClient) => Promise<void>): Promise<void> {
  const client = new ReplClient({
    launch: {
      command: process.execPath,
      args: [double, '--transcript', join(transcripts, `${name}.in`)],
      cwd: root,
      display: `replDouble --transcript ${name}.in`,
    },
    requestTimeoutMs: 5000,
    importTimeoutMs: 5000,
  });
  try {
    await body(client);
    assert.equal(client.generation, 1, 'the whole session ran on one process');
  } finally {
    await client.dispose();
  }
}

async function rejected(promise: Promise<unknown>): Promise<ReplError> {
  const err = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ReplError);
  return err;
}

describe('replaying recorded REPL sessions', () => {
  it('readme: a sorry, then tactics to a closed goal', () =>
    withReplay('readme', async (client) => {
      const def = await client.command('def f (x : Unit) : Nat := by sorry', undefined);
      assert.equal(def.env, 0);
      assert.deepEqual(def.sorries?.[0]?.goal, 'x : Unit\n⊢ Nat');
      const step = await client.tactic('apply Int.natAbs', def.sorries?.[0]?.proofState ?? -1);
      assert.deepEqual(tacticOutcome(step), { kind: 'progress', goals: ['x : Unit\n⊢ Int'] });
      assert.deepEqual(await runTactic(client, 'exact -37', step.proofState), { kind: 'closed' });
    }));

  it('trace_simp: envFor sends a header chain once and reuses it; commandIn runs in it', () =>
    withReplay('trace_simp', async (client) => {
      const chain = [
        'def f := 37',
        '@[simp] theorem f_def : f = 37 := by rfl',
        'set_option trace.Meta.Tactic.simp true',
      ];
      assert.equal(await client.envFor(chain), 2);
      const simp = await client.command('example : f = 37 := by simp', 2);
      assert.equal(simp.env, 3);
      assert.match(simp.messages?.[0]?.data ?? '', /f_def:1000/);
      // The transcript has no second copy of the chain: re-sending any of it would be answered with a mismatch.
      const { response, generation } = await client.commandIn(chain, 'example : f = 37 := by sorry');
      assert.equal(generation, 1);
      assert.equal(response.env, 4);
      const traced = await client.tactic('trace "37"', response.sorries?.[0]?.proofState ?? -1);
      assert.deepEqual(traced.traces, ['37']);
      assert.deepEqual(tacticOutcome(await client.tactic('simp', 0)), { kind: 'closed' });
      const info = await client.command('example : True := by\n  trace "!"\n  trivial', undefined);
      assert.deepEqual(info.messages?.[0]?.data, '!');
    }));

  it('pickle_environment: pickle and unpickle an environment', () =>
    withReplay('pickle_environment', async (client) => {
      assert.equal((await client.command('def f := 42', undefined)).env, 0);
      assert.equal((await client.pickleEnv(0, 'test/a.olean')).env, 0);
      const restored = await client.unpickleEnv('test/a.olean');
      assert.equal(restored.env, 1);
      const check = await client.command('example : f = 42 := by rfl', restored.env);
      assert.deepEqual(check, { env: 2 });
    }));

  it('pickle_proof_state_env: pickle proof states and go on from the restored ones', () =>
    withReplay('pickle_proof_state_env', async (client) => {
      const env = await client.envFor(['import Lean']);
      assert.equal(env, 0);
      const def = await client.command('def f : Nat := by sorry', env);
      assert.equal(def.sorries?.[0]?.proofState, 0);
      assert.equal((await client.pickleProofState(0, 'test/c.olean')).proofState, 1);
      const restored = await client.unpickleProofState('test/c.olean', env);
      assert.deepEqual(restored.goals, ['⊢ Nat']);
      const have = await client.tactic('have t : Nat := 42', restored.proofState);
      assert.equal((await client.pickleProofState(have.proofState, 'test/d.olean')).proofState, 4);
      const again = await client.unpickleProofState('test/d.olean', env);
      assert.deepEqual(again.goals, ['t : Nat\n⊢ Nat']);
      assert.deepEqual(await runTactic(client, 'exact t', again.proofState), { kind: 'closed' });
    }));

  it('app_type_mismatch2: multi-line tactics, a kernel rejection and the error object', () =>
    withReplay('app_type_mismatch2', async (client) => {
      const first = await client.command(
        'example : 1 = 0 := by\n  cases 1\n  rfl\n  have: true := by\n    apply ?succ\n    trivial',
        undefined,
      );
      assert.match(first.messages?.[0]?.data ?? '', /^\(kernel\) application type mismatch/);
      await client.command('example : 1 = 0 := sorry', undefined);
      assert.equal((await client.tactic('cases 1', 0)).goals.length, 2);
      await client.tactic('rfl', 1);
      const kernel = await runTactic(client, 'have: true := by\n    apply ?succ\n    trivial', 2);
      assert.match(kernel.kind === 'failed' ? kernel.error : '', /kernel type check failed/);
      const withSorry = await client.tactic('have: true := sorry', 2);
      assert.equal(withSorry.sorries?.[0]?.proofState, 4);
      const err = await rejected(client.tactic('apply ?succ', 4));
      assert.equal(err.kind, 'rejected');
      assert.match(err.message, /^Lean error:\nTactic `apply` failed/);
    }));

  it('unknown_proof_state: the error object is a rejection, and a failed tactic for runTactic', () =>
    withReplay('unknown_proof_state', async (client) => {
      await client.command('def f : Nat := by sorry', undefined);
      assert.deepEqual(await runTactic(client, 'exact 42', 1), { kind: 'failed', error: 'Unknown proof state.' });
    }));

  it('the double refuses a request that differs from the recording', () =>
    withReplay('readme', async (client) => {
      const err = await rejected(client.command('def g : Nat := by sorry', undefined));
      assert.equal(err.kind, 'rejected');
      assert.match(err.message, /double: unexpected input #1/);
    }));
});

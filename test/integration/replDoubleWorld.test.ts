/**
 * replDouble.mjs in world mode (`--world`), driven through the real ReplClient and the server's own goal probe
 * (planGoalQuery + readGoalResponse), tactic runner (runTactic) and soundness gate (checkProof): goals at the cursor,
 * tactic steps that progress, close and fail, whole proofs rechecked in command mode with `#print axioms`, sorries,
 * hangs and crashes. The world is test/fixtures/worlds/demo.json.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type GoalPlan, planGoalQuery } from '@llemma/prover-text/lean';
import { type GoalReading, readGoalResponse } from '../../server/provers/lean/goalResponse';
import { checkProof } from '../../server/provers/lean/proofCheck';
import { chainOf } from '../../server/provers/lean/proofSession';
import { ReplError } from '../../server/provers/lean/repl/replApi';
import { ReplClient, runTactic } from '../../server/provers/lean/repl/replClient';

const double = join(import.meta.dirname, '..', 'doubles', 'replDouble.mjs');
const world = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'demo.json');
const tmp = mkdtempSync(join(tmpdir(), 'llemma-world-'));
const clients: ReplClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  rmSync(tmp, { recursive: true, force: true });
});
let counter = 0;

function setup(wrap = false) {
  const log = join(tmp, `${counter++}.log.jsonl`);
  const args = [double, ...(wrap ? ['--wrap'] : []), '--world', world, '--log', log];
  const client = new ReplClient({
    launch: { command: process.execPath, args, cwd: tmp, display: 'replDouble --world' },
    requestTimeoutMs: 3000,
    importTimeoutMs: 3000,
  });
  clients.push(client);
  const events = (): { event: string; input?: { cmd?: string; tactic?: string } }[] =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];
  const inputs = () => events().filter((e) => e.event === 'input');
  return { client, inputs, starts: () => events().filter((e) => e.event === 'start') };
}

const file = (...decl: string[]) => ['import Mathlib', '', ...decl, ''].join('\n');
const addZero = file("theorem add_zero' (n : ℕ) : n + 0 = n := by", '  simp');
const twoMul = file("theorem two_mul' (n : ℕ) : 2 * n = n + n := by", '  rw [Nat.mul_comm]', '  rw [Nat.mul_two]');
const leSucc = file("theorem le_succ_of_le' (a b : ℕ) (h : a ≤ b) : a ≤ b + 1 := by", '  omega');

function plan(text: string, line: number, character = 2): GoalPlan {
  const p = planGoalQuery(text, { line, character });
  assert.ok(!('reason' in p), JSON.stringify(p));
  return p;
}

/** What the server does for "goal at cursor": the planned probe in the file's env chain, read back. */
async function goalAt(client: ReplClient, text: string, line: number, character = 2) {
  const p = plan(text, line, character);
  const { response } = await client.commandIn(chainOf(p), p.cmd);
  return readGoalResponse(p, response);
}

async function goals(client: ReplClient, text: string, line: number, character = 2): Promise<GoalReading> {
  const reading = await goalAt(client, text, line, character);
  assert.ok(!('reason' in reading), JSON.stringify(reading));
  return reading;
}

async function failure(promise: Promise<unknown>, kind: ReplError['kind']): Promise<ReplError> {
  const err = await promise.then(
    () => assert.fail(`expected a ReplError '${kind}'`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ReplError, String(err));
  assert.equal(err.kind, kind, err.message);
  return err;
}

describe('replDouble --world', { concurrency: true }, () => {
  it('answers the goal before the tactic on the cursor line, at the probe position', async () => {
    const { client, inputs } = setup();
    const first = await goals(client, addZero, 3);
    assert.deepEqual(first.goals, ['n : ℕ\n⊢ n + 0 = n']);
    assert.equal(typeof first.proofState, 'number');
    assert.deepEqual(first.errors, []);
    assert.deepEqual((await goals(client, twoMul, 4)).goals, ['n : ℕ\n⊢ n * 2 = n + n']);
    // On the `by` line: the goal before the whole proof.
    const byLine = file("theorem two_mul' (n : ℕ) : 2 * n = n + n := by simp");
    assert.deepEqual((await goals(client, byLine, 2, byLine.split('\n')[2]!.length - 5)).goals, [
      'n : ℕ\n⊢ 2 * n = n + n',
    ]);
    // After the last tactic of a complete proof there is nothing left to prove.
    const done = file(
      "theorem two_mul' (n : ℕ) : 2 * n = n + n := by",
      '  rw [Nat.mul_comm]',
      '  rw [Nat.mul_two]',
      '  ',
    );
    assert.deepEqual(await goals(client, done, 5), { goals: [], proofState: null, errors: [] });
    // The header is sent once for all of them.
    assert.equal(inputs().filter((e) => e.input?.cmd === plan(addZero, 3).header).length, 1);
  });

  it('reports every goal open at the probe, each in a proof state of its own', async () => {
    const { client } = setup();
    const text = file("theorem add_zero' (n : ℕ) : n + 0 = n := by", '  induction n', '  simp');
    const reading = await goals(client, text, 4);
    assert.deepEqual(reading.goals, [
      'case zero\n⊢ 0 + 0 = 0',
      'case succ\nn✝ : ℕ\na✝ : n✝ + 0 = n✝\n⊢ n✝ + 1 + 0 = n✝ + 1',
    ]);
    assert.deepEqual(await runTactic(client, 'rfl', reading.proofState!), { kind: 'closed' });
  });

  it('says why there is no goal when a tactic before the cursor fails', async () => {
    const { client } = setup();
    const text = file("theorem two_mul' (n : ℕ) : 2 * n = n + n := by", '  rfl', '  simp');
    const reading = await goalAt(client, text, 4);
    assert.ok('reason' in reading && reading.reason === 'leanError', JSON.stringify(reading));
    assert.match(reading.message, /at line 4.*The rfl tactic failed/s);
    const unknown = await goalAt(
      client,
      file("theorem two_mul' (n : ℕ) : 2 * n = n + n := by", '  blast', '  simp'),
      4,
    );
    assert.ok('reason' in unknown);
    assert.match(unknown.message, /Tactic `blast` failed: the world has no result for it on this goal\n\nn : ℕ/);
  });

  it('runs tactic steps that progress, close and fail; unknown proof states are rejected', async () => {
    const { client, inputs } = setup();
    const { proofState } = await goals(client, twoMul, 3);
    const step = await runTactic(client, 'rw [Nat.mul_comm]', proofState!);
    assert.deepEqual(step, { kind: 'progress', goals: ['n : ℕ\n⊢ n * 2 = n + n'] });
    const next = await client.tactic('rw [Nat.mul_comm]', proofState!);
    assert.deepEqual(await runTactic(client, 'rw [Nat.mul_two]', next.proofState), { kind: 'closed' });
    assert.deepEqual(await client.tactic('rw [Nat.mul_two]', next.proofState), {
      proofState: next.proofState + 2,
      goals: [],
      proofStatus: 'Completed',
    });
    // Two steps in one request, as Lean runs a tactic sequence.
    assert.deepEqual(await runTactic(client, 'rw [Nat.mul_comm]\nomega', proofState!), { kind: 'closed' });
    const thrown = await runTactic(client, 'rfl', proofState!);
    assert.ok(thrown.kind === 'failed' && /The rfl tactic failed/.test(thrown.error), JSON.stringify(thrown));
    const unlisted = await runTactic(client, 'nlinarith [sq_nonneg n]', proofState!);
    assert.ok(unlisted.kind === 'failed' && unlisted.error.includes('nlinarith [sq_nonneg n]'));
    // Names of Object.prototype are not table entries.
    assert.equal((await runTactic(client, 'constructor', proofState!)).kind, 'failed');
    // An error Lean recovers from: a proof state with the error, no goals, and a proof that is not complete.
    const recovered = await client.tactic('exact two_mul n', proofState!);
    assert.equal(recovered.proofStatus, 'Incomplete: contains sorry');
    assert.equal(recovered.messages?.[0]?.data, 'Unknown identifier `two_mul`');
    assert.deepEqual(await runTactic(client, 'exact two_mul n', proofState!), {
      kind: 'failed',
      error: 'Unknown identifier `two_mul`',
    });
    // A sorry in tactic mode taints the states after it.
    const sorried = await client.tactic('sorry', proofState!);
    assert.deepEqual(
      [sorried.proofStatus, sorried.goals, sorried.sorries?.length],
      ['Incomplete: contains sorry', [], 1],
    );
    const missing = await runTactic(client, 'simp', 9999);
    assert.ok(missing.kind === 'failed' && /Unknown proof state\./.test(missing.error), JSON.stringify(missing));
    assert.equal(inputs().filter((e) => e.input?.tactic !== undefined).length, 12);
  });

  it('rechecks a whole proof in command mode: no messages, and #print axioms without sorryAx', async () => {
    const { client } = setup();
    const p = plan(twoMul, 3);
    const decl = `${p.completion.prefix}  rw [Nat.mul_comm]\n  rw [Nat.mul_two]`;
    const { response } = await client.commandIn(chainOf(p), decl);
    assert.deepEqual(response.messages ?? [], []);
    assert.deepEqual(response.sorries ?? [], []);
    const printed = await client.command("#print axioms two_mul'", response.env);
    assert.deepEqual(
      printed.messages?.map((m) => [m.severity, m.data]),
      [['info', "'two_mul'' depends on axioms: [propext]"]],
    );
    // The server's soundness gate, multi-line tactics included.
    assert.deepEqual(await checkProof(client, p, ['rw [Nat.mul_comm]', 'omega'], { allowNativeDecide: false }), {
      ok: true,
      axioms: ['propext'],
      otherSorries: 0,
    });
    const induction = 'induction n with\n| zero => rfl\n| succ k ih => simp';
    assert.deepEqual(await checkProof(client, plan(addZero, 3), [induction], { allowNativeDecide: false }), {
      ok: true,
      axioms: [],
      otherSorries: 0,
    });
    const example = file('example : 2 + 2 = 4 := by', '  decide');
    assert.deepEqual(await checkProof(client, plan(example, 3), ['norm_num'], { allowNativeDecide: false }), {
      ok: true,
      axioms: [],
      otherSorries: 0,
    });
  });

  it('refuses a proof that trusts the compiler unless native_decide is allowed', async () => {
    const { client } = setup();
    const p = plan(file('theorem pow_ten : 2 ^ 10 = 1024 := by', '  sorry'), 3);
    const refused = await checkProof(client, p, ['native_decide'], { allowNativeDecide: false });
    assert.deepEqual(refused, {
      ok: false,
      reason: 'The proof trusts the compiler (Lean.ofReduceBool); native_decide is not allowed.',
    });
    assert.deepEqual(await checkProof(client, p, ['native_decide'], { allowNativeDecide: true }), {
      ok: true,
      axioms: ['propext', 'Lean.ofReduceBool'],
      otherSorries: 0,
    });
  });

  it('rejects proofs with sorry, errors or open goals; sorryAx shows in #print axioms', async () => {
    const { client } = setup();
    const p = plan(twoMul, 3);
    const chain = chainOf(p);
    const { response } = await client.commandIn(chain, `${p.completion.prefix}  rw [Nat.mul_comm]\n  sorry`);
    assert.deepEqual(
      response.sorries?.map((s) => [s.pos, s.goal]),
      [[{ line: 3, column: 2 }, 'n : ℕ\n⊢ n * 2 = n + n']],
    );
    assert.deepEqual(response.messages, [
      {
        severity: 'warning',
        pos: { line: 1, column: 8 },
        endPos: { line: 1, column: 16 },
        data: 'declaration uses `sorry`',
      },
    ]);
    const printed = await client.command("#print axioms two_mul'", response.env);
    assert.equal(printed.messages?.[0]?.data, "'two_mul'' depends on axioms: [propext, sorryAx]");
    const open = await client.commandIn(chain, `${p.completion.prefix}  rw [Nat.mul_comm]`);
    assert.deepEqual(open.response.messages, [
      {
        severity: 'error',
        pos: { line: 1, column: 44 },
        endPos: { line: 2, column: 19 },
        data: 'unsolved goals\nn : ℕ\n⊢ n * 2 = n + n',
      },
    ]);
    const check = (tactics: string[]) => checkProof(client, p, tactics, { allowNativeDecide: false });
    assert.deepEqual(await check(['sorry']), { ok: false, reason: 'The proof contains `sorry`.' });
    const failed = await check(['simp', 'omega']);
    assert.ok(!failed.ok && /simp made no progress/.test(failed.reason), JSON.stringify(failed));
    // Lean stops at the failing tactic: no "unsolved goals" for the rest.
    const stopped = await client.commandIn(chain, `${p.completion.prefix}  simp\n  omega`);
    assert.deepEqual(
      stopped.response.messages?.map((m) => [m.pos, m.data]),
      [[{ line: 2, column: 2 }, 'simp made no progress']],
    );
    const unknown = await client.command('#print axioms nope', open.response.env);
    assert.equal(unknown.messages?.[0]?.data, 'Unknown constant `nope`');
    assert.equal(unknown.messages?.[0]?.severity, 'error');
  });

  it("sets the user's other sorries apart: the proof is checked as strictly as without them", async () => {
    const { client, inputs } = setup();
    const both = file(
      "theorem both' (n : ℕ) : n + 0 = n ∧ 2 * n = n + n := by",
      '  refine ⟨?_, sorry⟩ -- sorry for now',
      '  sorry',
    );
    const p = plan(both, 4);
    const check = (tactics: string[]) => checkProof(client, p, tactics, { allowNativeDecide: false });
    // As the document will have it: the declaration still rests on the user's `sorry`.
    assert.deepEqual(await check(['simp']), { ok: true, axioms: ['propext', 'sorryAx'], otherSorries: 1 });
    const sent = inputs()
      .map((e) => e.input?.cmd ?? '')
      .filter((cmd) => cmd.startsWith("theorem both'"));
    assert.equal(sent.length, 1);
    assert.match(sent[0]!, /refine ⟨\?_, llemma_hole_[0-9a-f]{16}⟩ -- sorry for now\n {2}simp$/);
    assert.equal(inputs().filter((e) => /^axiom _root_\.llemmaHole_/m.test(e.input?.cmd ?? '')).length, 1);
    // A fact proved by `sorry` (or a tactic that admits) shows as sorryAx, and other sorries no longer excuse it.
    const admitted = await check(['exact add_zero_by_sorry n']);
    assert.ok(!admitted.ok && /depends on `sorryAx`/.test(admitted.reason), JSON.stringify(admitted));
    assert.deepEqual(await check(['sorry']), { ok: false, reason: 'The proof contains `sorry`.' });
    assert.equal(
      inputs().filter((e) => /^axiom _root_\.llemmaHole_/m.test(e.input?.cmd ?? '')).length,
      1,
      "the hole's environment is made once and reused",
    );
  });

  it('needs no hole for a `sorry` that is only a comment, and refuses sorryAx there too', async () => {
    const { client, inputs } = setup();
    const commented = file("theorem add_zero' (n : ℕ) : n + 0 = n := by", '  -- sorry, not yet', '  sorry');
    const p = plan(commented, 4);
    const check = (tactics: string[]) => checkProof(client, p, tactics, { allowNativeDecide: false });
    assert.deepEqual(await check(['simp']), { ok: true, axioms: [], otherSorries: 0 });
    const admitted = await check(['exact add_zero_by_sorry n']);
    assert.ok(!admitted.ok && /depends on `sorryAx`/.test(admitted.reason), JSON.stringify(admitted));
    assert.ok(inputs().every((e) => !/llemma_?[hH]ole/.test(e.input?.cmd ?? '')));
  });

  it('delays, hangs (timeout) and crashes as the world says, and restarts', async () => {
    const { client, starts } = setup(true);
    const twoSteps = file("theorem two_mul' (n : ℕ) : 2 * n = n + n := by", '  rw [Nat.mul_comm]', '  omega');
    const slow = await goals(client, twoSteps, 4);
    const t0 = Date.now();
    assert.deepEqual(await runTactic(client, 'simp_arith', slow.proofState!), { kind: 'closed' });
    assert.ok(Date.now() - t0 >= 350, 'the answer came after delayMs');
    const { proofState } = await goals(client, leSucc, 3);
    await failure(client.tactic('aesop', proofState!, { timeoutMs: 300 }), 'timeout');
    const again = await goals(client, leSucc, 3);
    assert.equal(client.generation, 2);
    assert.deepEqual(await runTactic(client, 'apply Nat.le_succ_of_le', again.proofState!), {
      kind: 'progress',
      goals: ['case h\na b : ℕ\nh : a ≤ b\n⊢ a ≤ b'],
    });
    const err = await failure(client.tactic('native_decide', again.proofState!), 'crashed');
    assert.match(err.message, /137|exit/);
    assert.deepEqual((await goals(client, leSucc, 3)).goals, ['a b : ℕ\nh : a ≤ b\n⊢ a ≤ b + 1']);
    assert.equal(client.generation, 3);
    assert.equal(starts().length, 3);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MinHeap } from '@llemma/stdx';
import {
  type BestFirstOptions,
  bestFirstSearch,
  type SearchEnvironment,
  type SearchProgress,
  type VerifyResult,
} from '../../../server/search/bestFirst';

/** What a tactic does in the synthetic prover: reach a state (by name), close the proof (`QED`), or fail (`null`). */
const QED = 'QED';
type Target = string | null;
/** State name → the model's candidates for it, best first, as [tactic, mean log-prob, target]. */
type Table = Record<string, ReadonlyArray<readonly [string, number, Target]>>;

interface Hooks {
  verify?: (tactics: readonly string[]) => VerifyResult;
  onPropose?: (state: string, signal: AbortSignal) => void;
  onApply?: (state: string, tactic: string, signal: AbortSignal) => void;
}

/** A deterministic environment over a table; states are their own keys, and every call is recorded. */
function tableEnv(table: Table, hooks: Hooks = {}) {
  const proposed: string[] = [];
  const applied: string[] = [];
  const verified: string[][] = [];
  const env: SearchEnvironment<string> = {
    propose: async (state, signal) => {
      proposed.push(state);
      hooks.onPropose?.(state, signal);
      return (table[state] ?? []).map(([tactic, score]) => ({ tactic, score }));
    },
    apply: async (state, tactic, signal) => {
      applied.push(`${state}:${tactic}`);
      hooks.onApply?.(state, tactic, signal);
      const row = table[state]?.find(([t]) => t === tactic);
      assert.ok(row, `the search ran \`${tactic}\` on ${state}, which the model never proposed`);
      const target = row[2];
      if (target === QED) return { kind: 'closed' };
      if (target === null) return { kind: 'failed', error: `\`${tactic}\` failed` };
      return { kind: 'progress', state: target, key: target };
    },
    verify: async (tactics) => {
      verified.push([...tactics]);
      return hooks.verify ? hooks.verify(tactics) : { ok: true, axioms: ['propext'] };
    },
  };
  return { env, proposed, applied, verified };
}

const unlimited: BestFirstOptions = { maxExpansions: Number.POSITIVE_INFINITY, timeLimitMs: Number.POSITIVE_INFINITY };

/** An endless chain: state `n` has one candidate, `next`, leading to state `n+1`. */
const chain: Table = new Proxy({} as Table, {
  get: (_target, state) => [['next', -1, String(Number(String(state)) + 1)]],
});

describe('bestFirstSearch', () => {
  it('finds a three-step proof when the greedy first choice is a dead end', async () => {
    const { env, proposed, verified } = tableEnv({
      root: [
        ['greedy', -0.1, 'A'],
        ['b', -0.5, 'B'],
      ],
      A: [['stuck', -0.1, null]],
      B: [['c', -0.2, 'C']],
      C: [['d', -0.1, QED]],
    });
    const result = await bestFirstSearch('root', 'root', env, unlimited);
    assert.equal(result.outcome, 'proved');
    assert.deepEqual(result.tactics, ['b', 'c', 'd']);
    assert.deepEqual(result.axioms, ['propext']);
    assert.deepEqual(proposed, ['root', 'A', 'B', 'C']);
    assert.deepEqual(verified, [['b', 'c', 'd']]);
    assert.deepEqual(
      { ...result.stats, elapsedMs: 0 },
      {
        expansions: 4,
        openNodes: 0,
        visitedStates: 4,
        tacticsRun: 5,
        failedTactics: 1,
        rejectedProofs: 0,
        elapsedMs: 0,
      },
    );
    assert.ok(Object.isFrozen(result) && Object.isFrozen(result.stats) && Object.isFrozen(result.tactics));
  });

  it('expands nodes in order of the summed negative mean log-prob and reports progress after each', async () => {
    const { env, proposed } = tableEnv({
      root: [
        ['a', -1, 'A'],
        ['b', -2, 'B'],
        ['c', -0.5, 'C'],
      ],
      A: [
        ['a1', -3, 'A1'],
        ['a2', -0.2, 'A2'],
      ],
      C: [['c1', -1, 'C1']],
    });
    const progress: SearchProgress[] = [];
    const result = await bestFirstSearch('root', 'root', env, { ...unlimited, onProgress: (p) => progress.push(p) });
    assert.equal(result.outcome, 'exhausted');
    assert.deepEqual(result.tactics, []);
    // Scores: C 0.5, A 1, A2 1.2, C1 1.5, B 2, A1 4.
    assert.deepEqual(proposed, ['root', 'C', 'A', 'A2', 'C1', 'B', 'A1']);
    assert.deepEqual(
      progress.map((p) => [p.expansions, p.openNodes]),
      [
        [1, 3],
        [2, 3],
        [3, 4],
        [4, 3],
        [5, 2],
        [6, 1],
        [7, 0],
      ],
    );
  });

  it('breaks ties in score by push order, not by comparing tactics as Python does', async () => {
    const { env, proposed } = tableEnv({
      root: [
        ['zeta', -1, 'Z'],
        ['alpha', -1, 'A'],
      ],
    });
    await bestFirstSearch('root', 'root', env, unlimited);
    assert.deepEqual(proposed, ['root', 'Z', 'A']);
  });

  it('expands a state reachable two ways once and never re-queues an expanded state', async () => {
    const { env, proposed } = tableEnv({
      root: [
        ['a', -1, 'X'],
        ['b', -2, 'Y'],
      ],
      X: [
        ['c', -1, 'Z'],
        ['back', -0.1, 'root'],
      ],
      Y: [['d', -0.1, 'Z']],
    });
    const result = await bestFirstSearch('root', 'root', env, unlimited);
    assert.equal(result.outcome, 'exhausted');
    assert.deepEqual(proposed, ['root', 'X', 'Y', 'Z']);
    assert.equal(result.stats.expansions, 4);
    assert.equal(result.stats.visitedStates, 4);
  });

  it('skips a second queue entry for a state that was expanded after both were pushed', async () => {
    const { env, proposed } = tableEnv({
      root: [
        ['a', -1, 'Z'],
        ['b', -2, 'Z'],
      ],
    });
    const result = await bestFirstSearch('root', 'root', env, unlimited);
    assert.equal(result.outcome, 'exhausted');
    assert.deepEqual(proposed, ['root', 'Z']);
    assert.deepEqual([result.stats.expansions, result.stats.openNodes], [2, 0]);
  });

  it('continues after a proof that fails verification, and counts it', async () => {
    const { env, verified } = tableEnv(
      {
        root: [
          ['bad', -0.1, QED],
          ['step', -0.2, 'S'],
        ],
        S: [['good', -0.3, QED]],
      },
      {
        verify: (t) => (t[0] === 'bad' ? { ok: false, reason: 'uses sorryAx' } : { ok: true, axioms: ['Quot.sound'] }),
      },
    );
    const result = await bestFirstSearch('root', 'root', env, unlimited);
    assert.equal(result.outcome, 'proved');
    assert.deepEqual(result.tactics, ['step', 'good']);
    assert.deepEqual(result.axioms, ['Quot.sound']);
    assert.deepEqual(verified, [['bad'], ['step', 'good']]);
    assert.equal(result.stats.rejectedProofs, 1);
  });

  it('returns the first verified proof without running the remaining candidates', async () => {
    const { env, applied } = tableEnv({
      root: [
        ['fails', -0.1, null],
        ['first', -0.2, QED],
        ['second', -0.3, QED],
      ],
    });
    const result = await bestFirstSearch('root', 'root', env, unlimited);
    assert.deepEqual(result.tactics, ['first']);
    assert.deepEqual(applied, ['root:fails', 'root:first']);
    assert.deepEqual([result.stats.tacticsRun, result.stats.failedTactics], [2, 1]);
  });

  it('stops at the expansion limit with the rest of the queue open', async () => {
    const { env, proposed } = tableEnv(chain);
    const result = await bestFirstSearch('0', '0', env, { ...unlimited, maxExpansions: 3 });
    assert.equal(result.outcome, 'expansionLimit');
    assert.deepEqual(proposed, ['0', '1', '2']);
    assert.deepEqual([result.stats.expansions, result.stats.openNodes, result.stats.visitedStates], [3, 1, 3]);

    const none = await bestFirstSearch('0', '0', tableEnv(chain).env, { ...unlimited, maxExpansions: 0 });
    assert.equal(none.outcome, 'expansionLimit');
    assert.deepEqual([none.stats.expansions, none.stats.openNodes], [0, 1]);
  });

  it('checks the time limit before each tactic it runs', async () => {
    let clock = 1000;
    const { env, applied } = tableEnv(
      {
        root: [
          ['t1', -1, null],
          ['t2', -1, null],
          ['t3', -1, null],
          ['t4', -1, QED],
        ],
      },
      { onApply: () => (clock += 10) },
    );
    const result = await bestFirstSearch('root', 'root', env, { ...unlimited, timeLimitMs: 25, now: () => clock });
    assert.equal(result.outcome, 'timeLimit');
    assert.deepEqual(applied, ['root:t1', 'root:t2', 'root:t3']);
    assert.deepEqual([result.stats.tacticsRun, result.stats.expansions, result.stats.elapsedMs], [3, 1, 30]);
    assert.deepEqual(result.tactics, []);
  });

  it('checks the time limit before each expansion', async () => {
    let clock = 0;
    const { env, proposed } = tableEnv(chain, { onApply: () => (clock += 10) });
    const result = await bestFirstSearch('0', '0', env, { ...unlimited, timeLimitMs: 20, now: () => clock });
    assert.equal(result.outcome, 'timeLimit');
    assert.deepEqual(proposed, ['0', '1']);
    assert.deepEqual([result.stats.expansions, result.stats.openNodes, result.stats.elapsedMs], [2, 1, 20]);
  });

  it('stops with `cancelled` when the signal is aborted during propose, and passes the signal on', async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const { env, applied } = tableEnv(
      {
        root: [['a', -1, 'A']],
        A: [['b', -1, QED]],
      },
      {
        onPropose: (state, signal) => {
          seen.push(signal);
          if (state === 'A') controller.abort();
        },
      },
    );
    const result = await bestFirstSearch('root', 'root', env, { ...unlimited, signal: controller.signal });
    assert.equal(result.outcome, 'cancelled');
    assert.deepEqual(applied, ['root:a']);
    assert.deepEqual(result.tactics, []);
    assert.ok(seen.every((s) => s === controller.signal));
  });

  it('reports an environment call rejected by the abort as `cancelled`, not as an error', async () => {
    const controller = new AbortController();
    const { env } = tableEnv(chain, {
      onApply: (_state, _tactic, signal) => {
        controller.abort();
        signal.throwIfAborted();
      },
    });
    const result = await bestFirstSearch('0', '0', env, { ...unlimited, signal: controller.signal });
    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.stats.tacticsRun, 1);
  });

  it('does nothing when the signal is already aborted', async () => {
    const { env, proposed } = tableEnv(chain);
    const result = await bestFirstSearch('0', '0', env, { ...unlimited, signal: AbortSignal.abort() });
    assert.equal(result.outcome, 'cancelled');
    assert.deepEqual(proposed, []);
  });

  it('propagates errors that are not cancellations', async () => {
    const crash = tableEnv(chain, {
      onApply: () => {
        throw new Error('the REPL crashed');
      },
    });
    await assert.rejects(bestFirstSearch('0', '0', crash.env, unlimited), /the REPL crashed/);
    const model = tableEnv(chain, {
      onPropose: () => {
        throw new Error('model failed');
      },
    });
    await assert.rejects(bestFirstSearch('0', '0', model.env, unlimited), /model failed/);
  });

  it('refuses invalid budgets and NaN scores', async () => {
    const { env } = tableEnv({ root: [['a', Number.NaN, 'A']] });
    await assert.rejects(bestFirstSearch('root', 'root', env, { ...unlimited, maxExpansions: -1 }), RangeError);
    await assert.rejects(bestFirstSearch('root', 'root', env, { ...unlimited, timeLimitMs: Number.NaN }), RangeError);
    await assert.rejects(bestFirstSearch('root', 'root', env, unlimited), RangeError);
    const ok = tableEnv({ root: [['a', -1, QED]] }).env;
    for (const concurrency of [0, 1.5, Number.NaN]) {
      await assert.rejects(bestFirstSearch('root', 'root', ok, { ...unlimited, concurrency }), RangeError);
    }
  });
});

describe('bestFirstSearch with concurrent tactic checks', () => {
  /**
   * The table environment with `apply` answering after a per-tactic delay (ms; default 1), recording the tactics
   * started, the most applies ever in flight and the tactics whose signal abandoned them.
   */
  function timedEnv(table: Table, delays: Record<string, number> = {}) {
    const inner = tableEnv(table);
    let inFlight = 0;
    const stats = { started: [] as string[], maxInFlight: 0, abandoned: [] as string[] };
    const env: SearchEnvironment<string> = {
      ...inner.env,
      apply: (state, tactic, signal) =>
        new Promise((resolve, reject) => {
          stats.started.push(tactic);
          stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
          const timer = setTimeout(() => {
            inFlight--;
            signal.removeEventListener('abort', onAbort);
            resolve(inner.env.apply(state, tactic, signal));
          }, delays[tactic] ?? 1);
          const onAbort = () => {
            clearTimeout(timer);
            inFlight--;
            stats.abandoned.push(tactic);
            reject(signal.reason);
          };
          signal.addEventListener('abort', onAbort, { once: true });
        }),
    };
    return { ...inner, env, stats };
  }

  const wide: Table = {
    root: [
      ['a1', -0.1, null],
      ['a2', -0.2, 'A'],
      ['a3', -0.3, 'B'],
      ['a4', -0.4, null],
      ['a5', -0.5, 'A'],
      ['a6', -0.6, null],
    ],
    A: [
      ['x', -0.1, null],
      ['y', -0.2, 'C'],
    ],
    B: [['z', -0.1, null]],
    C: [
      ['w1', -0.3, null],
      ['w2', -0.4, QED],
      ['w3', -0.5, QED],
    ],
  };

  it('finds the same proof in the same order of expansions whatever the concurrency, within its bound', async () => {
    const sequential = tableEnv(wide);
    const expected = await bestFirstSearch('root', 'root', sequential.env, unlimited);
    assert.equal(expected.outcome, 'proved');
    assert.deepEqual(expected.tactics, ['a2', 'y', 'w2']);
    for (const concurrency of [2, 3, 8]) {
      // Later candidates answer first: a search that took results as they came would queue and prove differently.
      const delays = { a1: 30, a2: 20, a3: 10, w2: 15, w3: 1 };
      const run = timedEnv(wide, delays);
      const result = await bestFirstSearch('root', 'root', run.env, { ...unlimited, concurrency });
      assert.equal(result.outcome, 'proved', `concurrency ${concurrency}`);
      assert.deepEqual(result.tactics, expected.tactics, `concurrency ${concurrency}`);
      assert.deepEqual(run.proposed, sequential.proposed, `concurrency ${concurrency}`);
      assert.deepEqual(run.verified, [['a2', 'y', 'w2']], `concurrency ${concurrency}: w3 finished first`);
      assert.ok(run.stats.maxInFlight > 1, `concurrency ${concurrency}: the checks overlapped`);
      assert.ok(run.stats.maxInFlight <= concurrency, `concurrency ${concurrency}: ${run.stats.maxInFlight} in flight`);
      assert.equal(result.stats.expansions, expected.stats.expansions);
      assert.equal(result.stats.visitedStates, expected.stats.visitedStates);
    }
  });

  it('abandons the tactics still running when a proof is found', async () => {
    const run = timedEnv(
      {
        root: [
          ['done', -0.1, QED],
          ['slow1', -0.2, null],
          ['slow2', -0.3, null],
          ['never', -0.4, null],
        ],
      },
      { done: 1, slow1: 10_000, slow2: 10_000 },
    );
    const result = await bestFirstSearch('root', 'root', run.env, { ...unlimited, concurrency: 3 });
    assert.equal(result.outcome, 'proved');
    assert.deepEqual(result.tactics, ['done']);
    assert.deepEqual(run.stats.abandoned.sort(), ['slow1', 'slow2']);
    // `never` was outside the window when the proof arrived: it was not started at all.
    assert.deepEqual(run.stats.started, ['done', 'slow1', 'slow2']);
    assert.equal(result.stats.tacticsRun, 3);
  });

  it('stops starting tactics when the search is cancelled, and reports cancelled', async () => {
    const controller = new AbortController();
    const run = timedEnv(
      { root: [...Array.from({ length: 10 }, (_, i) => [`t${i}`, -0.1, null] as const)] },
      {
        t0: 50,
        t1: 10_000,
      },
    );
    setTimeout(() => controller.abort(), 20);
    const result = await bestFirstSearch('root', 'root', run.env, {
      ...unlimited,
      concurrency: 2,
      signal: controller.signal,
    });
    assert.equal(result.outcome, 'cancelled');
    assert.deepEqual(run.stats.started, ['t0', 't1']);
    assert.deepEqual(run.stats.abandoned.sort(), ['t0', 't1']);
  });
});

describe('MinHeap', () => {
  it('pops in order for many pseudo-random inputs, interleaving pushes and pops', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 100;
    };
    const heap = new MinHeap<number>((a, b) => a < b);
    const reference: number[] = [];
    for (let i = 0; i < 2000; i++) {
      if (random() < 60) {
        const x = random();
        heap.push(x);
        reference.push(x);
        reference.sort((a, b) => a - b);
      } else {
        assert.equal(heap.pop(), reference.shift());
      }
      assert.equal(heap.size, reference.length);
    }
    while (reference.length > 0) assert.equal(heap.pop(), reference.shift());
    assert.equal(heap.pop(), undefined);
  });
});

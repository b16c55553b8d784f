// The miniF2F runner on the core, with the REPL double at the process boundary (test/doubles/minif2fWorld.mjs): a run
// proves some problems and fails others, a REPL worker killed with SIGKILL costs nothing, a run resumes exactly,
// shards merge to one run's results, and a project of another Lean or Mathlib is refused with what differs.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { defaultSettings, LlemmaErrorCode, type MiniF2FProgress } from '../../protocol';
import { LlemmaCore, mergeFiles, parseShard, reportOf, type Shard } from '../../server/core';
import {
  firstProblems,
  MiniF2FTactics,
  makeMiniF2FProject,
  outcomeOf,
  type Plan,
  readRecords,
  replStarts,
  worldRepl,
} from './minif2fFixture';

const names = firstProblems(6);
const plans: Record<string, Plan> = {
  [names[0]!]: 'proved',
  [names[1]!]: 'unproved',
  [names[2]!]: 'twoSteps',
  [names[3]!]: 'unproved',
  [names[4]!]: 'proved',
  [names[5]!]: 'twoSteps',
};

function core(repl: string, tactics = new MiniF2FTactics()) {
  return new LlemmaCore({ settings: { ...defaultSettings }, replOverride: repl, tactics });
}

async function run(
  c: LlemmaCore,
  root: string,
  out: string,
  extra: { workers?: number; shard?: Shard; signal?: AbortSignal; onProgress?: (p: MiniF2FProgress) => void } = {},
) {
  return c.runMiniF2F({ variant: 'yangky11', split: 'test', projectRoot: root, out, workers: 2, limit: 6, ...extra });
}

test('a run over a subset proves some problems and fails others; each result is a record that names its setup', async () => {
  const { base, root } = makeMiniF2FProject();
  const { repl, log } = worldRepl(base, plans);
  const c = core(repl);
  const out = path.join(base, 'results.jsonl');
  const progress: MiniF2FProgress[] = [];
  try {
    const summary = await run(c, root, out, { onProgress: (p) => progress.push(p) });
    assert.equal(summary.cancelled, false);
    assert.deepEqual(
      { solved: summary.progress.solved, tried: summary.progress.tried, left: summary.progress.left },
      { solved: 4, tried: 6, left: 0 },
    );
  } finally {
    await c.dispose();
  }
  const records = readRecords(out);
  assert.deepEqual(records.map((r) => r.problem).sort(), [...names].sort());
  const byName = new Map(records.map((r) => [r.problem, r]));
  assert.deepEqual(byName.get(names[0]!)!.proof, ['norm_num']);
  assert.deepEqual(byName.get(names[2]!)!.proof, ['linarith', 'nlinarith']);
  assert.equal(byName.get(names[1]!)!.status, 'exhausted');
  assert.deepEqual(byName.get(names[1]!)!.proof, []);
  const r = byName.get(names[0]!)!;
  assert.equal(r.variant, 'yangky11');
  assert.equal(r.category, 'aime');
  assert.deepEqual(r.budget, {
    candidatesPerExpansion: 32,
    maxExpansions: 100,
    timeLimitMs: 600_000,
    allowNativeDecide: false,
  });
  assert.equal(r.model.source, 'minif2f fixed candidates');
  assert.deepEqual(r.prover.lean, 'leanprover/lean4:v4.24.0');
  assert.equal(r.prover.mathlib, 'f897ebcf72cd16f89ab4577d0c826cd14afaafc7');
  assert.match(r.prover.replCommand, /replDouble\.mjs/);
  assert.equal(r.runner.workers, 2);
  assert.ok(r.screen.allowListSize > 200);
  // Two workers, a REPL each (the double's log counts the processes).
  assert.equal(new Set(replStarts(log)).size, 2);
  // Progress: from 0 tried to all, with an ETA once a problem has ended.
  assert.equal(progress[0]!.tried, 0);
  assert.equal(progress.at(-1)!.tried, 6);
  assert.equal(progress.at(-1)!.etaMs, 0);
  assert.ok(progress.slice(1).every((p) => p.etaMs !== null));

  const { report, markdown } = reportOf([out]);
  assert.deepEqual(
    report.splits.map((s) => [s.split, s.solved, s.tried, s.total]),
    [['test', 4, 6, 244]],
  );
  assert.equal(report.splits[0]!.percentOfSplit, 1.64);
  assert.match(report.header.find((h) => h.label === 'Budget')!.value, /32 candidates × 100 expansions, 600 s/);
  // Each tactic's sources (this run's tactic source is the fixed model of the fixture alone).
  assert.deepEqual(byName.get(names[2]!)!.sources, ['model', 'model']);
  assert.deepEqual(report.rows.find((row) => row.problem === names[0])!.sources, ['model']);
  assert.deepEqual(report.rows.find((row) => row.problem === names[1])!.sources, []);
  assert.match(markdown, /Llemma 7B \| 26\.23/);
});

test('a REPL worker killed with SIGKILL mid-run: the run goes on and every problem has exactly one result', async () => {
  const { base, root } = makeMiniF2FProject();
  const killedPlans = { ...plans, [names[0]!]: 'killed' as Plan, [names[4]!]: 'killed' as Plan };
  const { repl, log } = worldRepl(base, killedPlans);
  const c = core(repl);
  const out = path.join(base, 'results.jsonl');
  try {
    const summary = await run(c, root, out);
    assert.equal(summary.progress.solved, 4);
  } finally {
    await c.dispose();
  }
  const records = readRecords(out);
  assert.deepEqual(records.map((r) => r.problem).sort(), [...names].sort());
  assert.equal(records.find((r) => r.problem === names[0])!.status, 'proved');
  // A REPL was killed and another started in its place.
  assert.ok(replStarts(log).length > 2, `REPL starts: ${replStarts(log).length}`);
  assert.ok(existsSync(path.join(base, 'world.state')));
});

test('resume skips exactly the finished problems: a torn last line runs again, nothing is written twice', async () => {
  const { base, root } = makeMiniF2FProject();
  const { repl } = worldRepl(base, plans);
  const full = path.join(base, 'full.jsonl');
  let c = core(repl);
  try {
    await run(c, root, full);
  } finally {
    await c.dispose();
  }
  // A run killed after three records, the fourth half written.
  const lines = readFileSync(full, 'utf8').split('\n').filter(Boolean);
  const partial = path.join(base, 'partial.jsonl');
  writeFileSync(partial, `${lines.slice(0, 3).join('\n')}\n`);
  appendFileSync(partial, lines[3]!.slice(0, 40));
  const tactics = new MiniF2FTactics();
  c = core(repl, tactics);
  let progress: MiniF2FProgress | undefined;
  try {
    const summary = await run(c, root, partial, { onProgress: (p) => (progress ??= p) });
    assert.equal(summary.progress.resumed, 3);
  } finally {
    await c.dispose();
  }
  assert.equal(progress!.resumed, 3);
  assert.equal(progress!.tried, 3);
  const resumed = readRecords(partial);
  assert.equal(resumed.length, 6);
  assert.equal(new Set(resumed.map((r) => r.problem)).size, 6);
  const done = new Set(lines.slice(0, 3).map((l) => JSON.parse(l).problem));
  assert.deepEqual(
    resumed.slice(0, 3).map((r) => r.problem),
    [...done],
  );
  const sort = (rs: ReturnType<typeof readRecords>) =>
    rs.map(outcomeOf).sort((a, b) => a.problem.localeCompare(b.problem));
  assert.deepEqual(sort(resumed), sort(readRecords(full)));

  // Run again: nothing left, nothing written, the model not asked.
  const idle = new MiniF2FTactics();
  c = core(repl, idle);
  try {
    const summary = await run(c, root, partial);
    assert.deepEqual([summary.progress.tried, summary.progress.left], [6, 0]);
  } finally {
    await c.dispose();
  }
  assert.equal(readRecords(partial).length, 6);
  assert.equal(idle.calls, 0);
});

test('two shards merged give the results of one run', async () => {
  const { base, root } = makeMiniF2FProject();
  const { repl } = worldRepl(base, plans);
  const outs = [1, 2].map((i) => path.join(base, `shard${i}.jsonl`));
  const one = path.join(base, 'one.jsonl');
  for (const [i, out] of outs.entries()) {
    const c = core(repl);
    try {
      // The limit applies per shard: 3 of each shard's problems, 6 in all — the first six of the split.
      await c.runMiniF2F({
        variant: 'yangky11',
        split: 'test',
        projectRoot: root,
        out,
        workers: 1,
        shard: parseShard(`${i + 1}/2`) as Shard,
        limit: 3,
      });
    } finally {
      await c.dispose();
    }
  }
  const c = core(repl);
  try {
    await run(c, root, one, { workers: 1 });
  } finally {
    await c.dispose();
  }
  assert.deepEqual(
    readRecords(outs[0]!).map((r) => r.runner.shard),
    ['1/2', '1/2', '1/2'],
  );
  const merged = path.join(base, 'merged.jsonl');
  assert.equal(mergeFiles(outs, merged), 6);
  const sort = (rs: ReturnType<typeof readRecords>) =>
    rs.map(outcomeOf).sort((a, b) => a.problem.localeCompare(b.problem));
  assert.deepEqual(sort(readRecords(merged)), sort(readRecords(one)));
  assert.deepEqual(reportOf([merged]).report.splits, reportOf([one]).report.splits);
});

test('a project of another Lean or Mathlib is refused, saying exactly what differs', async () => {
  const cases = [
    {
      pins: { lean: 'leanprover/lean4:v4.9.0' },
      expect:
        /lean-toolchain is `leanprover\/lean4:v4\.9\.0`; the yangky11 variant needs `leanprover\/lean4:v4\.24\.0`/,
    },
    {
      pins: { mathlib: 'abc123' },
      expect: /Mathlib at `abc123`; the yangky11 variant needs `f897ebcf72cd16f89ab4577d0c826cd14afaafc7`/,
    },
    { pins: { mathlib: null }, expect: /no lake-manifest\.json/ },
  ];
  for (const { pins, expect } of cases) {
    const { base, root } = makeMiniF2FProject('yangky11', pins);
    const { repl, log } = worldRepl(base, plans);
    const c = core(repl);
    const out = path.join(base, 'results.jsonl');
    try {
      await assert.rejects(run(c, root, out), (err: { code: number; message: string }) => {
        assert.equal(err.code, LlemmaErrorCode.ProjectMismatch);
        assert.match(err.message, expect);
        return true;
      });
    } finally {
      await c.dispose();
    }
    assert.equal(existsSync(out), false, 'nothing written');
    assert.deepEqual(replStarts(log), [], 'no REPL started');
  }
  // The DeepSeek variant's project is not the default's.
  const { base, root } = makeMiniF2FProject('deepseek');
  const c = core(worldRepl(base, plans).repl);
  try {
    await assert.rejects(run(c, root, path.join(base, 'r.jsonl')), /v4\.9\.0-rc1`; the yangky11 variant needs/);
  } finally {
    await c.dispose();
  }
});

test('a results file of another configuration is refused; cancelling keeps what finished', async () => {
  const { base, root } = makeMiniF2FProject();
  const { repl } = worldRepl(base, { ...plans, [names[1]!]: 'slow', [names[3]!]: 'slow' });
  const out = path.join(base, 'results.jsonl');
  const abort = new AbortController();
  let c = core(repl);
  try {
    const summary = await run(c, root, out, {
      workers: 1,
      onProgress: (p) => {
        if (p.tried === 2) abort.abort();
      },
      signal: abort.signal,
    });
    assert.equal(summary.cancelled, true);
    assert.equal(summary.progress.tried, 2);
  } finally {
    await c.dispose();
  }
  assert.equal(readRecords(out).length, 2);

  c = core(repl);
  try {
    await assert.rejects(
      c.runMiniF2F({
        variant: 'yangky11',
        split: 'test',
        projectRoot: root,
        out,
        workers: 1,
        limit: 6,
        budget: { maxExpansions: 5 },
      }),
      (err: { code: number; message: string }) => {
        assert.equal(err.code, LlemmaErrorCode.ResultsFileError);
        assert.match(
          err.message,
          /another run \(budget: 32 candidates × 100 expansions.* vs 32 candidates × 5 expansions/,
        );
        return true;
      },
    );
  } finally {
    await c.dispose();
  }
  assert.equal(readRecords(out).length, 2);
});

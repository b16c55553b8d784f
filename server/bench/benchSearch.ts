// `npm run bench:search`: where the time of a verified suggestion and of a proof search goes, measured through
// LlemmaCore (the code the language server runs) with the real model and a replayed prover: the REPL double in
// `--world` mode (test/doubles/replDouble.mjs), a real child process speaking the REPL protocol, which answers from
// the table in test/fixtures/worlds/bench.json. Not part of `npm test`.
//
// What it prints, each figure beside the model, budget, prover and machine that produced it:
//   - suggestion latency, request → verified list, p50/p95 over N positions with N distinct goals (the candidate and
//     verdict caches are keyed by goal, so every one of these requests is cold; one core, model already loaded);
//   - cache-hit latency p50/p95: the same request repeated;
//   - one REPL round trip (ProofSession.check of one tactic) p50/p95: what "prover" costs per tactic here;
//   - two proof searches (one proved, one that runs out of states) with the same breakdown;
//   - the share of wall time outside the model and the prover, against the target of ≤ 5 %;
//   - 32 candidates for one goal from all sources (the merged generator, `core.candidates`) beside the model alone
//     (a second core with `model.sources: model`), p50/p95 over the same goals, no prover involved.
//
// Options: --model <dir|url> (default: the embedded model/default), --ep <list>, --n <positions> (default 20),
//   --candidates <k> (candidates = beam width, default 32 as the settings), --repeats <k> (cache hits, default 20),
//   --expansions <k> (per proof search, default 8), --round-trips <k> (default 200).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { defaultMaxNewTokens } from '@llemma/model/choices';
import { benchWorldFile, readBenchWorld, theoremOfGoal } from '../../model/bench/benchWorld';
import {
  defaultSettings,
  type ExecutionProviderSetting,
  executionProviders,
  type LlemmaSettings,
  type ProveTheoremResult,
  parseSetting,
  type SuggestTacticsResult,
} from '../../protocol';
import { LlemmaCore } from '../core';
import { environmentOverrides } from '../environment';

const root = path.resolve(__dirname, '..', '..');
const worldFile = benchWorldFile;
const doubleFile = path.join(root, 'test', 'doubles', 'replDouble.mjs');
const started = performance.now();

const fmt = (x: number, digits = 1) => x.toFixed(digits);
/** Nearest-rank percentile of a non-empty list. */
const pct = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
};
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

interface Options {
  model?: string;
  ep?: ExecutionProviderSetting;
  n: number;
  candidates: number;
  repeats: number;
  expansions: number;
  roundTrips: number;
}

function parseOptions(argv: string[]): Options {
  const out: Options = { n: 20, candidates: 32, repeats: 20, expansions: 8, roundTrips: 200 };
  const int = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${v}`);
    return n;
  };
  const providers = (flag: string, v: string | undefined) => {
    const ep = parseSetting('model.executionProvider', v);
    if (ep === undefined) throw new Error(`${flag} needs auto or a list of ${executionProviders.join(', ')}, got ${v}`);
    return ep;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (flag === '--model') out.model = value;
    else if (flag === '--ep') out.ep = providers(flag, value);
    else if (flag === '--n') out.n = int(flag, value);
    else if (flag === '--candidates') out.candidates = int(flag, value);
    else if (flag === '--repeats') out.repeats = int(flag, value);
    else if (flag === '--expansions') out.expansions = int(flag, value);
    else if (flag === '--round-trips') out.roundTrips = int(flag, value);
    else throw new Error(`unknown option ${flag}`);
  }
  return out;
}

/** The declarations of the world as Lean source, each `:= by sorry`. */
function leanSource(theorems: Record<string, string>): { text: string; line: Map<string, number> } {
  const lines = ['import Mathlib', ''];
  const line = new Map<string, number>();
  for (const [name, goal] of Object.entries(theorems)) {
    lines.push(`${theoremOfGoal(name, goal)} := by`);
    line.set(name, lines.length);
    lines.push('  sorry', '');
  }
  return { text: lines.join('\n'), line };
}

interface SuggestRow {
  name: string;
  wallMs: number;
  r: SuggestTacticsResult;
}

/** total − goal probe − model − tactic checks: the time spent neither in the model nor in REPL round trips. */
const outsideOf = (r: SuggestTacticsResult) =>
  r.timings.totalMs - r.timings.goalMs - r.timings.modelMs - r.timings.proverMs;

function describeMachine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? '?';
  return (
    `${cpu}, ${os.availableParallelism()} cores (os.availableParallelism), ${fmt(os.totalmem() / 2 ** 30)} GiB, ` +
    `${os.type()} ${os.release()}; node ${process.version}; load average ${os
      .loadavg()
      .map((x) => fmt(x, 2))
      .join(' ')}`
  );
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const world = readBenchWorld();
  const { warmUp: warmGoal, positions } = world;
  const measured = Object.keys(positions).slice(0, opts.n);
  if (measured.length < opts.n) throw new Error(`--n ${opts.n}: the world has only ${measured.length} positions`);
  const goals = new Set(measured.map((n) => positions[n]));
  if (goals.size !== measured.length || goals.has(warmGoal)) throw new Error('the measured goals must be distinct');

  // A throwaway Lean project holding one file with every declaration of the world, each `:= by sorry`.
  const base = mkdtempSync(path.join(os.tmpdir(), 'llemma-bench-search-'));
  const projectRoot = path.join(base, 'proj');
  mkdirSync(projectRoot);
  writeFileSync(path.join(projectRoot, 'lakefile.toml'), 'name = "bench"\n');
  writeFileSync(path.join(projectRoot, 'lean-toolchain'), 'leanprover/lean4:v4.33.0-rc2\n');
  const file = path.join(projectRoot, 'Bench.lean');
  const { text, line } = leanSource(world.theorems);
  writeFileSync(file, text);
  const at = (name: string) => ({ line: line.get(name)!, character: 2 });

  const settings: LlemmaSettings = {
    ...defaultSettings,
    'model.path': opts.model ?? '',
    'model.executionProvider': opts.ep ?? defaultSettings['model.executionProvider'],
    'suggest.candidates': opts.candidates,
    'search.candidatesPerExpansion': opts.candidates,
  };
  const replCommand = [process.execPath, doubleFile, '--world', worldFile].map((a) => `'${a}'`).join(' ');
  // Without --model, the environment's LLEMMA_MODEL (else the embedded model), as the CLI and the server take it.
  const { model: environmentModel } = environmentOverrides();
  const core = new LlemmaCore({
    settings,
    replOverride: replCommand,
    model: environmentModel !== undefined ? { spec: environmentModel } : {},
  });

  try {
    // Warm-up: starts the REPL double, elaborates the header, loads the model in its worker, JIT-compiles the path.
    const warmStarted = performance.now();
    const warm = await core.suggestTactics(file, text, at('warm_up'));
    const warmMs = performance.now() - warmStarted;

    // 1. Cold suggestions: one request per position, each goal distinct (the caches are keyed by goal).
    const cold: SuggestRow[] = [];
    for (const name of measured) {
      const t = performance.now();
      const r = await core.suggestTactics(file, text, at(name));
      const wallMs = performance.now() - t;
      if (r.cached) throw new Error(`${name}: expected a cold candidate cache`);
      cold.push({ name, wallMs, r });
    }

    // 2. Cache hits: the first position's request again, unchanged.
    const hits: SuggestRow[] = [];
    for (let i = 0; i < opts.repeats; i++) {
      const t = performance.now();
      const r = await core.suggestTactics(file, text, at(measured[0]!));
      const wallMs = performance.now() - t;
      if (!r.cached) throw new Error('expected a candidate-cache hit');
      hits.push({ name: measured[0]!, wallMs, r });
    }

    // 3. One REPL round trip: ProofSession.check of a tactic on the root (the call every candidate goes through).
    const session = await core.lean.openSession(file, text, at(measured[0]!));
    const roundTrips: number[] = [];
    for (let i = 0; i < opts.roundTrips; i++) roundTrips.push((await session.check(session.root, 'simp')).ms);

    // 4. Proof searches.
    const budget = { maxExpansions: opts.expansions, timeLimitMs: 60_000 };
    const searches: { name: string; wallMs: number; r: ProveTheoremResult }[] = [];
    for (const name of ['mul_comm_and_add_zero', 'half_of_four']) {
      const t = performance.now();
      const r = await core.proveTheorem(file, text, at(name), { budget });
      searches.push({ name, wallMs: performance.now() - t, r });
    }

    // 5. Candidates alone (no prover): every source merged, beside the model alone, alternating per goal.
    const alone = new LlemmaCore({
      settings: { ...settings, 'model.sources': ['model'] },
      replOverride: replCommand,
      model: environmentModel !== undefined ? { spec: environmentModel } : {},
    });
    const candidates = { merged: [] as number[], alone: [] as number[] };
    try {
      const budget = { candidates: opts.candidates, beamWidth: opts.candidates, maxNewTokens: defaultMaxNewTokens };
      const contextOf = (name: string, goal: string) => ({
        theorem: theoremOfGoal(name, goal),
        tactics: [],
        goals: [goal],
      });
      await alone.candidates(contextOf('warm_up', warmGoal), budget);
      for (const name of measured) {
        const context = contextOf(name, positions[name]!);
        candidates.merged.push((await core.candidates(context, budget)).elapsedMs);
        candidates.alone.push((await alone.candidates(context, budget)).elapsedMs);
      }
    } finally {
      await alone.dispose();
    }

    report(opts, warm, warmMs, cold, hits, roundTrips, searches, replCommand);
    const sources = warm.model.sources?.join(', ') ?? 'the model';
    console.log();
    console.log(
      `candidates for one goal (${opts.candidates}; core.candidates, no prover; ${measured.length} goals): all sources ` +
        `(${sources}) p50 ${fmt(pct(candidates.merged, 0.5))} ms, p95 ${fmt(pct(candidates.merged, 0.95))} ms; ` +
        `the model alone p50 ${fmt(pct(candidates.alone, 0.5))} ms, p95 ${fmt(pct(candidates.alone, 0.95))} ms ` +
        `(target ≤ 300 ms at the median: ${pct(candidates.merged, 0.5) <= 300 ? 'met' : 'not met'})`,
    );
  } finally {
    await core.dispose();
    rmSync(base, { recursive: true, force: true });
  }
}

function report(
  opts: Options,
  warm: SuggestTacticsResult,
  warmMs: number,
  cold: SuggestRow[],
  hits: SuggestRow[],
  roundTrips: number[],
  searches: { name: string; wallMs: number; r: ProveTheoremResult }[],
  replCommand: string,
): void {
  const model = warm.model;
  const rel = (p: string) => path.relative(root, p) || '.';
  console.log('== Llemma proof search benchmark: suggestions and best-first search through LlemmaCore ==');
  console.log(`machine: ${describeMachine()}`);
  console.log(
    `model:   ${model.source.startsWith(root) ? rel(model.source) : model.source} on ${model.provider}${model.skippedProviders ? ` (skipped: ${model.skippedProviders.join('; ')})` : ''} · prompt ${model.promptFormat} · sources ${model.sources?.join(', ') ?? 'the model alone'}`,
  );
  console.log(
    `budget:  ${opts.candidates} candidates, beam ${opts.candidates}, ≤ 256 new tokens per candidate; ` +
      `search: ${opts.candidates} candidates per expansion, ≤ ${opts.expansions} expansions`,
  );
  console.log(
    `prover:  the REPL double, ${rel(doubleFile)} --world ${rel(worldFile)}: a Node child process speaking the REPL ` +
      'protocol on stdin/stdout, answering from a table (a lookup of microseconds), started by the same ReplClient ' +
      'as Lean; so "prover" time here is almost all IPC + JSON framing + our REPL client, not Lean',
  );
  console.log(
    `         (command line ${replCommand.replaceAll(root, '.')}; up to ${defaultSettings['lean.checkProcesses']} ` +
      'such processes check candidates at once, as the default lean.checkProcesses)',
  );
  console.log(
    `options: --n ${opts.n} --candidates ${opts.candidates} --repeats ${opts.repeats} --expansions ${opts.expansions} ` +
      `--round-trips ${opts.roundTrips}${opts.model ? ` --model ${opts.model}` : ''}${opts.ep ? ` --ep ${opts.ep}` : ''}`,
  );
  console.log(
    `warm-up (REPL start, header, model load, first generation): ${fmt(warmMs)} ms; ` +
      `of it model ${fmt(warm.timings.modelMs)} ms, goal probe ${fmt(warm.timings.goalMs)} ms`,
  );
  const c = cold.map((x) => x.r);
  const checks = sum(c.map((r) => r.counts.generated - r.counts.forbidden));
  console.log(
    `cold requests: ${cold.length} positions, ${cold.length} distinct goals, one core (model loaded, caches cold for ` +
      `each goal); ${sum(c.map((r) => r.counts.generated))} candidates, ${sum(c.map((r) => r.counts.forbidden))} ` +
      `screened out, ${checks} run by the prover, ${sum(c.map((r) => r.counts.verified))} verified ` +
      `(${c.filter((r) => r.counts.verified > 0).length} of ${cold.length} positions with at least one)`,
  );

  console.log();
  console.log(
    'outside = total − goal probe − model − tactic checks (timings of SuggestTacticsResult; stats of ' +
      'ProveTheoremResult: elapsed − modelMs − proverMs). The goal probe is a REPL command, so it counts as prover.',
  );
  const head = [
    'figure (latency p50/p95; then the mean split)'.padEnd(46),
    'p50 ms'.padStart(8),
    'p95 ms'.padStart(8),
    'model ms'.padStart(9),
    'prover ms'.padStart(10),
    'outside ms'.padStart(11),
    'outside share of mean total (target ≤ 5 %)',
  ];
  console.log(head.join(' '));
  const shareCell = (outside: number, total: number, applies = true) => {
    const share = (100 * outside) / total;
    return `${fmt(share, 2)} %${applies ? (share <= 5 ? '  met' : '  NOT met') : '  (no target: no model work)'}`;
  };
  const suggestRow = (label: string, rows: SuggestRow[], applies: boolean) => {
    const totals = rows.map((x) => x.r.timings.totalMs);
    const modelMs = sum(rows.map((x) => x.r.timings.modelMs)) / rows.length;
    const proverMs = sum(rows.map((x) => x.r.timings.goalMs + x.r.timings.proverMs)) / rows.length;
    const outside = sum(rows.map((x) => outsideOf(x.r))) / rows.length;
    console.log(
      [
        label.padEnd(46),
        fmt(pct(totals, 0.5)).padStart(8),
        fmt(pct(totals, 0.95)).padStart(8),
        fmt(modelMs).padStart(9),
        fmt(proverMs).padStart(10),
        fmt(outside, 2).padStart(11),
        shareCell(outside, sum(totals) / rows.length, applies),
      ].join(' '),
    );
  };
  suggestRow(`suggest, cold (${cold.length} distinct goals)`, cold, true);
  suggestRow(`suggest, cache hit (same request ×${hits.length})`, hits, false);
  console.log(
    [
      'one REPL round trip (ProofSession.check `simp`)'.padEnd(46),
      fmt(pct(roundTrips, 0.5), 2).padStart(8),
      fmt(pct(roundTrips, 0.95), 2).padStart(8),
      '—'.padStart(9),
      fmt(sum(roundTrips) / roundTrips.length, 2).padStart(10),
      '—'.padStart(11),
      `(×${roundTrips.length}; mean shown as prover)`,
    ].join(' '),
  );
  for (const s of searches) {
    const st = s.r.stats;
    const outside = st.elapsedMs - st.modelMs - st.proverMs;
    console.log(
      [
        `prove ${s.name}: ${s.r.outcome}, ${st.expansions} exp.`.padEnd(46),
        fmt(st.elapsedMs).padStart(8),
        '—'.padStart(8),
        fmt(st.modelMs).padStart(9),
        fmt(st.proverMs).padStart(10),
        fmt(outside, 2).padStart(11),
        shareCell(outside, st.elapsedMs),
      ].join(' '),
    );
  }
  console.log("(prove rows: the search's elapsedMs in the p50 column; one run each)");

  console.log();
  console.log('details:');
  const perCheck = sum(c.map((r) => r.timings.proverMs)) / checks;
  const shares = c.map((r) => (100 * outsideOf(r)) / r.timings.totalMs);
  console.log(
    `  cold suggest: goal probe p50 ${fmt(
      pct(
        c.map((r) => r.timings.goalMs),
        0.5,
      ),
      2,
    )} ms, model p50 ` +
      `${fmt(
        pct(
          c.map((r) => r.timings.modelMs),
          0.5,
        ),
      )} ms, tactic checks p50 ${fmt(
        pct(
          c.map((r) => r.timings.proverMs),
          0.5,
        ),
      )} ms ` +
      `(${fmt(perCheck, 3)} ms per tactic run); outside share per request p50 ${fmt(pct(shares, 0.5), 2)} %, ` +
      `max ${fmt(Math.max(...shares), 2)} %`,
  );
  console.log(
    '  literal formula (total − modelMs − proverMs) / total, i.e. counting the goal probe as outside: ' +
      `${fmt((100 * sum(c.map((r) => r.timings.totalMs - r.timings.modelMs - r.timings.proverMs))) / sum(c.map((r) => r.timings.totalMs)), 2)} %`,
  );
  const wallGap = cold.map((x) => x.wallMs - x.r.timings.totalMs);
  console.log(
    `  bench wall clock around core.suggestTactics − timings.totalMs: p50 ${fmt(pct(wallGap, 0.5), 3)} ms, ` +
      `max ${fmt(Math.max(...wallGap), 3)} ms (what the timings cannot see)`,
  );
  const h = hits.map((x) => x.r.timings);
  console.log(
    `  cache hit: goal probe p50 ${fmt(
      pct(
        h.map((t) => t.goalMs),
        0.5,
      ),
      2,
    )} ms (a REPL command; the only prover ` +
      `work), cached verdicts ${fmt(
        pct(
          h.map((t) => t.proverMs),
          0.5,
        ),
        3,
      )} ms, candidate lookup ` +
      `${fmt(
        pct(
          h.map((t) => t.modelMs),
          0.5,
        ),
        3,
      )} ms`,
  );
  for (const s of searches) {
    const st = s.r.stats;
    console.log(
      `  prove ${s.name}: ${st.tacticsRun} tactics run, ${st.visitedStates} states, ${st.forbidden} screened out, ` +
        `${st.openNodes} open at the end; ${fmt(st.proverMs / Math.max(1, st.tacticsRun), 3)} ms prover per tactic ` +
        `(incl. the whole-proof re-check)` +
        `; request wall ${fmt(s.wallMs)} ms = search ${fmt(st.elapsedMs)} + session open (goal probe) and result ` +
        `${fmt(s.wallMs - st.elapsedMs, 2)} ms${s.r.outcome === 'proved' ? `; proof: ${s.r.tactics.join('; ')}` : ''}`,
    );
  }
  console.log();
  console.log(`total bench time ${fmt((performance.now() - started) / 1000)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

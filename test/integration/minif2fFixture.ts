import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ProofContext, ProposedTactic, TacticBudget, TacticSource } from '@llemma/model';
import { type BenchmarkRecord, type MiniF2FVariant, miniF2FVariants } from '../../protocol';
import { minif2fCandidates, minif2fProblems, minif2fWorld } from '../doubles/minif2fWorld.mjs';
import { doublePath } from './fixtureProject';
import { startOpenAIDouble } from './openaiDoubleProcess';

export type Plan = 'proved' | 'twoSteps' | 'unproved' | 'killed' | 'slow';

/** The first `n` problems of a variant's split, in the runner's order. */
export function firstProblems(
  n: number,
  split: 'valid' | 'test' = 'test',
  variant: MiniF2FVariant = 'yangky11',
): string[] {
  return minif2fProblems(variant)
    .filter((p) => p.split === split)
    .slice(0, n)
    .map((p) => p.name);
}

/** A folder holding a Lean project with the variant's `lean-toolchain` and Mathlib in `lake-manifest.json`. */
export function makeMiniF2FProject(
  variant: MiniF2FVariant = 'yangky11',
  pins: { lean?: string; mathlib?: string | null } = {},
): { base: string; root: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'llemma-minif2f-'));
  const root = path.join(base, 'proj');
  mkdirSync(root);
  const info = miniF2FVariants.find((v) => v.id === variant)!;
  writeFileSync(path.join(root, 'lakefile.lean'), 'import Lake\nopen Lake DSL\npackage llemma_minif2f\n');
  writeFileSync(path.join(root, 'lean-toolchain'), `${pins.lean ?? info.leanToolchain}\n`);
  if (pins.mathlib !== null) {
    const manifest = {
      version: '1.1.0',
      packagesDir: '.lake/packages',
      packages: [
        {
          url: 'https://github.com/leanprover-community/mathlib4',
          type: 'git',
          rev: pins.mathlib ?? info.mathlibRevs[0],
          name: 'mathlib',
          inputRev: 'v4.24.0',
          inherited: false,
        },
        { url: 'https://github.com/leanprover-community/repl', type: 'git', rev: 'x', name: 'REPL', inherited: false },
      ],
      name: 'llemma_minif2f',
    };
    writeFileSync(path.join(root, 'lake-manifest.json'), JSON.stringify(manifest, null, 2));
  }
  return { base, root };
}

/** Writes the world for these plans and returns the REPL command line that starts the double in it. */
export function worldRepl(base: string, plans: Record<string, Plan>, name = 'world'): { repl: string; log: string } {
  const worldFile = path.join(base, `${name}.json`);
  writeFileSync(worldFile, JSON.stringify(minif2fWorld(plans)));
  const log = path.join(base, `${name}.log`);
  const state = path.join(base, `${name}.state`);
  const repl = [process.execPath, doublePath, '--world', worldFile, '--state', state, '--log', log]
    .map((a) => `'${a}'`)
    .join(' ');
  return { repl, log };
}

/** The model of these tests: the same candidates on every goal (as the model double's catch-all rule). */
export class MiniF2FTactics implements TacticSource {
  calls = 0;
  async proposeTactics(_context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]> {
    budget.signal?.throwIfAborted();
    this.calls++;
    return minif2fCandidates
      .slice(0, budget.candidates)
      .map(([tactic, score], rank) => ({ tactic, score, meanLogprob: score, rank, source: 'model' as const }));
  }
  async describe() {
    return { source: 'minif2f fixed candidates', provider: 'fixed', promptFormat: 'none' };
  }
}

export function readRecords(file: string): BenchmarkRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as BenchmarkRecord);
}

/** What a record says about its problem, without the times and the runner (which differ from run to run). */
export function outcomeOf(r: BenchmarkRecord) {
  return {
    problem: r.problem,
    split: r.split,
    status: r.status,
    proof: r.proof,
    expansions: r.expansions,
    tacticsRun: r.tacticsRun,
    axioms: r.axioms,
  };
}

/** REPL processes the double's log saw start, and the pids of those. */
export function replStarts(log: string): number[] {
  try {
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"event":"start"'))
      .map((l) => (JSON.parse(l) as { pid: number }).pid);
  } catch {
    return [];
  }
}

/** The model double (an OpenAI-compatible server) answering every prompt with the world's candidates. */
export async function startMiniF2FModelDouble(base: string): Promise<{ url: string; stop: () => void }> {
  const rules = {
    rules: [
      { match: { path: '/v1/models' }, respond: { object: 'list', data: [{ id: 'double', owned_by: 'double' }] } },
      {
        match: { path: '/v1/completions' },
        completions: minif2fCandidates.map(([t, lp]) => ({
          text: ` ${t}\n---`,
          logprobs: [lp, lp],
          tokens: [` ${t}`, '\n---'],
        })),
      },
    ],
  };
  const rulesFile = path.join(base, 'model.json');
  writeFileSync(rulesFile, JSON.stringify(rules));
  return startOpenAIDouble(rulesFile);
}

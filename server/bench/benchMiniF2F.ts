// `npm run bench:minif2f`: the miniF2F runner's own overhead, per problem and per worker count, measured through
// LlemmaCore (the code the extension and `llemma bench` run) with the REPL double at the process boundary, in a world
// where every problem is proved by its first tactic (test/doubles/minif2fWorld.mjs), and a fixed tactic source in
// place of the model. What is left is what the runner, the proof search and the REPL protocol cost besides Lean and
// the model: the time to add to Lean's and the model's for an estimate of a real run. Not part of `npm test`.
//
// Options: --problems <n> (default 60, the first n of the yangky11 test split), --workers <list> (default 1,2,4).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { defaultSettings, miniF2FVariants } from '../../protocol';
import { minif2fProblems, minif2fWorld } from '../../test/doubles/minif2fWorld.mjs';
import { LlemmaCore } from '../core';
import type { ProposedTactic, TacticBudget, TacticSource } from '../modelHost';

const root = path.resolve(__dirname, '..', '..');
const doubleFile = path.join(root, 'test', 'doubles', 'replDouble.mjs');

function option(flag: string, fallback: string): string {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const count = Number(option('--problems', '60'));
const workerCounts = option('--workers', '1,2,4').split(',').map(Number);

/** The model's place: `norm_num` first on every goal, instantly. */
const tactics: TacticSource = {
  async proposeTactics(_context, budget: TacticBudget): Promise<ProposedTactic[]> {
    return [{ tactic: 'norm_num', score: -0.1, rank: 0, source: 'model' as const }].slice(0, budget.candidates);
  },
  async describe() {
    return { source: 'fixed: norm_num', provider: 'none', promptFormat: 'none' };
  },
};

async function main(): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'llemma-bench-minif2f-'));
  const project = path.join(base, 'proj');
  mkdirSync(project);
  const info = miniF2FVariants[0]!;
  writeFileSync(path.join(project, 'lean-toolchain'), `${info.leanToolchain}\n`);
  writeFileSync(
    path.join(project, 'lake-manifest.json'),
    JSON.stringify({ packages: [{ type: 'git', name: 'mathlib', rev: info.mathlibRevs[0] }] }),
  );
  const names = minif2fProblems(info.id)
    .filter((p) => p.split === 'test')
    .slice(0, count)
    .map((p) => p.name);
  const world = path.join(base, 'world.json');
  writeFileSync(world, JSON.stringify(minif2fWorld(Object.fromEntries(names.map((n) => [n, 'proved'])))));
  const repl = `'${process.execPath}' '${doubleFile}' --world '${world}'`;
  process.stdout.write(
    `miniF2F runner overhead: ${names.length} problems of ${info.id} test, each proved by its first tactic; ` +
      `Lean = the REPL double (${path.relative(root, doubleFile)}), model = a fixed tactic; ` +
      `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}\n`,
  );
  for (const workers of workerCounts) {
    const out = path.join(base, `w${workers}.jsonl`);
    const core = new LlemmaCore({ settings: { ...defaultSettings }, replOverride: repl, tactics });
    const started = performance.now();
    let firstAt = 0;
    try {
      await core.runMiniF2F({
        variant: info.id,
        split: 'test',
        projectRoot: project,
        out,
        workers,
        limit: names.length,
        onRecord: () => {
          firstAt ||= performance.now() - started;
        },
      });
    } finally {
      await core.dispose();
    }
    const wall = performance.now() - started;
    const steady = (wall - firstAt) / Math.max(1, names.length - 1);
    process.stdout.write(
      `  ${workers} worker(s): ${(wall / 1000).toFixed(2)} s in all; first problem after ${firstAt.toFixed(0)} ms ` +
        `(REPL start and header); then ${steady.toFixed(1)} ms per problem (${(1000 / steady).toFixed(1)} problems/s)\n`,
    );
  }
  rmSync(base, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

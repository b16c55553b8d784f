// The bench world, test/fixtures/worlds/bench.json: the goals both benches use (bench:search replays them through
// the REPL double; bench:model runs the embedded model on them), and how a goal becomes a theorem statement.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const benchWorldFile = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'worlds', 'bench.json');

export interface BenchWorld {
  /** Every theorem of the world: name → its goal as Lean prints it (`n : ℕ\n⊢ n + 0 = n`). */
  theorems: Record<string, string>;
  /** The goal run first and not measured. */
  warmUp: string;
  /** The theorems of bench:search's two proof searches (one proved, one that runs out of states). */
  proved: string;
  exhausted: string;
  /** The other theorems, in file order: the measured positions. */
  positions: Record<string, string>;
}

export function readBenchWorld(): BenchWorld {
  const world = JSON.parse(readFileSync(benchWorldFile, 'utf8')) as { theorems: Record<string, string> };
  const { warm_up: warmUp, mul_comm_and_add_zero: proved, half_of_four: exhausted, ...positions } = world.theorems;
  if (!warmUp || !proved || !exhausted) throw new Error(`${benchWorldFile} lacks warm_up / the proof-search theorems`);
  return { theorems: world.theorems, warmUp, proved, exhausted, positions };
}

/** The declaration a goal comes from: `n : ℕ\n⊢ n + 0 = n` named x is `theorem x (n : ℕ) : n + 0 = n`. */
export function theoremOfGoal(name: string, goal: string): string {
  const parts = goal.split('\n');
  const target = parts.pop()!;
  if (!target.startsWith('⊢ ')) throw new Error(`${name}: the goal's last line must be "⊢ …"`);
  const binders = parts.map((h) => ` (${h})`).join('');
  return `theorem ${name}${binders} : ${target.slice(2)}`;
}

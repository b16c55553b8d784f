/**
 * The decision procedures the merged generator tries on every goal, chosen from the training split: the tactics
 * that most often close a goal on their own. A tactic closes a goal on its own where it is the last step of its
 * proof (a one-tactic proof is one) or the tactic written after a block header's `by` on its line (`have h : P :=
 * by positivity`); among those, only a bare tactic name qualifies (no arguments: it can be tried on any goal as it
 * is), and not one ending in `?` (those search and print a suggestion). Ranked by the number of training files in
 * which it closes a goal (one file's hundred uses count less than a hundred files' one), a procedure must close in at
 * least `minFiles` files and be the closing tactic in at least `minClosingShare` of its uses (so `intro`, `ext` and
 * `constructor`, which open proofs, are left out); the first `count` are chosen. `exclude` names tactics never
 * chosen: ones the tactic screen refuses or that run compiled code (a unit test checks the shipped list against
 * the screen).
 */
import { normalizeTactic } from '../eval/firstTactics';
import type { EvalStep } from '../eval/steps';

export interface ProcedureOptions {
  count: number;
  minFiles: number;
  minClosingShare: number;
  exclude: readonly string[];
}

export interface ProcedureRow {
  tactic: string;
  /** Training files in which it closes a goal on its own. */
  files: number;
  /** Goals it closes on its own. */
  closing: number;
  /** All its uses as a whole step. */
  uses: number;
  /** `closing / uses`. */
  closingShare: number;
  chosen: boolean;
  /** Why it was not chosen, for a tactic that closes in enough files. */
  why?: string;
}

/** A bare tactic name: a word of Lean's identifier letters, possibly ending in `!`, with no argument. */
const bareTactic = /^[\p{L}_][\p{L}\p{N}_']*!?$/u;

/**
 * Every bare tactic that closes a goal on its own in `steps` (the training split's rows in file order, inline
 * tactics included), most files first, with whether it is chosen.
 */
export function rankProcedures(steps: readonly EvalStep[], options: ProcedureOptions): ProcedureRow[] {
  const uses = new Map<string, number>();
  const closing = new Map<string, number>();
  const files = new Map<string, Set<string>>();
  for (const [i, s] of steps.entries()) {
    const tactic = normalizeTactic(s.gold);
    if (!bareTactic.test(tactic)) continue;
    uses.set(tactic, (uses.get(tactic) ?? 0) + 1);
    if (!(s.inline || lastOfProof(steps, i))) continue;
    closing.set(tactic, (closing.get(tactic) ?? 0) + 1);
    let set = files.get(tactic);
    if (!set) {
      set = new Set();
      files.set(tactic, set);
    }
    set.add(`${s.source}/${s.path}`);
  }
  const rows = [...files].map(([tactic, f]): ProcedureRow => {
    const c = closing.get(tactic) ?? 0;
    const u = uses.get(tactic) ?? c;
    return { tactic, files: f.size, closing: c, uses: u, closingShare: c / u, chosen: false };
  });
  rows.sort((a, b) => b.files - a.files || b.closing - a.closing || (a.tactic < b.tactic ? -1 : 1));
  let chosen = 0;
  for (const row of rows) {
    if (row.files < options.minFiles) continue;
    if (options.exclude.includes(row.tactic)) row.why = 'excluded (the screen refuses it, or it runs compiled code)';
    else if (row.closingShare < options.minClosingShare) row.why = `closes in ${pct(row.closingShare)} of its uses`;
    else if (chosen >= options.count) row.why = `beyond the first ${options.count}`;
    else {
      row.chosen = true;
      chosen++;
    }
  }
  return rows;
}

/** Whether the step at `i` (not inline) is the last whole step of its proof: nothing of the proof follows it. */
function lastOfProof(steps: readonly EvalStep[], i: number): boolean {
  const s = steps[i] as EvalStep;
  if (s.inline) return false;
  for (let j = i + 1; j < steps.length; j++) {
    const n = steps[j] as EvalStep;
    if (n.path !== s.path || n.theorem !== s.theorem) return true;
    if (n.inline) continue;
    return !(n.step > s.step);
  }
  return true;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)} %`;
}

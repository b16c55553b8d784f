// The search fixture shared by the flows below and the front-end tests: a Lean project on disk, a world for the
// REPL double (a table of goals and the tactics "Lean" accepts) and the model double's candidates per goal.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { forbiddenWords, screenTactic } from '../../server/search/tacticFilter';
import { doublePath } from './fixtureProject';
import { startOpenAIDouble } from './openaiDoubleProcess';

export const base = mkdtempSync(path.join(tmpdir(), 'llemma-search-'));
export const root = path.join(base, 'proj');
mkdirSync(root);
writeFileSync(path.join(root, 'lakefile.toml'), 'name = "proj"\n');
writeFileSync(path.join(root, 'lean-toolchain'), 'leanprover/lean4:v4.33.0-rc2\n');
export const file = path.join(root, 'Main.lean');
export const text = [
  'import Mathlib',
  '',
  "theorem add_zero' (n : ℕ) : n + 0 = n := by",
  '  sorry',
  '',
  "theorem two_mul' (a : ℕ) : 2 * a = a + a := by",
  '  sorry',
  '',
  'theorem screened (x : ℕ) : x = x := by',
  '  sorry',
  '',
  'theorem halves (b : ℕ) : b + 0 = b ∧ 2 * b = b + b := by',
  '  refine ⟨?_, sorry⟩ -- sorry for now',
  '  sorry -- try simp',
  '  -- or induction',
  '',
].join('\n');
writeFileSync(file, text);

export const A0 = 'n : ℕ\n⊢ n + 0 = n';
export const G0 = 'a : ℕ\n⊢ 2 * a = a + a';
export const G1 = 'a : ℕ\n⊢ a * 2 = a + a';
export const S0 = 'x : ℕ\n⊢ x = x';
/** `halves`: its goal, and the first half's after `refine ⟨?_, sorry⟩` (the user's own `sorry` for the second). */
export const H0 = 'b : ℕ\n⊢ b + 0 = b ∧ 2 * b = b + b';
export const H1 = 'b : ℕ\n⊢ b + 0 = b';
/**
 * A file whose first theorem is proved, above a second like it: the goal of `two_mul_file`, and the file's text (the
 * `file` source reads the first proof from the text above the second).
 */
export const F0 = 'b : ℕ\n⊢ 2 * b = b + b';
export const fileText = [
  'import Mathlib',
  '',
  'theorem two_mul_done (c : ℕ) : 2 * c = c + c := by',
  '  rw [Nat.two_mul]',
  '',
  'theorem two_mul_file (b : ℕ) : 2 * b = b + b := by',
  '  sorry',
  '',
].join('\n');
/** Every word the screen refuses, in a tactic, plus the other refused shapes; only `rfl` may reach Lean. */
export const refused = [
  ...forbiddenWords.map((w) => `exact ${w}`),
  '#eval IO.println "hi"',
  'simp -- a comment',
  '/- a comment -/ rfl',
  'simp\ttab',
  'exact sor\u200bry',
  '',
];
const world = {
  theorems: { "add_zero'": A0, "two_mul'": G0, screened: S0, halves: H0, two_mul_file: F0 },
  tactics: {
    [A0]: {
      simp: [],
      'induction n': ['case zero\n⊢ 0 + 0 = 0', 'case succ\nn✝ : ℕ\nih : n✝ + 0 = n✝\n⊢ n✝ + 1 + 0 = n✝ + 1'],
      decide: { error: 'failed to synthesize\n  Decidable (n + 0 = n)' },
    },
    [G0]: {
      omega: { hang: true },
      norm_num: { delayMs: 300, goals: [G1] },
      rfl: { error: 'The rfl tactic failed.' },
    },
    [G1]: { ring: [] },
    // What `fileText`'s earlier theorem was proved with: only the file source proposes it.
    [F0]: { 'rw [Nat.two_mul]': [] },
    [S0]: { rfl: [] },
    [H0]: { 'refine ⟨?_, sorry⟩': [H1] },
    // Tactic mode sees a closed goal; only `#print axioms` shows that the lemma used was proved by `sorry`.
    [H1]: { 'exact Nat.add_zero_wip b': { goals: [], axioms: ['sorryAx'] }, simp: [] },
  },
  axioms: { "two_mul'": ['propext'], "add_zero'": [] },
};
export const worldFile = path.join(base, 'world.json');
writeFileSync(worldFile, JSON.stringify(world));

/** The model double's candidates per goal: text and per-token log-probs (the score is their mean). */
const huge = `exact ${'a'.repeat(100_000)}`;
const candidates: Record<string, [string, number][]> = {
  [A0]: [
    ['decide', -0.1],
    ['induction n', -0.2],
    ['simp', -0.3],
    ['admit', -0.05],
  ],
  [G0]: [
    ['omega', -0.05],
    ['sorry', -0.1],
    ['norm_num', -0.2],
    ['rfl', -0.3],
    ['#eval IO.println "hi"', -0.4],
    [huge, -0.5],
  ],
  [G1]: [
    ['native_decide', -0.1],
    ['ring', -0.2],
  ],
  [S0]: [...refused.map((t, i): [string, number] => [t, -0.01 * (i + 1)]), ['rfl', -5]],
  [H1]: [
    ['exact Nat.add_zero_wip b', -0.1],
    ['simp', -0.2],
  ],
};
const modelRules = {
  rules: [
    { match: { path: '/v1/models' }, respond: { object: 'list', data: [{ id: 'double', owned_by: 'double' }] } },
    ...Object.entries(candidates).map(([goal, list]) => ({
      match: { promptIncludes: `---\n${goal}\n---\nNext tactic:` },
      completions: list.map(([t, lp]) => ({ text: ` ${t}\n---`, logprobs: [lp, lp], tokens: [` ${t}`, '\n---'] })),
    })),
  ],
};
export const modelLog = path.join(base, 'model.log');
/** Starts the model double; returns its URL as a `model.path` setting and a function that stops it. */
export async function startModelDouble(): Promise<{ url: string; stop: () => void }> {
  writeFileSync(path.join(base, 'model.json'), JSON.stringify(modelRules));
  return startOpenAIDouble(path.join(base, 'model.json'), modelLog);
}

/** The REPL command line of the world double, logging to `log`. */
export function worldRepl(log: string): string {
  return [process.execPath, doublePath, '--world', worldFile, '--log', log].map((a) => `'${a}'`).join(' ');
}

/** Completions requests the model double has received. */
export const modelRequests = () =>
  existsSync(modelLog)
    ? readFileSync(modelLog, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"/v1/completions"') && l.includes('"request"')).length
    : 0;

/** No tactic that the filter forbids ever reached the REPL. */
export function assertNothingForbiddenSent(sent: string[]) {
  for (const t of sent) assert.ok(screenTactic(t, { allowNativeDecide: false }).ok, `forbidden tactic sent: ${t}`);
}

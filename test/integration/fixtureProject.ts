// A throwaway Lean project on disk and the REPL double's rules for it, shared by the server and CLI integration tests.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const doublePath = path.resolve(import.meta.dirname, '..', 'doubles', 'replDouble.mjs');
export const toolchain = 'leanprover/lean4:v4.33.0-rc2';

/** Line 0 is the header; the cursor on line 3 ("  simp") asks for the goal before `simp`. */
export const mainLean = ['import Mathlib', '', "theorem add_zero' (n : ℕ) : n + 0 = n := by", '  simp', ''].join('\n');
export const goal = 'n : ℕ\n⊢ n + 0 = n';

export interface FixtureProject {
  root: string;
  file: string;
  outside: string;
  log: string;
  /** Writes a rules file and returns the REPL command line that starts the double with it (`times` counts per name). */
  repl(name: string, rules: unknown): string;
}

export function makeProject(): FixtureProject {
  const base = mkdtempSync(path.join(tmpdir(), 'llemma-it-'));
  const root = path.join(base, 'proj');
  const outsideDir = path.join(base, 'loose');
  for (const d of [root, outsideDir]) mkdirSync(d);
  writeFileSync(path.join(root, 'lakefile.toml'), 'name = "proj"\n');
  writeFileSync(path.join(root, 'lean-toolchain'), `${toolchain}\n`);
  const file = path.join(root, 'Main.lean');
  writeFileSync(file, mainLean);
  const outside = path.join(outsideDir, 'Loose.lean');
  writeFileSync(outside, mainLean);
  const log = path.join(base, 'double.log');
  return {
    root,
    file,
    outside,
    log,
    repl(name, rules) {
      const rulesFile = path.join(base, `${name}.json`);
      writeFileSync(rulesFile, JSON.stringify(rules));
      const state = path.join(base, `${name}.state`);
      return [process.execPath, doublePath, '--script', rulesFile, '--state', state, '--log', log]
        .map((a) => `'${a}'`)
        .join(' ');
    },
  };
}

export const headerRule = { match: { hasEnv: false, cmdIncludes: 'import Mathlib' }, respond: { env: '$nextEnv' } };
export const goalResponse = {
  env: '$nextEnv',
  messages: [
    {
      severity: 'warning',
      pos: { line: 1, column: 8 },
      endPos: { line: 1, column: 17 },
      data: "declaration uses 'sorry'",
    },
  ],
  sorries: [{ proofState: '$nextProofState', pos: { line: 2, column: 12 }, endPos: { line: 2, column: 17 }, goal }],
};
export const goalRule = { match: { hasEnv: true, cmdIncludes: 'all_goals sorry' }, respond: goalResponse };

/** The double's log: one JSON object per line ({pid, event: 'start' | 'input', input?}). */
export function readLog(file: string): { pid: number; event: string; input?: Record<string, unknown> }[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

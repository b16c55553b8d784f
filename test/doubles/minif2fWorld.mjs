/**
 * minif2fWorld.mjs: a world for the REPL double (world.mjs) in which miniF2F problems can be "proved" or not. Each
 * problem's goal is made up (`⊢ miniF2F <name>`: the double does not elaborate statements), and a plan says what
 * "Lean" accepts on it:
 *
 *   proved      `norm_num` closes it
 *   twoSteps    `linarith` leaves a second goal, which `nlinarith` closes
 *   unproved    nothing closes it: `simp` makes progress to a goal on which every tactic fails (the search exhausts)
 *   killed      as `proved`, but the first time any REPL of the world runs `norm_num` on it, that REPL is killed with
 *               SIGKILL (a worker killed from outside, `kill -9`); needs the double's --state file
 *   slow        as `proved`, after `delayMs` (default 300) milliseconds
 *
 * The model meant to go with it proposes `norm_num`, `linarith`, `nlinarith` and `simp` on every goal
 * (`minif2fCandidates`). Plain Node, so the e2e harness can use it as well as the TypeScript tests.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const dataDir = path.resolve(import.meta.dirname, '..', '..', 'server', 'minif2f', 'data');

/** The shipped problems of a variant, in their order (valid, then test, by name). */
export function minif2fProblems(variant = 'yangky11') {
  return JSON.parse(readFileSync(path.join(dataDir, `${variant}.json`), 'utf8')).problems;
}

export const goalOf = (name) => `⊢ miniF2F ${name}`;

/** Every goal gets these candidates, best first, with their mean log-probs. */
export const minif2fCandidates = [
  ['norm_num', -0.1],
  ['linarith', -0.2],
  ['nlinarith', -0.3],
  ['simp', -0.4],
];

/** `plans`: problem name → plan (see above); `options.delayMs` for `slow`. */
export function minif2fWorld(plans, options = {}) {
  const theorems = {};
  const tactics = {};
  for (const [name, plan] of Object.entries(plans)) {
    const goal = goalOf(name);
    theorems[name] = goal;
    if (plan === 'proved') tactics[goal] = { norm_num: [] };
    else if (plan === 'twoSteps') {
      const second = `${goal}\n(second step)`;
      tactics[goal] = { linarith: [second] };
      tactics[second] = { nlinarith: [] };
    } else if (plan === 'unproved') {
      tactics[goal] = { simp: [`${goal}\n(simplified)`] };
    } else if (plan === 'killed') tactics[goal] = { norm_num: { goals: [], kill: 'once' } };
    else if (plan === 'slow') tactics[goal] = { norm_num: { goals: [], delayMs: options.delayMs ?? 300 } };
    else throw new Error(`minif2fWorld: unknown plan ${plan} for ${name}`);
  }
  return { theorems, tactics };
}

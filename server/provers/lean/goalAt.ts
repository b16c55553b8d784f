/**
 * The goal at the cursor through the Lean REPL: plan the query (`planGoalQuery`), run it in the environment of the
 * file's header and preamble, read the answer (goalResponse.ts). REPL failures (crash, timeout, cancel) are thrown as
 * `ReplError`s for the caller to map to protocol errors.
 */

import { type DocPosition, type GoalQueryFailure, planGoalQuery } from '@llemma/prover-text/lean';
import type { GoalAtResult } from '../../../protocol';
import { readGoalResponse } from './goalResponse';
import { type LeanProject, leanProverInfo } from './project';
import type { LeanRepl } from './repl/replApi';

export async function goalAt(
  repl: LeanRepl,
  text: string,
  position: DocPosition,
  project: LeanProject,
  signal?: AbortSignal,
): Promise<GoalAtResult | GoalQueryFailure> {
  const started = performance.now();
  const plan = planGoalQuery(text, position);
  if ('reason' in plan) return plan;
  // The preamble's environment is cached by the client per chain prefix, so it is only re-elaborated when it changes.
  const chain = plan.preamble.trim() === '' ? [plan.header] : [plan.header, plan.preamble];
  const { response, generation } = await repl.commandIn(chain, plan.cmd, signal ? { signal } : undefined);
  const reading = readGoalResponse(plan, response);
  if ('reason' in reading) return reading;
  return {
    ...reading,
    replGeneration: generation,
    declaration: plan.declName,
    prover: leanProverInfo(project, repl),
    elapsedMs: performance.now() - started,
  };
}

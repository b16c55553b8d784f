/**
 * Proof states that survive a REPL restart. A state is named by the tactics that lead to it from the goal at the
 * cursor, not by the REPL's id: the id is a cache that dies with its process. When the REPL has restarted (a tactic
 * hung and was killed, the process crashed or was killed by the user), the root is probed again and the path
 * replayed, so a search goes on where it was.
 */
import type { LeanProject } from './project';
import { type LeanRepl, ReplError, type RequestOptions } from './repl/replApi';
import { type TacticOutcome, tacticOutcome } from './repl/replSchema';
import type { GoalPlan } from './source/goalProbe';
import { readGoalResponse } from './source/goalResponse';
import { type ProofContextText, proofContextOf } from './source/proofContext';

export interface ProofNode {
  /** Goals of this state in Lean's rendering; the first is the one the next tactic works on. */
  readonly goals: readonly string[];
  /** Tactics from the root to this state. Invariant: replaying them from the root reaches this state. */
  readonly path: readonly string[];
  /** The REPL's id for this state and the REPL generation it belongs to; stale after a restart. */
  handle: { proofState: number; generation: number };
}

export type TacticCheck =
  | { kind: 'closed'; ms: number }
  | { kind: 'progress'; node: ProofNode; ms: number }
  /** `transient`: the tactic timed out or its process died, which may not happen again on a quieter machine. */
  | { kind: 'failed'; error: string; ms: number; transient?: boolean };

export interface ProofSessionOptions {
  /** Milliseconds one tactic may run; a slower tactic fails and its REPL is restarted. */
  tacticTimeoutMs: number;
}

/** Thrown when the root has no proof state (the text before the cursor no longer elaborates, say). */
export class ProofSessionError extends Error {}

export class ProofSession {
  /** REPL restarts this session has recovered from. */
  restarts = 0;
  /** The statement and the tactics before the cursor's line, for prompts that show the proof so far. */
  readonly context: ProofContextText;

  private constructor(
    readonly repl: LeanRepl,
    readonly plan: GoalPlan,
    readonly project: LeanProject,
    private readonly options: ProofSessionOptions,
    readonly root: ProofNode,
    /** Goals open at the position; the session works on the first. */
    readonly openGoals: number,
  ) {
    this.context = proofContextOf(plan);
  }

  /** Probes the goal at the plan's position. */
  static async open(
    repl: LeanRepl,
    plan: GoalPlan,
    project: LeanProject,
    options: ProofSessionOptions,
    signal?: AbortSignal,
  ): Promise<ProofSession> {
    const { node, openGoals } = await probeRoot(repl, plan, signal);
    return new ProofSession(repl, plan, project, options, node, openGoals);
  }

  /** The env chain (header, then preamble when there is one) the declaration is elaborated in. */
  get chain(): string[] {
    return chainOf(this.plan);
  }

  /** Runs a tactic on a node's first goal. Timeouts and a crash caused by the tactic count as a failed tactic. */
  async check(node: ProofNode, tactic: string, signal?: AbortSignal): Promise<TacticCheck> {
    const started = performance.now();
    const ms = () => performance.now() - started;
    for (let attempt = 0; ; attempt++) {
      try {
        const proofState = await this.live(node, signal);
        const { outcome, next } = await step(this.repl, tactic, proofState, this.requestOptions(node, signal));
        if (outcome.kind === 'closed') return { kind: 'closed', ms: ms() };
        if (outcome.kind === 'failed') return { kind: 'failed', error: outcome.error, ms: ms() };
        const child: ProofNode = {
          goals: outcome.goals,
          path: [...node.path, tactic],
          handle: { proofState: next, generation: node.handle.generation },
        };
        return { kind: 'progress', node: child, ms: ms() };
      } catch (err) {
        // The state could not be re-derived after a restart: this node is lost, the rest of the search is not.
        if (err instanceof ProofSessionError) return { kind: 'failed', error: err.message, ms: ms() };
        if (!(err instanceof ReplError)) throw err;
        if (err.kind === 'timeout') {
          this.restarts++;
          return {
            kind: 'failed',
            error: `Lean did not finish within ${this.options.tacticTimeoutMs} ms.`,
            ms: ms(),
            transient: true,
          };
        }
        // A crash may be the tactic's doing or an outside kill: try once more on a fresh process, then blame it.
        if (err.kind === 'crashed' && attempt === 0) {
          this.restarts++;
          continue;
        }
        if (err.kind === 'crashed') {
          return {
            kind: 'failed',
            error: `The REPL died while running this tactic: ${err.message}`,
            ms: ms(),
            transient: true,
          };
        }
        throw err;
      }
    }
  }

  /** The REPL id of a node's state in the running process, replaying its path after a restart. */
  private async live(node: ProofNode, signal?: AbortSignal): Promise<number> {
    if (this.repl.holds(node.handle.generation)) return node.handle.proofState;
    const fresh = (await probeRoot(this.repl, this.plan, signal)).node;
    let proofState = fresh.handle.proofState;
    for (const tactic of node.path) {
      const { outcome, next } = await step(this.repl, tactic, proofState, this.requestOptions(fresh, signal));
      if (outcome.kind !== 'progress') {
        throw new ProofSessionError(`Replaying \`${tactic}\` after a REPL restart did not reach the same state.`);
      }
      proofState = next;
    }
    node.handle = { proofState, generation: fresh.handle.generation };
    if (node.path.length === 0) this.root.handle = node.handle;
    return proofState;
  }

  private requestOptions(node: ProofNode, signal?: AbortSignal): RequestOptions {
    return {
      timeoutMs: this.options.tacticTimeoutMs,
      generation: node.handle.generation,
      ...(signal ? { signal } : {}),
    };
  }
}

/** One tactic on one state: what it did, and the REPL's id of the state it left (meaningful for progress). */
async function step(
  repl: LeanRepl,
  tactic: string,
  proofState: number,
  opts: RequestOptions,
): Promise<{ outcome: TacticOutcome; next: number }> {
  try {
    const response = await repl.tactic(tactic, proofState, opts);
    return { outcome: tacticOutcome(response), next: response.proofState };
  } catch (err) {
    // The REPL's error object (an unknown tactic, a parse error) is a failed tactic, not a broken process.
    if (err instanceof ReplError && err.kind === 'rejected') {
      return { outcome: { kind: 'failed', error: err.message }, next: -1 };
    }
    throw err;
  }
}

export function chainOf(plan: GoalPlan): string[] {
  return plan.preamble.trim() === '' ? [plan.header] : [plan.header, plan.preamble];
}

async function probeRoot(
  repl: LeanRepl,
  plan: GoalPlan,
  signal?: AbortSignal,
): Promise<{ node: ProofNode; openGoals: number }> {
  const { response, generation } = await repl.commandIn(chainOf(plan), plan.cmd, signal ? { signal } : undefined);
  const reading = readGoalResponse(plan, response);
  if ('reason' in reading) throw new ProofSessionError(reading.message);
  if (reading.proofState === null || reading.goals.length === 0) {
    throw new ProofSessionError('No goal is open at this line: the proof is already complete here.');
  }
  // The probe leaves one sorry per open goal, each a proof state of that goal alone: the session works on the first.
  return {
    node: { goals: reading.goals.slice(0, 1), path: [], handle: { proofState: reading.proofState, generation } },
    openGoals: reading.goals.length,
  };
}

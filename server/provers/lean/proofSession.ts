/**
 * Proof states that survive a REPL restart, checked on a bounded pool of REPL processes. A state is named by the
 * tactics that lead to it from the goal at the cursor, not by a REPL's id: the id is a cache that dies with its
 * process. When a REPL has restarted (a tactic hung and was killed, the process crashed or was killed by the user),
 * or a state is needed on another process of the pool, the root is probed there and the path replayed, so a search
 * goes on where it was.
 *
 * The pool: `repls[0]` probes the root when the session opens and serves checks at once; each further process is
 * brought in only when a check finds every ready process busy (it first probes the root itself, which means loading
 * the file's imports the first time), so a request that needs one check, or none, never waits for a second process.
 * A process whose root probe fails stays out of this session.
 */

import {
  fileExamples,
  type GoalExample,
  type GoalPlan,
  type ProofContextText,
  proofContextOf,
} from '@llemma/prover-text/lean';
import type { ProverInfo } from '../../../protocol';
import { readGoalResponse } from './goalResponse';
import { type LeanProject, leanProverInfo } from './project';
import { type LeanRepl, ReplError, type RequestOptions } from './repl/replApi';
import { type TacticOutcome, tacticOutcome } from './repl/replSchema';

export interface ProofNode {
  /** Goals of this state in Lean's rendering; the first is the one the next tactic works on. */
  readonly goals: readonly string[];
  /** Tactics from the root to this state. Invariant: replaying them from the root reaches this state. */
  readonly path: readonly string[];
  /**
   * The REPL ids of this state by process (an index into the session's REPLs), each with the REPL generation it
   * belongs to; stale after that process restarts.
   */
  readonly handles: Map<number, Handle>;
}

interface Handle {
  proofState: number;
  generation: number;
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
  /** The goal-known pairs of the file above the declaration, for the `file` source (one list per text above). */
  readonly fileExamples: readonly GoalExample[];
  /** Tactic checks run by each process of the pool (same order as `repls`). */
  readonly checksPerProcess: number[];
  /** Processes that joined the pool but could not probe the root: why, by index. */
  readonly unusable = new Map<number, string>();
  /** Ready processes with no check running, lowest index first. */
  private readonly idle: number[] = [0];
  /** Checks waiting for a process, first come first served. */
  private readonly waiting: ((index: number) => void)[] = [];
  /** The next process to bring in when every ready one is busy. */
  private nextJoiner = 1;

  private constructor(
    private readonly repls: readonly LeanRepl[],
    readonly plan: GoalPlan,
    readonly project: LeanProject,
    private readonly options: ProofSessionOptions,
    readonly root: ProofNode,
    /** Goals open at the position; the session works on the first. */
    readonly openGoals: number,
  ) {
    this.context = proofContextOf(plan);
    this.fileExamples = examplesAbove(plan);
    this.checksPerProcess = repls.map(() => 0);
  }

  /**
   * Probes the goal at the plan's position on the first REPL. The others (the same project's further processes) join
   * when checks queue up; give one REPL for strictly one check at a time.
   */
  static async open(
    repls: readonly [LeanRepl, ...LeanRepl[]],
    plan: GoalPlan,
    project: LeanProject,
    options: ProofSessionOptions,
    signal?: AbortSignal,
  ): Promise<ProofSession> {
    const { node, openGoals } = await probeRoot(repls[0], 0, plan, signal);
    return new ProofSession(repls, plan, project, options, node, openGoals);
  }

  /** The first REPL: the one that probed the root, and the one whole proofs are re-checked on. */
  get repl(): LeanRepl {
    return this.repls[0] as LeanRepl;
  }

  /** How many processes may run checks at once. */
  get processes(): number {
    return this.repls.length;
  }

  /** Which prover checks this session's tactics and proofs, as every result names it. */
  get prover(): ProverInfo {
    return { ...leanProverInfo(this.project, this.repl), checkProcesses: this.processes };
  }

  /** The env chain (header, then preamble when there is one) the declaration is elaborated in. */
  get chain(): string[] {
    return chainOf(this.plan);
  }

  /**
   * Runs a tactic on a node's first goal, on the first free process of the pool (waiting for one when all are busy;
   * `ms` is the time on the process, replaying the state there included, not the wait). Timeouts and a crash caused
   * by the tactic count as a failed tactic. Safe to call many times at once: at most `processes` checks run, the
   * rest wait their turn.
   */
  async check(node: ProofNode, tactic: string, signal?: AbortSignal): Promise<TacticCheck> {
    for (;;) {
      const index = await this.acquire(signal);
      const started = performance.now();
      let keep = true;
      try {
        this.checksPerProcess[index] = (this.checksPerProcess[index] ?? 0) + 1;
        return await this.checkOn(index, node, tactic, started, signal);
      } catch (err) {
        // A further process stopped under us (the setting went down): it leaves the pool, the check goes elsewhere.
        if (index === 0 || !(err instanceof ReplError && err.kind === 'disposed')) throw err;
        keep = false;
        this.unusable.set(index, err.message);
      } finally {
        if (keep) this.release(index);
      }
    }
  }

  private async checkOn(
    index: number,
    node: ProofNode,
    tactic: string,
    started: number,
    signal?: AbortSignal,
  ): Promise<TacticCheck> {
    const repl = this.repls[index] as LeanRepl;
    const ms = () => performance.now() - started;
    for (let attempt = 0; ; attempt++) {
      try {
        const live = await this.live(node, index, signal);
        const { outcome, next } = await step(repl, tactic, live.proofState, this.requestOptions(live, signal));
        if (outcome.kind === 'closed') return { kind: 'closed', ms: ms() };
        if (outcome.kind === 'failed') return { kind: 'failed', error: outcome.error, ms: ms() };
        const child: ProofNode = {
          goals: outcome.goals,
          path: [...node.path, tactic],
          handles: new Map([[index, { proofState: next, generation: live.generation }]]),
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

  /**
   * The id of a node's state in process `index`: its own handle while that process lives, else replayed there from
   * the root (probed again when the process restarted or has not seen this goal yet).
   */
  private async live(node: ProofNode, index: number, signal?: AbortSignal): Promise<Handle> {
    const repl = this.repls[index] as LeanRepl;
    const own = node.handles.get(index);
    if (own && repl.holds(own.generation)) return own;
    let root = this.root.handles.get(index);
    if (!root || !repl.holds(root.generation)) {
      root = (await probeRoot(repl, index, this.plan, signal)).node.handles.get(index) as Handle;
      this.root.handles.set(index, root);
    }
    let proofState = root.proofState;
    for (const tactic of node.path) {
      const { outcome, next } = await step(repl, tactic, proofState, this.requestOptions(root, signal));
      if (outcome.kind !== 'progress') {
        throw new ProofSessionError(`Replaying \`${tactic}\` after a REPL restart did not reach the same state.`);
      }
      proofState = next;
    }
    const handle = { proofState, generation: root.generation };
    node.handles.set(index, handle);
    return handle;
  }

  private requestOptions(handle: Handle, signal?: AbortSignal): RequestOptions {
    return {
      timeoutMs: this.options.tacticTimeoutMs,
      generation: handle.generation,
      ...(signal ? { signal } : {}),
    };
  }

  /** A ready process with no check running; brings in the next process of the pool when there is none. */
  private acquire(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const free = this.idle.shift();
    if (free !== undefined) return Promise.resolve(free);
    this.bringInNext();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(take);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal?.reason);
      };
      const take = (index: number) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(index);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private release(index: number): void {
    const next = this.waiting.shift();
    if (next) next(index);
    else {
      this.idle.push(index);
      this.idle.sort((a, b) => a - b);
    }
  }

  /**
   * Starts process `nextJoiner` on this goal: it probes the root and then takes waiting checks. Its probe runs on
   * its own; a waiting check is not tied to it, so whichever process frees first serves the check.
   */
  private bringInNext(): void {
    if (this.nextJoiner >= this.repls.length) return;
    const index = this.nextJoiner++;
    const repl = this.repls[index] as LeanRepl;
    // Not tied to the signal of the check that called it in: a cancelled request leaves a probe that ends on its own.
    probeRoot(repl, index, this.plan).then(
      ({ node }) => {
        this.root.handles.set(index, node.handles.get(index) as Handle);
        this.release(index);
      },
      (err: unknown) => {
        this.unusable.set(index, err instanceof Error ? err.message : String(err));
      },
    );
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
  index: number,
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
    node: {
      goals: reading.goals.slice(0, 1),
      path: [],
      handles: new Map([[index, { proofState: reading.proofState, generation }]]),
    },
    openGoals: reading.goals.length,
  };
}

/**
 * The goal-known pairs of the text above a plan's declaration: read once per text, since every question while the user
 * types in one proof has the same text above it (and the file source keys its index on the list).
 */
let lastAbove: { text: string; examples: readonly GoalExample[] } | undefined;
function examplesAbove(plan: GoalPlan): readonly GoalExample[] {
  const text = `${plan.header}\n${plan.preamble}`;
  if (lastAbove?.text !== text) lastAbove = { text, examples: fileExamples(text) };
  return lastAbove.examples;
}

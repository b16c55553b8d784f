/**
 * Proof states of one Isabelle statement, each named by the steps that lead to it from the state at the cursor (as
 * `provers/lean/proofSession.ts` names Lean's), and each question a theory of its own checked by `use_theories`: the
 * server has no command that applies one step. `check` runs a step on a state (the proof so far, then the path, then
 * the step, then `print_state`); `verify` is the soundness gate: the user's file up to the statement with the proof
 * written in must check with no error, and its text no `sorry` or `oops` in code.
 */
import {
  goalsInError,
  type IsabelleGoalPlan,
  parseProofState,
  proofTheory,
  questionTheory,
  sledgehammerCommand,
  tryThisSteps,
  unfinishedProofs,
} from '@llemma/prover-text/isabelle';
import type { IsabelleClient } from './isabelleClient';
import { IsabelleServerError } from './wire/serverConnection';
import type { TheoryMessage, UseTheoriesResult } from './wire/serverSchema';

export interface IsabelleNode {
  /** Subgoals of this state as Isabelle prints them (ASCII symbols); the first is the one a step works on first. */
  readonly goals: readonly string[];
  /** Steps from the root to this state. Invariant: written after the proof so far, they reach this state. */
  readonly path: readonly string[];
}

export type IsabelleCheck =
  | { kind: 'closed'; ms: number }
  | { kind: 'progress'; node: IsabelleNode; ms: number }
  | { kind: 'failed'; error: string; ms: number; transient?: boolean };

/**
 * What Sledgehammer said on a state: the steps it proposes (`found`, maybe none), or that the server cannot run it
 * (`unavailable`: an error on its line, such as an unknown command or no provers), or nothing this time (`none`: the
 * question timed out or the connection dropped).
 */
export type SledgehammerAnswer =
  | { kind: 'found'; steps: string[] }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'none'; reason: string };

/** The most steps taken from one Sledgehammer run (its reply is the server's, so untrusted). */
const maxSledgehammerSteps = 8;

export type ProofVerdict = { ok: true; axioms: string[] } | { ok: false; reason: string };

let theoryCounter = 0;
/** A fresh theory name per question: a theory's name is its file's, and the server caches theories by name. */
function theoryName(): string {
  theoryCounter = (theoryCounter + 1) % 1_000_000_000;
  return `Llemma_Q${process.pid}_${theoryCounter}`;
}

/** The state printed after the steps of a question, or the failure of a step in it. */
export function readQuestion(
  result: UseTheoriesResult,
  lines: { stepFirstLine: number; stepLastLine: number; printLine: number },
): { kind: 'state'; goals: string[]; closed: boolean } | { kind: 'failed'; error: string } {
  const messages: TheoryMessage[] = result.nodes.flatMap((n) => n.messages);
  const at = (m: TheoryMessage) => m.pos?.line ?? -1;
  const stepError = messages.find(
    (m) => m.kind === 'error' && at(m) >= lines.stepFirstLine && at(m) <= lines.stepLastLine,
  );
  if (stepError) return { kind: 'failed', error: stepError.message };
  // An error before the steps means the proof so far does not reach them (the root has no state).
  const before = messages.find((m) => m.kind === 'error' && at(m) >= 0 && at(m) < lines.stepFirstLine);
  const printed = messages.filter((m) => at(m) === lines.printLine && m.kind !== 'error');
  const state = printed.map((m) => parseProofState(m.message)).find((s) => s.hasGoalBlock);
  if (state) return { kind: 'state', goals: state.goals, closed: state.total === 0 };
  if (before) {
    const inError = goalsInError(before.message);
    return { kind: 'failed', error: inError ? before.message : `the proof before the cursor fails: ${before.message}` };
  }
  // No proof state after the steps: they ended the statement's proof (`by …` at the top, `done`, `qed`).
  return { kind: 'state', goals: [], closed: true };
}

export class IsabelleSession {
  private constructor(
    private readonly client: IsabelleClient,
    readonly plan: IsabelleGoalPlan,
    readonly root: IsabelleNode,
    private readonly timeoutMs: number,
  ) {}

  /** Asks for the state at the plan's cursor; fails when the proof so far has no state there. */
  static async open(client: IsabelleClient, plan: IsabelleGoalPlan, timeoutMs: number, signal?: AbortSignal) {
    const name = theoryName();
    const q = questionTheory(plan, name, []);
    const result = await client.useTheories([{ name, text: q.text }], {
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
    const read = readQuestion(result, q);
    if (read.kind === 'failed') throw new Error(read.error);
    return new IsabelleSession(client, plan, { goals: read.goals, path: [] }, timeoutMs);
  }

  /** Runs a step on a state. A timeout or a dropped connection is a transient failure, not the step's verdict. */
  async check(node: IsabelleNode, step: string, signal?: AbortSignal): Promise<IsabelleCheck> {
    const started = performance.now();
    const name = theoryName();
    const q = questionTheory(this.plan, name, [...node.path, step]);
    // The step's own lines: the path is written before it.
    const lines = { ...q, stepFirstLine: q.stepLastLine - step.split('\n').length + 1 };
    try {
      const result = await this.client.useTheories([{ name, text: q.text }], {
        timeoutMs: this.timeoutMs,
        ...(signal ? { signal } : {}),
      });
      const ms = performance.now() - started;
      const read = readQuestion(result, lines);
      if (read.kind === 'failed') return { kind: 'failed', error: read.error, ms };
      if (read.closed) return { kind: 'closed', ms };
      return { kind: 'progress', node: { goals: read.goals, path: [...node.path, step] }, ms };
    } catch (err) {
      const ms = performance.now() - started;
      if (err instanceof IsabelleServerError && err.kind !== 'cancelled') {
        return { kind: 'failed', error: err.message, ms, ...(err.transient ? { transient: true } : {}) };
      }
      throw err;
    }
  }

  /**
   * Asks Sledgehammer for steps on a state, for at most `seconds` of its own search (the question may take the
   * request timeout beyond that, to load the theory). The steps are proposals: the caller screens and checks them.
   */
  async sledgehammer(node: IsabelleNode, seconds: number, signal?: AbortSignal): Promise<SledgehammerAnswer> {
    const name = theoryName();
    const q = questionTheory(this.plan, name, [...node.path, sledgehammerCommand(seconds)]);
    let result: UseTheoriesResult;
    try {
      result = await this.client.useTheories([{ name, text: q.text }], {
        timeoutMs: seconds * 1000 + this.timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (err instanceof IsabelleServerError && err.kind !== 'cancelled') return { kind: 'none', reason: err.message };
      throw err;
    }
    const said = result.nodes.flatMap((n) => n.messages).filter((m) => m.pos?.line === q.stepLastLine);
    const error = said.find((m) => m.kind === 'error');
    if (error) {
      const line = error.message.split('\n')[0]?.trim().slice(0, 200) ?? '';
      return { kind: 'unavailable', reason: line || 'Isabelle did not run it' };
    }
    return { kind: 'found', steps: tryThisSteps(said.map((m) => m.message)).slice(0, maxSledgehammerSteps) };
  }

  /** The soundness gate for a whole proof (the path from the root to a closed state). */
  async verify(steps: readonly string[], signal?: AbortSignal): Promise<ProofVerdict> {
    const name = theoryName();
    const text = proofTheory(this.plan, name, steps);
    const fromStatement = text.slice(text.indexOf(this.plan.statementText));
    const unfinished = unfinishedProofs(fromStatement);
    if (unfinished.length > 0) return { ok: false, reason: `the proof holds \`${unfinished[0]?.keyword}\`` };
    const result = await this.client.useTheories([{ name, text }], {
      timeoutMs: this.timeoutMs,
      ...(signal ? { signal } : {}),
    });
    const errors = result.nodes.flatMap((n) => n.messages).filter((m) => m.kind === 'error');
    if (!result.ok || errors.length > 0 || result.errors.length > 0) {
      return { ok: false, reason: (errors[0] ?? result.errors[0])?.message ?? 'the theory did not check' };
    }
    if (result.nodes.some((n) => n.status && (!n.status.ok || n.status.failed > 0 || n.status.canceled))) {
      return { ok: false, reason: 'the theory did not finish checking' };
    }
    return { ok: true, axioms: [] };
  }
}

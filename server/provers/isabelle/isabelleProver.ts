/**
 * The Isabelle prover as the server core sees it: one client of the Isabelle server (started on first use, set up
 * again after a dropped connection), the goal at a position, proof sessions on it, and the decision procedures
 * verified on a goal. The `isabelle` executable comes from `isabelle.path`, else PATH.
 */
import {
  cursorInsertion,
  decisionProcedures,
  type IsabelleGoalPlan,
  lineInsertion,
  planIsabelleGoal,
  renderGoals,
  type StepInsertion,
} from '@llemma/prover-text/isabelle';
import type { Position } from 'vscode-languageserver-protocol';
import type { ProveTheoremResult, SearchBudget, SearchProgress, SuggestTacticsResult } from '../../../protocol';
import {
  type GoalAtResult,
  LlemmaErrorCode,
  type LlemmaSettings,
  type ProverInfo,
  type ProverStatusParams,
} from '../../../protocol';
import { LlemmaError } from '../../errors';
import type { TacticSource } from '../../modelHost';
import { remedy } from '../../remedies';
import { IsabelleClient } from './isabelleClient';
import { proveIsabelleStatement, suggestIsabelleSteps } from './isabelleSearch';
import { type IsabelleCheck, IsabelleSession } from './isabelleSession';
import { IsabelleStartError, type StartedServer } from './serverProcess';
import { SledgehammerSource } from './sledgehammer';
import { IsabelleServerError } from './wire/serverConnection';

export interface IsabelleProverOptions {
  settings: () => LlemmaSettings;
  log: (line: string) => void;
  onStatus: (status: ProverStatusParams) => void;
  /** How the server is found instead of starting `isabelle server` (tests: the server double). */
  start?: () => Promise<StartedServer>;
}

/** Milliseconds to start the server and the session; a first start may build the session image. */
const startTimeoutMs = 600_000;

export class IsabelleProver {
  private client: IsabelleClient | undefined;
  /** Sledgehammer on the current client's server; made again with the client, so a set-aside lasts one set-up. */
  private hammer: SledgehammerSource | undefined;

  constructor(private readonly options: IsabelleProverOptions) {}

  /** The goals before the step on the position's line, each as Isabelle prints it. */
  async goalAt(filePath: string, text: string, position: Position, signal?: AbortSignal): Promise<GoalAtResult> {
    const started = performance.now();
    const session = await this.openSession(filePath, text, position, signal);
    return {
      goals: session.root.goals.map((g) => renderGoals([g]).replace(/^goal \(1 subgoal\):\n 1\. /, '')),
      proofState: null,
      replGeneration: this.clientNow().restarts,
      declaration: session.plan.declName,
      errors: [],
      prover: this.info(),
      elapsedMs: performance.now() - started,
    };
  }

  /**
   * A proof session on the state before the step on the position's line. `vet` sees the plan before Isabelle is asked
   * and may refuse it by throwing.
   */
  async openSession(
    _filePath: string,
    text: string,
    position: Position,
    signal?: AbortSignal,
    vet?: (plan: IsabelleGoalPlan) => void,
  ): Promise<IsabelleSession> {
    const plan = planIsabelleGoal(text, position);
    if ('reason' in plan) {
      throw new LlemmaError(
        plan.reason === 'notInProof' ? LlemmaErrorCode.NotInProof : LlemmaErrorCode.LeanError,
        plan.message,
      );
    }
    vet?.(plan);
    try {
      return await IsabelleSession.open(this.clientNow(), plan, this.timeoutMs(), signal);
    } catch (err) {
      if (err instanceof LlemmaError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof IsabelleStartError) {
        throw new LlemmaError(
          LlemmaErrorCode.ReplNotFound,
          `Isabelle: ${message.replace(/\.$/, '')}. Install Isabelle2025-2 and put \`isabelle\` on PATH, or give its executable with ` +
            `${remedy.setting('isabelle.path')}.`,
        );
      }
      const code =
        err instanceof IsabelleServerError && err.kind === 'closed'
          ? LlemmaErrorCode.ReplNotFound
          : LlemmaErrorCode.LeanError;
      throw new LlemmaError(code, `Isabelle: ${message}`);
    }
  }

  /** Each decision procedure run on the session's goal, in order: those that close it, with their times. */
  async procedures(session: IsabelleSession, signal?: AbortSignal): Promise<{ step: string; check: IsabelleCheck }[]> {
    const checks = await Promise.all(
      decisionProcedures.map(async (step) => ({ step, check: await session.check(session.root, step, signal) })),
    );
    return checks.filter((c) => c.check.kind === 'closed');
  }

  /**
   * Verified next steps for the state before the step on the position's line, each with its edit: a line of its own
   * (`line`), or in place of the line's text before the cursor (`cursor`, ghost text), refused before Isabelle or the
   * model is asked unless a step may start at the cursor.
   */
  async suggest(
    filePath: string,
    text: string,
    position: Position,
    model: TacticSource,
    signal?: AbortSignal,
    insertAt: 'line' | 'cursor' = 'line',
  ): Promise<SuggestTacticsResult> {
    const started = performance.now();
    let insertion: StepInsertion | undefined;
    const session = await this.openSession(filePath, text, position, signal, (plan) => {
      insertion = insertAt === 'cursor' ? cursorInsertion(text, plan, position) : lineInsertion(text, plan);
      if (!insertion) {
        throw new LlemmaError(
          LlemmaErrorCode.NotInProof,
          'No step starts at the cursor: ghost text completes a blank line of a proof or a step being typed, at its end.',
        );
      }
    });
    const settings = this.options.settings();
    // Set by the vetting above, which refused the plan otherwise.
    const at = insertion as StepInsertion;
    return suggestIsabelleSteps(session, model, at, {
      candidates: settings['suggest.candidates'],
      shown: settings['suggest.shown'],
      goalMs: performance.now() - started,
      prover: this.info(),
      ...this.sledgehammerOption(),
      ...(signal ? { signal } : {}),
    });
  }

  /** Best-first proof search from the position; a proof is returned only if the whole theory accepted it. */
  async prove(
    filePath: string,
    text: string,
    position: Position,
    model: TacticSource,
    options: { budget: SearchBudget; signal?: AbortSignal; onProgress?: (p: SearchProgress) => void },
  ): Promise<ProveTheoremResult> {
    const session = await this.openSession(filePath, text, position, options.signal);
    return proveIsabelleStatement(session, model, text, {
      budget: options.budget,
      prover: this.info(),
      restarts: () => this.client?.restarts ?? 0,
      log: this.options.log,
      ...this.sledgehammerOption(),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  }

  /** Which prover answered, as every result names it. */
  info(): ProverInfo {
    const settings = this.options.settings();
    const identity = this.client?.identity;
    return {
      prover: 'isabelle',
      projectRoot: settings['isabelle.session'],
      toolchain: identity ? identity.isabelleName : null,
      replCommand: `${settings['isabelle.path'] || 'isabelle'} server -n llemma`,
    };
  }

  /** Sledgehammer for a request when `isabelle.sledgehammer` is on; nothing otherwise, so it is never asked. */
  private sledgehammerOption(): { sledgehammer?: SledgehammerSource } {
    if (!this.options.settings()['isabelle.sledgehammer']) return {};
    this.hammer ??= new SledgehammerSource(
      () => this.options.settings()['isabelle.sledgehammerSeconds'],
      (line) => this.options.log(`[isabelle] ${line}`),
    );
    return { sledgehammer: this.hammer };
  }

  private timeoutMs(): number {
    return this.options.settings()['lean.requestTimeoutMs'];
  }

  private clientNow(): IsabelleClient {
    if (this.client) return this.client;
    const settings = this.options.settings();
    const session = settings['isabelle.session'] || 'HOL';
    this.client = new IsabelleClient({
      launch: { executable: settings['isabelle.path'] || 'isabelle', session, dirs: [], startTimeoutMs },
      log: (line) => this.options.log(`[isabelle] ${line}`),
      onLifecycle: (state, message) =>
        this.options.onStatus({
          prover: 'isabelle',
          projectRoot: `isabelle:${session}`,
          state,
          toolchain: this.client?.identity?.isabelleName ?? null,
          ...(message ? { message } : {}),
        }),
      ...(this.options.start ? { start: this.options.start } : {}),
    });
    return this.client;
  }

  /** Stops the client; the next request starts again with the current settings. */
  async restartAll(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.hammer = undefined;
    await client?.dispose();
  }

  dispose(): Promise<void> {
    return this.restartAll();
  }
}

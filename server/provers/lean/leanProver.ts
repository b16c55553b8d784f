/**
 * The Lean prover as the server core sees it: per Lean project root, one REPL for goals and re-checks plus up to
 * `lean.checkProcesses - 1` more that proof sessions bring in to run candidate tactics in parallel; each started on
 * first use, restarted by its client after a crash or hang, all disposed when settings that decide how a REPL starts
 * change.
 */

import { type GoalPlan, planGoalQuery } from '@llemma/prover-text/lean';
import type { Position } from 'vscode-languageserver-protocol';
import { type GoalAtResult, LlemmaErrorCode, type LlemmaSettings, type ProverStatusParams } from '../../../protocol';
import { LlemmaError } from '../../errors';
import { goalAt } from './goalAt';
import { findProject, type LeanProject, resolveReplLaunch } from './project';
import { ProofSession, ProofSessionError } from './proofSession';
import type { ReplLaunch } from './repl/replApi';
import { ReplClient } from './repl/replClient';

export interface LeanProverOptions {
  settings: () => LlemmaSettings;
  /** A REPL command line that beats the settings: the CLI's `--repl` or the environment's `LLEMMA_REPL`. */
  replOverride?: string;
  log: (line: string) => void;
  onStatus: (status: ProverStatusParams) => void;
}

interface Running {
  /** The first REPL of the project: goal queries, root probes, whole-proof re-checks; and checks. */
  client: ReplClient;
  project: LeanProject;
  /** The project's further REPLs, for checks only; created when a session first has room for them. */
  extra: ReplClient[];
}

/** The most REPL processes per project, whatever the setting says (each holds the project's imports). */
export const maxCheckProcesses = 8;

export class LeanProver {
  private readonly running = new Map<string, Running>();
  private nextTag = 2;

  constructor(private readonly options: LeanProverOptions) {}

  async goalAt(filePath: string, text: string, position: Position, signal?: AbortSignal): Promise<GoalAtResult> {
    const { client, project } = this.replFor(filePath);
    const result = await goalAt(client, text, position, project, signal);
    if ('reason' in result) {
      const code = result.reason === 'notInProof' ? LlemmaErrorCode.NotInProof : LlemmaErrorCode.LeanError;
      throw new LlemmaError(code, result.message);
    }
    return result;
  }

  /**
   * A proof session on the first goal before the tactic on the position's line: the start of suggestions and of
   * proof search. Fails with NotInProof / LeanError in the words of the goal query; `vet` may refuse the plan (by
   * throwing) before any REPL is asked.
   */
  async openSession(
    filePath: string,
    text: string,
    position: Position,
    signal?: AbortSignal,
    vet?: (plan: GoalPlan) => void,
  ): Promise<ProofSession> {
    const running = this.replFor(filePath);
    const { client, project } = running;
    const plan = planGoalQuery(text, position);
    if ('reason' in plan) {
      throw new LlemmaError(
        plan.reason === 'notInProof' ? LlemmaErrorCode.NotInProof : LlemmaErrorCode.LeanError,
        plan.message,
      );
    }
    vet?.(plan);
    try {
      return await ProofSession.open(
        [client, ...this.extraRepls(running)],
        plan,
        project,
        { tacticTimeoutMs: this.options.settings()['lean.tacticTimeoutMs'] },
        signal,
      );
    } catch (err) {
      if (err instanceof ProofSessionError) throw new LlemmaError(LlemmaErrorCode.LeanError, err.message);
      throw err;
    }
  }

  /** The REPL of the file's project, created (not yet started: that happens on its first request) when needed. */
  replFor(filePath: string): Running {
    const project = findProject(filePath);
    if (!project) {
      throw new LlemmaError(
        LlemmaErrorCode.NotInProject,
        `${filePath} is not inside a Lean project: no lakefile.lean, lakefile.toml or lean-toolchain in its folder or above. ` +
          'Open the file from a Lean project (create one with `lake new`).',
      );
    }
    const existing = this.running.get(project.root);
    if (existing) return existing;
    const launch = this.launchFor(project);
    const client = this.newClient(project, launch, true);
    const entry = { client, project, extra: [] };
    this.running.set(project.root, entry);
    return entry;
  }

  /** The project's further REPLs, up to `lean.checkProcesses` in all, created (not started) as needed. */
  private extraRepls(running: Running): ReplClient[] {
    const setting = Math.floor(this.options.settings()['lean.checkProcesses']);
    const wanted = Number.isFinite(setting) ? Math.max(1, Math.min(maxCheckProcesses, setting)) : 1;
    while (running.extra.length < wanted - 1) {
      running.extra.push(this.newClient(running.project, this.launchFor(running.project), false));
    }
    // The setting went down: the surplus processes stop (a session using one moves its checks to the others).
    for (const surplus of running.extra.splice(wanted - 1)) void surplus.dispose();
    return [...running.extra];
  }

  private launchFor(project: LeanProject): ReplLaunch {
    const settings = this.options.settings();
    const launch = resolveReplLaunch({
      root: project.root,
      override: this.options.replOverride || settings['lean.replCommand'] || undefined,
      replPath: settings['lean.replPath'] || undefined,
    });
    if ('reason' in launch) {
      const code = launch.reason === 'leanNotFound' ? LlemmaErrorCode.LeanNotFound : LlemmaErrorCode.ReplNotFound;
      this.status(project, 'failed', launch.message);
      throw new LlemmaError(code, launch.message);
    }
    return launch;
  }

  /**
   * A client for the project. Only the first reports its lifecycle as the prover's status; the others log theirs
   * (a session that cannot use one goes on with the rest).
   */
  private newClient(project: LeanProject, launch: ReplLaunch, first: boolean): ReplClient {
    const settings = this.options.settings();
    const tag = first ? project.root : `${project.root} #${this.nextTag++}`;
    return new ReplClient({
      launch,
      requestTimeoutMs: settings['lean.requestTimeoutMs'],
      importTimeoutMs: settings['lean.importTimeoutMs'],
      log: (line) => this.options.log(`[repl ${tag}] ${line}`),
      onLifecycle: first
        ? (state, message) => this.status(project, state, message)
        : (state, message) => this.options.log(`[repl ${tag}] ${state}${message ? `: ${message}` : ''}`),
    });
  }

  /** Stops every REPL; the next request starts fresh ones with the current settings. */
  async restartAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.flatMap((r) => [r.client, ...r.extra]).map((c) => c.dispose()));
    for (const r of all) this.status(r.project, 'stopped', 'Stopped; it starts again on the next request.');
  }

  dispose(): Promise<void> {
    return this.restartAll();
  }

  private status(project: LeanProject, state: ProverStatusParams['state'], message?: string): void {
    this.options.onStatus({
      projectRoot: project.root,
      state,
      toolchain: project.toolchain,
      ...(message ? { message } : {}),
    });
  }
}

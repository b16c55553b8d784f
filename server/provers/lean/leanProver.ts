/**
 * The Lean prover as the server core sees it: one REPL per Lean project root, started on first use, restarted by its
 * client after a crash or hang, all disposed when settings that decide how a REPL starts change.
 */
import type { Position } from 'vscode-languageserver-protocol';
import { type GoalAtResult, LlemmaErrorCode, type LlemmaSettings, type ProverStatusParams } from '../../../protocol';
import { LlemmaError } from '../../errors';
import { goalAt } from './goalAt';
import { findProject, type LeanProject, resolveReplLaunch } from './project';
import { ProofSession, ProofSessionError } from './proofSession';
import { ReplClient } from './repl/replClient';
import { planGoalQuery } from './source/goalProbe';

export interface LeanProverOptions {
  settings: () => LlemmaSettings;
  /** A REPL command line that beats the settings: the CLI's `--repl` or the environment's `LLEMMA_REPL`. */
  replOverride?: string;
  log: (line: string) => void;
  onStatus: (status: ProverStatusParams) => void;
}

interface Running {
  client: ReplClient;
  project: LeanProject;
}

export class LeanProver {
  private readonly running = new Map<string, Running>();

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
   * proof search. Fails with NotInProof / LeanError in the words of the goal query.
   */
  async openSession(filePath: string, text: string, position: Position, signal?: AbortSignal): Promise<ProofSession> {
    const { client, project } = this.replFor(filePath);
    const plan = planGoalQuery(text, position);
    if ('reason' in plan) {
      throw new LlemmaError(
        plan.reason === 'notInProof' ? LlemmaErrorCode.NotInProof : LlemmaErrorCode.LeanError,
        plan.message,
      );
    }
    try {
      return await ProofSession.open(
        client,
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
    const client = new ReplClient({
      launch,
      requestTimeoutMs: settings['lean.requestTimeoutMs'],
      importTimeoutMs: settings['lean.importTimeoutMs'],
      log: (line) => this.options.log(`[repl ${project.root}] ${line}`),
      onLifecycle: (state, message) => this.status(project, state, message),
    });
    const entry = { client, project };
    this.running.set(project.root, entry);
    return entry;
  }

  /** Stops every REPL; the next request starts fresh ones with the current settings. */
  async restartAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => r.client.dispose()));
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

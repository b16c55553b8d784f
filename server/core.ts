/**
 * The headless core shared by the language server and the CLI: settings, the provers, and one method per operation.
 * Front ends translate their requests into these calls and LlemmaErrors back into their own error shapes.
 */
import type { Position } from 'vscode-languageserver-protocol';
import {
  defaultSettings,
  type GoalAtResult,
  type LlemmaSettings,
  type ProverStatusParams,
  restartKeys,
} from '../protocol';
import { toLlemmaError } from './errors';
import { LeanProver } from './provers/lean/leanProver';

export interface CoreOptions {
  settings?: LlemmaSettings;
  /** A REPL command line that beats the settings (CLI `--repl`, environment `LLEMMA_REPL`). */
  replOverride?: string;
  log?: (line: string) => void;
  onProverStatus?: (status: ProverStatusParams) => void;
}

export class LlemmaCore {
  private settings: LlemmaSettings;
  readonly lean: LeanProver;

  constructor(options: CoreOptions = {}) {
    this.settings = options.settings ?? defaultSettings;
    const log = options.log ?? (() => undefined);
    this.lean = new LeanProver({
      settings: () => this.settings,
      replOverride: options.replOverride,
      log,
      onStatus: (s) => {
        log(`prover ${s.projectRoot}: ${s.state}${s.message ? ` (${s.message})` : ''}`);
        options.onProverStatus?.(s);
      },
    });
  }

  /** Applies new settings; REPLs are restarted only when a key that decides how they start has changed. */
  async updateSettings(next: LlemmaSettings): Promise<void> {
    const prev = this.settings;
    this.settings = next;
    if (restartKeys.some((k) => prev[k] !== next[k])) await this.lean.restartAll();
  }

  async goalAt(filePath: string, text: string, position: Position, signal?: AbortSignal): Promise<GoalAtResult> {
    try {
      return await this.lean.goalAt(filePath, text, position, signal);
    } catch (err) {
      throw toLlemmaError(err);
    }
  }

  dispose(): Promise<void> {
    return this.lean.dispose();
  }
}

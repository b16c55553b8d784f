/**
 * The contract between the Lean REPL subsystem (replClient.ts and its parts) and its users (goalAt.ts, the server core,
 * later the search). Wire types are in replSchema.ts; this file is what callers program against.
 */
import type { CommandResponse, TacticResponse } from './replSchema';

/** How to start one REPL: an argv run in the project folder (no shell). */
export interface ReplLaunch {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  /** The command line as the user would write it, for messages. */
  display: string;
}

export type ReplErrorKind =
  /** The executable does not exist (ENOENT) or cannot be executed. */
  | 'notFound'
  /** The process exited before or while answering (crash, `kill -9`, wrong toolchain). Carries the stderr tail. */
  | 'crashed'
  /** No answer within the request's timeout; the process was killed and will be restarted. */
  | 'timeout'
  /** Output that is not a JSON object, or a JSON object that does not fit the schema. */
  | 'protocol'
  /**
   * The REPL answered with its error object (`{"message": …}`) instead of a response: an unknown env or proof state id,
   * a tactic Lean could not run at all ("Lean error: …"), an unreadable file. The process is fine and keeps running.
   */
  | 'rejected'
  /** The caller's AbortSignal fired. */
  | 'cancelled'
  /** The client was disposed. */
  | 'disposed';

export class ReplError extends Error {
  constructor(
    readonly kind: ReplErrorKind,
    message: string,
    /** Last lines the process wrote to stderr, when there are any. */
    readonly stderrTail = '',
  ) {
    super(message);
    this.name = 'ReplError';
  }
}

export type ReplLifecycle = 'stopped' | 'starting' | 'ready' | 'busy' | 'restarting' | 'failed';

export interface RequestOptions {
  /** Overrides the client's default timeout for this request. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * The generation the request's ids (env, proof state) come from. When the REPL has restarted since, the request is
   * not sent (the new process numbers its states from 0 again, so an old id could name another state) and fails with
   * kind 'crashed'.
   */
  generation?: number;
}

export interface LeanRepl {
  /**
   * Environment id after running `commands` in order, each in the environment of the one before (the first without
   * `env`, so it may hold `import`s). Cached per prefix of the chain, so `import Mathlib` runs once per project and
   * header; the cache is rebuilt after a restart. `commands[0]` uses the import timeout.
   */
  envFor(commands: readonly string[], opts?: RequestOptions): Promise<number>;
  /** Command mode: `{"cmd", "env"?}`. */
  command(cmd: string, env: number | undefined, opts?: RequestOptions): Promise<CommandResponse>;
  /** Tactic mode: `{"tactic", "proofState"}`. */
  tactic(tactic: string, proofState: number, opts?: RequestOptions): Promise<TacticResponse>;
  /**
   * Runs `cmd` in the environment of `envChain` as one unit: if the REPL restarts in between (crash), the chain is
   * rebuilt and the command sent again, once. Ids in the result belong to the returned generation.
   */
  commandIn(
    envChain: readonly string[],
    cmd: string,
    opts?: RequestOptions,
  ): Promise<{ response: CommandResponse; generation: number }>;
  /** Increases at each (re)start. Env and proof-state ids from another generation are meaningless. */
  readonly generation: number;
  /**
   * Whether ids of `generation` still name something: its process is the running one. False after a crash, kill or
   * timeout even before the next start increases `generation`.
   */
  holds(generation: number): boolean;
  readonly lifecycle: ReplLifecycle;
  /** Process id of the running REPL, if any (tests `kill -9` it). */
  readonly pid: number | undefined;
  readonly launch: ReplLaunch;
  dispose(): Promise<void>;
}

/**
 * Every custom request and notification between the extension and the language server, typed once. Client and server
 * both import these constants; a method string appears nowhere else. Each method has a section in docs/protocol.md.
 */
import {
  NotificationType,
  type Position,
  RequestType,
  type TextDocumentIdentifier,
} from 'vscode-languageserver-protocol';

/** Where the prover's numbers come from, printed beside every result so that nothing is shown without its origin. */
export interface ProverInfo {
  /** `lean4`; Isabelle comes later. */
  prover: 'lean4';
  /** Root folder of the Lean project whose REPL answered. */
  projectRoot: string;
  /** Contents of the project's `lean-toolchain`, e.g. `leanprover/lean4:v4.33.0-rc2`; null when the file is missing. */
  toolchain: string | null;
  /** The command line that started the REPL. */
  replCommand: string;
}

export interface GoalAtParams {
  textDocument: TextDocumentIdentifier;
  /** LSP position (0-based line, UTF-16 character). The goal shown is the one before the tactic that starts on this line. */
  position: Position;
}

export interface GoalAtResult {
  /** Goals open at the position, each in Lean's rendering (`h : x > 0\n⊢ x ≠ 0`). Empty when no goal is left. */
  goals: string[];
  /** REPL proof-state id of the first goal, valid until the REPL restarts (see `replGeneration`). */
  proofState: number | null;
  /** Increases each time the project's REPL is (re)started; proof-state ids of older generations are gone. */
  replGeneration: number;
  /** Name of the declaration the position is in (`example` for anonymous ones). */
  declaration: string;
  /** Lean's errors in the declaration before the position, with positions in the document. */
  errors: { range: { start: Position; end: Position }; message: string }[];
  prover: ProverInfo;
  /** Wall time of the request in the server, milliseconds. */
  elapsedMs: number;
}

/** `llemma/goalAt`: the proof state at a position, obtained by the Lean REPL. */
export const goalAt = new RequestType<GoalAtParams, GoalAtResult, void>('llemma/goalAt');

export type ProverState = 'starting' | 'ready' | 'busy' | 'restarting' | 'failed' | 'stopped';

export interface ProverStatusParams {
  projectRoot: string;
  state: ProverState;
  /** What went wrong (for `failed`) or what is happening, in words for the user. */
  message?: string;
  toolchain: string | null;
}

/** `llemma/proverStatus`: server → client whenever a project's REPL changes state. */
export const proverStatus = new NotificationType<ProverStatusParams>('llemma/proverStatus');

/**
 * Error codes carried by `ResponseError`s of Llemma's custom requests. The server puts a message written for the user in
 * the error; the client shows it as it is. Codes live in the range LSP leaves to servers (-32899 .. -32800 is taken by
 * LSP itself, so these sit below).
 */
export const LlemmaErrorCode = {
  /** `lake` (and so Lean) is not installed or not on the PATH. */
  LeanNotFound: -33001,
  /** The Lean REPL could not be found or started for the project. */
  ReplNotFound: -33002,
  /** The file is not inside a Lean project (no lakefile.lean, lakefile.toml or lean-toolchain above it). */
  NotInProject: -33003,
  /** The position is not inside a tactic proof (`by` block) of a theorem, lemma or example. */
  NotInProof: -33004,
  /** The REPL process died (crash, kill, wrong toolchain). It is restarted for the next request. */
  ReplCrashed: -33005,
  /** The REPL did not answer in time. It was killed and is restarted for the next request. */
  ReplTimeout: -33006,
  /** The REPL answered something that is not the REPL protocol. */
  ReplProtocol: -33007,
  /** Lean rejected the text before the cursor, so there is no proof state to show. */
  LeanError: -33008,
  /** The model could not be loaded or failed while generating (a corrupt folder, an unreachable server). */
  ModelError: -33009,
  /** The Lean project is not the one the operation needs (a miniF2F variant's Lean toolchain and Mathlib). */
  ProjectMismatch: -33010,
  /** A results file cannot be used: not readable, not results, or results of another configuration. */
  ResultsFileError: -33011,
  /** The request was cancelled by the client. */
  Cancelled: -32800,
} as const;

export type LlemmaErrorCode = (typeof LlemmaErrorCode)[keyof typeof LlemmaErrorCode];

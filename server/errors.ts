/**
 * The one error type the server core throws to its front ends (LSP handlers, CLI). It carries a protocol error code and
 * a message written for the user: the front ends show `message` as it is.
 */
import { LlemmaErrorCode } from '../protocol';
import { ReplError } from './provers/lean/repl/replApi';

export class LlemmaError extends Error {
  constructor(
    readonly code: LlemmaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LlemmaError';
  }
}

const replErrorCodes: Record<ReplError['kind'], LlemmaErrorCode> = {
  notFound: LlemmaErrorCode.ReplNotFound,
  crashed: LlemmaErrorCode.ReplCrashed,
  timeout: LlemmaErrorCode.ReplTimeout,
  protocol: LlemmaErrorCode.ReplProtocol,
  rejected: LlemmaErrorCode.LeanError,
  cancelled: LlemmaErrorCode.Cancelled,
  disposed: LlemmaErrorCode.Cancelled,
};

/** Maps anything thrown below the core to a LlemmaError; unknown errors keep their message and become ReplProtocol. */
export function toLlemmaError(err: unknown): LlemmaError {
  if (err instanceof LlemmaError) return err;
  if (err instanceof ReplError) return new LlemmaError(replErrorCodes[err.kind], err.message);
  if (err instanceof Error && err.name === 'AbortError') {
    return new LlemmaError(LlemmaErrorCode.Cancelled, 'The request was cancelled.');
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LlemmaError(LlemmaErrorCode.ReplProtocol, `Internal error: ${message}`);
}

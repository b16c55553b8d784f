/** Messages of the REPL client, written for the person who reads them in VS Code: what happened, with what, and what to do. */

import { remedy } from '../../../remedies';
import { ReplError, type ReplLaunch } from './replApi';
import { describeExit, type ReplExit } from './replProcess';
import type { ReplRequest, SchemaError } from './replSchema';
import type { EnqueueOptions } from './requestQueue';

export const say = {
  describe(req: ReplRequest): string {
    const quote = (s: string) => {
      const line = s.trim().split('\n')[0] ?? '';
      return `\`${line.length > 60 ? `${line.slice(0, 57)}...` : line}\``;
    };
    if ('cmd' in req) return `the command ${quote(req.cmd)}`;
    if ('tactic' in req) return `the tactic ${quote(req.tactic)}`;
    if ('path' in req) return `the file ${req.path}`;
    if ('pickleTo' in req) return `saving to ${req.pickleTo}`;
    return `loading ${'unpickleEnvFrom' in req ? req.unpickleEnvFrom : req.unpickleProofStateFrom}`;
  },
  repl: (launch: ReplLaunch) => `The Lean REPL (\`${launch.display}\`)`,
  tail: (tail: string) => (tail ? `:\n${tail}\n` : ' without writing anything to stderr. '),
  exited(launch: ReplLaunch, exit: ReplExit, starting: boolean, tail: string): string {
    if (!starting) {
      return `${say.repl(launch)} ${describeExit(exit)} while working${say.tail(tail)}It is restarted for the next request.`;
    }
    return (
      `${say.repl(launch)} ${describeExit(exit)} while starting${say.tail(tail)}` +
      "Check that the REPL was built with this project's Lean version."
    );
  },
  restartLoop: (launch: ReplLaunch, times: number, exit: ReplExit, tail: string) =>
    `${say.repl(launch)} ${describeExit(exit)} while starting, ${times} times in a row, so it is not started again` +
    `${say.tail(tail)}Check that the REPL was built with this project's Lean version, then ${remedy.restart}.`,
  timeout: (launch: ReplLaunch, label: string, timeoutMs: number, setting: NonNullable<EnqueueOptions['hint']>) =>
    `${say.repl(launch)} did not answer ${label} within ${timeoutMs / 1000} s, so it was stopped; it restarts for the ` +
    `next request. If Lean needs longer here, raise the limit: ${remedy.setting(`lean.${setting}`)}.`,
  garbage: (launch: ReplLaunch, output: string) =>
    `${say.repl(launch)} wrote output that is not JSON, so it was restarted. The output was:\n${output.slice(0, 500)}`,
  overflow: (launch: ReplLaunch, limitBytes: number, label: string | undefined) =>
    `${say.repl(launch)} printed more than ${megabytes(limitBytes)} without ending ` +
    `${label ? `its answer to ${label}` : 'an answer'}, so it was stopped; it restarts for the next request.`,
  unsolicited: (launch: ReplLaunch, output: string) =>
    `${say.repl(launch)} wrote an answer nobody asked for, so it was restarted. The output was:\n${output.slice(0, 500)}`,
  schemaMismatch: (launch: ReplLaunch, label: string, err: SchemaError) =>
    `${say.repl(launch)} answered ${label} with JSON that the REPL protocol does not allow (${err.message}). ` +
    'Is it leanprover-community/repl, in a version this extension knows?',
  restartedAfter: (launch: ReplLaunch, cause: ReplError) =>
    new ReplError('crashed', `${say.repl(launch)} was restarted before this request was sent. ${cause.message}`),
  restartedOnRequest: (launch: ReplLaunch) => new ReplError('crashed', `${say.repl(launch)} was restarted on request.`),
  headerRejected: (errors: string[]) =>
    `Lean could not load the file's header (its imports): ${errors.join('; ')}. ` +
    'Check the import names and that the project is built (`lake build`, or `lake exe cache get` for Mathlib).',
  staleIds: (launch: ReplLaunch, label: string) =>
    `${say.repl(launch)} restarted since the environment for ${label} was made, so it was not sent; run it again.`,
};

/** A size in bytes in words, rounded down so that "more than" stays true. */
function megabytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Math.floor(bytes / 2 ** 20)} MB` : `${Math.floor(bytes / 1024)} kB`;
}

/** Argument parsing for the `llemma` CLI, kept apart from main() so it can be tested without running anything. */
export const usage = `Usage:
  llemma goal <file.lean>:<line>:<col> [options]   the proof state at a position (1-based line and column)
  llemma help

Options:
  --json               print JSON instead of text
  --repl "<command>"   command line that starts the Lean REPL in the project folder
                       (default: the environment's LLEMMA_REPL, else detected: \`lake exe repl\` or \`lake env repl\`)
  --timeout <ms>       per-request timeout for the REPL
  --verbose            log what the REPL does to stderr
`;

export class UsageError extends Error {}

export type CliArgs =
  | { command: 'help' }
  | {
      command: 'goal';
      file: string;
      line: number;
      column: number;
      json: boolean;
      verbose: boolean;
      repl?: string;
      timeoutMs?: number;
    };

export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help' };
  if (command !== 'goal') throw new UsageError(`unknown command '${command}'`);
  let json = false;
  let verbose = false;
  let repl: string | undefined;
  let timeoutMs: number | undefined;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--json') json = true;
    else if (a === '--verbose') verbose = true;
    else if (a === '--repl') repl = value();
    else if (a.startsWith('--repl=')) repl = a.slice('--repl='.length);
    else if (a === '--timeout') timeoutMs = positiveInt(value(), '--timeout');
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 1) throw new UsageError('goal takes exactly one <file.lean>:<line>:<col>');
  const m = /^(.+):(\d+):(\d+)$/.exec(positional[0]!);
  if (!m) throw new UsageError(`expected <file.lean>:<line>:<col>, got '${positional[0]}'`);
  const line = positiveInt(m[2]!, 'line');
  const column = positiveInt(m[3]!, 'column');
  return { command: 'goal', file: m[1]!, line, column, json, verbose, repl, timeoutMs };
}

function positiveInt(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a positive integer (got '${s}')`);
  return n;
}

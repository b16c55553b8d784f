/**
 * `llemma`: the command line on the same core as the language server (see `usage` in args.ts). Each command builds
 * its core with `coreFromArgs`.
 *
 * Lines and columns are 1-based, as editors show them. Exit codes: 0 success, 1 the operation failed (the message says
 * why), 2 bad usage.
 */
import { version } from '../../package.json';
import { parseArgs, UsageError, usage } from './args';
import { runBench } from './bench';
import { benchUsage, parseBenchArgs } from './benchArgs';
import { runCandidates } from './candidates';
import { runGoal } from './goal';
import { printError } from './output';
import { runProve } from './prove';

async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(args.topic === 'bench' ? benchUsage() : usage(args.topic));
      return 0;
    }
    if (args.command === 'version') {
      process.stdout.write(`llemma ${version}\n`);
      return 0;
    }
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    if (args.command === 'bench') return await runBenchCommand(args.argv, abort.signal);
    if (args.command === 'goal') return await runGoal(args, abort.signal);
    if (args.command === 'prove') return await runProve(args, abort.signal);
    return await runCandidates(args, abort.signal);
  } catch (err) {
    if (err instanceof UsageError) {
      printError(err.message);
      if (err.showUsage) process.stderr.write(`\n${usage(err.showUsage.command)}`);
      return 2;
    }
    throw err;
  }
}

/** The bench commands: a usage mistake is answered with their own help. */
async function runBenchCommand(argv: string[], signal: AbortSignal): Promise<number> {
  try {
    const args = parseBenchArgs(argv);
    if (args.command === 'bench-help') {
      process.stdout.write(benchUsage());
      return 0;
    }
    return await runBench(args, signal);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printError(err.message);
    process.stderr.write(`\n${benchUsage()}`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    printError(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);

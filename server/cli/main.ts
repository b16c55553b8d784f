/**
 * `llemma`: the command line on the same core as the language server (see `usage` in cliArgs.ts).
 *
 * Lines and columns are 1-based, as editors show them. Exit codes: 0 success, 1 the operation failed (the message says
 * why), 2 bad usage.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { version } from '../package.json';
import { defaultSettings, type GoalAtResult } from '../protocol';
import { type GoalArgs, parseArgs, UsageError, usage } from './cliArgs';
import { cliMessage, printError, printJson, printText } from './cliOutput';
import { runProve } from './cliProve';
import { runSuggest } from './cliSuggest';
import { LlemmaCore } from './core';
import { toLlemmaError } from './errors';

async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(usage(args.topic));
      return 0;
    }
    if (args.command === 'version') {
      process.stdout.write(`llemma ${version}\n`);
      return 0;
    }
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    if (args.command === 'goal') return await runGoal(args, abort.signal);
    if (args.command === 'prove') return await runProve(args, abort.signal);
    return await runSuggest(args, abort.signal);
  } catch (err) {
    if (err instanceof UsageError) {
      printError(err.message);
      if (err.showUsage) process.stderr.write(`\n${usage(err.showUsage.command)}`);
      return 2;
    }
    throw err;
  }
}

async function runGoal(args: GoalArgs, signal: AbortSignal): Promise<number> {
  const core = new LlemmaCore({
    settings: {
      ...defaultSettings,
      ...(args.timeoutMs ? { 'lean.requestTimeoutMs': args.timeoutMs, 'lean.importTimeoutMs': args.timeoutMs } : {}),
    },
    replOverride: args.repl ?? (process.env['LLEMMA_REPL'] || undefined),
    log: args.verbose ? (line) => process.stderr.write(`${cliMessage(line)}\n`) : undefined,
  });
  try {
    const file = path.resolve(args.file);
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${args.file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, false);
    });
    const position = { line: args.line - 1, character: columnToUtf16(args, text) };
    const result = await core.goalAt(file, text, position, signal);
    if (args.json) printJson(result);
    else printText(renderGoal(args, result));
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = toLlemmaError(err);
    if (args.json) printJson({ error: { code: e.code, message: cliMessage(e.message) } });
    printError(e.message);
    return 1;
  } finally {
    await core.dispose();
  }
}

/**
 * The LSP column (UTF-16 units) of the 1-based `<line>:<col>` the user gave, where editors count characters. A
 * position outside the file is refused: Lean would otherwise be asked about some other place.
 */
function columnToUtf16(at: GoalArgs, text: string): number {
  const lines = text.split(/\r?\n/);
  const lineText = lines[at.line - 1];
  if (lineText === undefined) {
    throw new UsageError(`${at.file} has ${lines.length} lines; there is no line ${at.line}`, false);
  }
  const chars = [...lineText];
  if (at.column > chars.length + 1) {
    throw new UsageError(
      `line ${at.line} of ${at.file} has ${chars.length} characters; column ${at.column} is past its end (at most ${chars.length + 1})`,
      false,
    );
  }
  return chars.slice(0, at.column - 1).join('').length;
}

function renderGoal(at: GoalArgs, r: GoalAtResult): string {
  const lines = [
    `${at.file}:${at.line}:${at.column} · ${r.declaration}`,
    `${r.prover.prover} via \`${r.prover.replCommand}\` · toolchain ${r.prover.toolchain ?? 'unknown'} · ${Math.round(r.elapsedMs)} ms`,
    '',
    r.goals.length === 0 ? 'No goals: the proof is complete at this point.' : r.goals.join('\n\n'),
  ];
  for (const e of r.errors) lines.push('', `error at line ${e.range.start.line + 1}: ${e.message}`);
  return `${lines.join('\n')}\n`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    printError(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);

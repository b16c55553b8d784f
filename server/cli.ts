/**
 * `llemma`: the command line on the same core as the language server (see `usage` in cliArgs.ts).
 *
 * Lines and columns are 1-based, as editors show them. Exit codes: 0 success, 1 the operation failed (the message says
 * why), 2 bad usage.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { defaultSettings, type GoalAtResult } from '../protocol';
import { type GoalArgs, parseArgs, UsageError, usage } from './cliArgs';
import { runProve } from './cliProve';
import { runSuggest } from './cliSuggest';
import { LlemmaCore } from './core';
import { toLlemmaError } from './errors';

async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(usage);
      return 0;
    }
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    if (args.command === 'goal') return await runGoal(args, abort.signal);
    if (args.command === 'prove') return await runProve(args, abort.signal);
    return await runSuggest(args, abort.signal);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`llemma: ${err.message}\n\n${usage}`);
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
    log: args.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  try {
    const file = path.resolve(args.file);
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${args.file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    });
    const position = { line: args.line - 1, character: columnToUtf16(text, args.line - 1, args.column - 1) };
    const result = await core.goalAt(file, text, position, signal);
    process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : renderGoal(args, result));
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = toLlemmaError(err);
    if (args.json)
      process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message } }, null, 2)}\n`);
    process.stderr.write(`llemma: ${e.message}\n`);
    return 1;
  } finally {
    await core.dispose();
  }
}

/** Editors count columns in characters the user sees; LSP positions count UTF-16 units. */
function columnToUtf16(text: string, line: number, column: number): number {
  const lineText = text.split('\n')[line] ?? '';
  return [...lineText].slice(0, column).join('').length;
}

function renderGoal(at: GoalArgs, r: GoalAtResult): string {
  const lines = [
    `${at.file}:${at.line}:${at.column} · ${r.declaration}`,
    `Lean REPL (${r.prover.replCommand}) · toolchain ${r.prover.toolchain ?? 'unknown'} · ${Math.round(r.elapsedMs)} ms`,
    '',
    r.goals.length === 0 ? 'No goals: the proof is complete at this point.' : r.goals.join('\n\n'),
  ];
  for (const e of r.errors) lines.push('', `error at line ${e.range.start.line + 1}: ${e.message}`);
  return `${lines.join('\n')}\n`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(
      `llemma: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);

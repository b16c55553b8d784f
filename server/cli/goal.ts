/** `llemma goal <file.lean>:<line>:<col>`: the proof state at a position, as the editor's goal view shows it. */
import type { GoalAtResult } from '../../protocol';
import { type GoalArgs, UsageError } from './args';
import { coreFromArgs } from './coreFromArgs';
import { printFailure, printJson, printText } from './output';
import { readSourceFile } from './sourceFile';

export async function runGoal(args: GoalArgs, signal: AbortSignal): Promise<number> {
  const { path, text } = await readSourceFile(args.file);
  const position = { line: args.line - 1, character: columnToUtf16(args, text) };
  const core = coreFromArgs(args);
  try {
    const result = await core.goalAt(path, text, position, signal);
    if (args.json) printJson(result);
    else printText(renderGoal(args, result));
    return 0;
  } catch (err) {
    return printFailure(args, err);
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

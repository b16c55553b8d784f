/**
 * Where a tactic is written into the document: one place for every front end. A suggestion is checked on the state
 * before the tactic that starts on the cursor's line (goalProbe.ts), so it is written where that state is; a found
 * proof replaces the rest of the tactic block (`proofText`). The functions take the plan of the goal query the tactic
 * was checked against, so the text written and the state checked cannot disagree.
 */
import type { GoalPlan } from './goalProbe';
import { commandWords } from './keywords';
import { COMMENT, scanLean, skipSpaceAndComments } from './leanSource';
import { codePointsIn, type DocPosition, lineEnd, lineOf, lineStarts, offsetAt } from './sourcePosition';
import { indentOfLine } from './tacticBlocks';

/** Where a tactic goes, before knowing which tactic: `insertionEdit` writes one there. */
export interface TacticInsertion {
  /** The text replaced, in LSP positions (start = end for an insertion). */
  range: { start: DocPosition; end: DocPosition };
  /** Column of the tactic's first line; later lines are written at it too, keeping their relative indentation. */
  indent: number;
  /** Written before the tactic: a line break and the indentation, the indentation, or nothing (mid-line). */
  before: string;
  /** Written after it: a line break, then the indentation of the code the tactic now stands before, if any. */
  after: string;
}

/** A document edit: LSP's `TextEdit`. */
export interface TacticEdit {
  range: { start: DocPosition; end: DocPosition };
  newText: string;
}

/**
 * Where Suggest Tactics writes a suggestion: a tactic of its own where the plan's state is. On a blank line the line is
 * replaced, at the plan's indentation. On the proof's `by` line (the state right after `by`) a new line goes below it,
 * at the column of the tactic that already follows, else one step deeper than the line; when code follows `by` on
 * that line, the tactic goes in its place and the code moves to the next line at the same column. On any other line
 * (a tactic, a comment) a new line goes above the tactic the state is before, at its indentation: on a line that
 * continues a tactic, that is above the line where the tactic starts.
 */
export function tacticInsertion(text: string, plan: GoalPlan): TacticInsertion {
  const src = normalized(text);
  const starts = lineStarts(src);
  const { replaceFrom: from, indent } = plan.completion;
  const line = lineOf(starts, from);
  const lineStart = starts[line] ?? 0;
  const eol = lineEnd(src, starts, line);
  const at = (offset: number) => positionOf(starts, offset);
  if (plan.completion.byLine) {
    const mask = scanLean(src);
    const next = skipSpaceAndComments(src, mask, from);
    const column = (offset: number) => {
      const l = lineOf(starts, offset);
      return codePointsIn(src.slice(starts[l] ?? 0), offset - (starts[l] ?? 0));
    };
    if (next < eol) {
      const col = column(next);
      return { range: { start: at(next), end: at(next) }, indent: col, before: '', after: `\n${' '.repeat(col)}` };
    }
    const following = next < plan.completion.replaceTo && column(next) > indentOfLine(src, starts, line);
    const col = following ? column(next) : indent;
    // A comment that runs on past the line's end would swallow the tactic: it then goes right after `by`.
    const where = mask[eol] === COMMENT ? from : eol;
    return { range: { start: at(where), end: at(where) }, indent: col, before: `\n${' '.repeat(col)}`, after: '' };
  }
  const pad = ' '.repeat(indent);
  if (src.slice(lineStart, eol).trim() === '') {
    return { range: { start: at(lineStart), end: at(eol) }, indent, before: pad, after: '' };
  }
  return { range: { start: at(lineStart), end: at(lineStart) }, indent, before: pad, after: '\n' };
}

/**
 * Where ghost text writes a suggestion: in place of the cursor line's text before the cursor, at the plan's
 * indentation; undefined where no tactic starts at the cursor. That is where the line up to the cursor is blank or
 * the beginning of a tactic (`mayBeginTactic`), nothing but blanks follows the cursor on its line, and the line is the
 * one the plan's state is before (not the proof's `by` line, not a line that continues a tactic above it).
 */
export function cursorInsertion(text: string, plan: GoalPlan, position: DocPosition): TacticInsertion | undefined {
  if (plan.completion.byLine) return undefined;
  const src = normalized(text);
  const starts = lineStarts(src);
  const line = lineOf(starts, plan.completion.replaceFrom);
  if (line !== position.line) return undefined;
  const lineStart = starts[line] ?? 0;
  const cursor = offsetAt(src, starts, position);
  if (src.slice(cursor, lineEnd(src, starts, line)).trim() !== '') return undefined;
  if (!mayBeginTactic(src.slice(lineStart, cursor).trimStart())) return undefined;
  const { indent } = plan.completion;
  const range = { start: positionOf(starts, lineStart), end: positionOf(starts, cursor) };
  return { range, indent, before: ' '.repeat(indent), after: '' };
}

/**
 * Whether text typed at the start of a line may be the beginning of a tactic: empty, or not a comment, an attribute,
 * a `#` command, a command or declaration keyword (keywords.ts), nor a declaration's header (`… :=`).
 */
export function mayBeginTactic(typed: string): boolean {
  if (typed === '') return true;
  if (/^(?:--|\/-|#|@\[)/.test(typed) || typed.includes(':=')) return false;
  const word = /^[\p{L}_][\p{L}\p{N}_!?']*/u.exec(typed)?.[0];
  return word === undefined || !commandWords.has(word);
}

/** The edit that writes `tactic` at `at`: its later lines at the insertion's column, blank lines left empty. */
export function insertionEdit(at: TacticInsertion, tactic: string): TacticEdit {
  return { range: at.range, newText: at.before + indentLater(tactic, ' '.repeat(at.indent)) + at.after };
}

/**
 * The edit that writes a found proof into the document: it replaces the rest of the proof from the plan's line (or
 * from just after `by`) to the block's last code, so the user's comments after it stay (`plan.completion`).
 */
export function proofEdit(text: string, plan: GoalPlan, tactics: readonly string[]): TacticEdit {
  const starts = lineStarts(normalized(text));
  const { replaceFrom, replaceTo } = plan.completion;
  return {
    range: { start: positionOf(starts, replaceFrom), end: positionOf(starts, replaceTo) },
    newText: proofText(plan, tactics),
  };
}

/**
 * The text that replaces `plan.completion`'s range with a found proof: the tactics one per line at the proof's
 * indentation (after a line break when the proof starts on the `by` line).
 */
export function proofText(plan: GoalPlan, tactics: readonly string[]): string {
  const pad = ' '.repeat(plan.completion.indent);
  return (plan.completion.byLine ? '\n' : '') + tactics.map((t) => pad + indentLater(t, pad)).join('\n');
}

/** A (possibly multi-line) tactic whose first line is written after `pad`: its later lines get `pad` too. */
function indentLater(tactic: string, pad: string): string {
  return tactic
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line, i) => (i === 0 || line.trim() === '' ? line.trimEnd() : pad + line))
    .join('\n');
}

// Plans are made on the text with `\r\n` read as `\n` (planGoalQuery); lines and columns are the same in both.
function normalized(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
}

function positionOf(starts: readonly number[], offset: number): DocPosition {
  const line = lineOf(starts, offset);
  return { line, character: offset - (starts[line] ?? 0) };
}

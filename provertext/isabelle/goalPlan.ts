/**
 * Where a step is asked about in an Isabelle theory, and the theory files that ask. There is no "apply one step"
 * command in the Isabelle server, so each question is a theory of its own: the user's header (renamed), the text
 * before the statement, the statement and its proof up to the cursor's line, then the step to try, `print_state`
 * (whose output is the state after it) and `oops` (which abandons the proof at any depth), then `end`.
 *
 * The goal shown is the state before the step that starts on the cursor's line, as on the Lean side.
 */
import { unfinishedProofKeywords } from './keywords';
import { codeMask, codeWords, lineStartOf, type Statement, theoryHeader, theoryStatements } from './theorySource';

export interface DocPosition {
  line: number;
  character: number;
}

export interface IsabelleGoalPlan {
  /** The statement the cursor is in. */
  statement: Statement;
  /** Its name (`lemma foo: …`), or the keyword for an anonymous one. */
  declName: string;
  /** Offset the proof so far ends at: the start of the cursor's line, or the first proof command on it. */
  cut: number;
  /** The header with the theory's name replaced by a placeholder the caller fills (`renamedHeader`). */
  header: string;
  /** Text between the header and the statement (definitions, other lemmas). */
  preamble: string;
  /** The statement and its proof up to `cut`. */
  prefix: string;
  /** The statement alone (up to its first proof command). */
  statementText: string;
  /** The proof's steps before the cursor's line, one per line as written. */
  steps: string[];
  /** The user's text of the proof from `cut` to the statement's end (what a found proof replaces). */
  rest: string;
  /** The indentation a step at the cursor gets. */
  indent: string;
}

export type IsabelleGoalFailure = { reason: 'notInProof' | 'noTheory'; message: string };

/** Plans the question for the goal before the step on the position's line. */
export function planIsabelleGoal(text: string, position: DocPosition): IsabelleGoalPlan | IsabelleGoalFailure {
  const mask = codeMask(text);
  const words = codeWords(text, mask);
  const header = theoryHeader(text, words);
  if (!header) return { reason: 'noTheory', message: 'This file has no `theory … imports … begin` header.' };
  const offset = offsetOf(text, position);
  const statement = theoryStatements(text, words).find((s) => s.start <= offset && offset <= s.end);
  if (!statement) {
    return { reason: 'notInProof', message: 'The cursor is not in a lemma or theorem: put it on a line of a proof.' };
  }
  const lineStart = lineStartOf(text, offset);
  const lineEndAt = text.indexOf('\n', offset);
  const lineEnd = lineEndAt < 0 ? text.length : lineEndAt;
  if (statement.proofStart < 0 || statement.proofStart > lineEnd) {
    return {
      reason: 'notInProof',
      message:
        'The cursor is on the statement: the goal is asked on a line of its proof (write `sorry` below it first).',
    };
  }
  // The proof starts on the cursor's line after the statement (`… shows "P" by simp`), or the line is the proof's.
  const cut =
    text.slice(lineStart, statement.proofStart).trim() === '' ? lineStart : Math.max(lineStart, statement.proofStart);
  const prefix = text.slice(statement.start, cut);
  const statementText = text.slice(statement.start, statement.proofStart);
  const steps = text
    .slice(statement.proofStart, cut)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const line = text.slice(lineStart, lineEnd);
  const lineIndent = /^[ \t]*/.exec(line)?.[0] ?? '';
  const lastIndent = /^[ \t]*/.exec(text.slice(lineStartOf(text, Math.max(statement.start, cut - 1)), cut))?.[0] ?? '';
  return {
    statement,
    declName: statement.name || statement.keyword,
    cut,
    header: `${text.slice(0, header.nameStart)}\u0000${text.slice(header.nameEnd, header.bodyStart)}`,
    preamble: text.slice(header.bodyStart, statement.start),
    prefix,
    statementText,
    steps,
    rest: text.slice(cut, statement.end),
    indent: line.trim() === '' || cut > lineStart ? lastIndent || '  ' : lineIndent || '  ',
  };
}

/** The plan's header naming `name`. */
export function renamedHeader(plan: IsabelleGoalPlan, name: string): string {
  return plan.header.replace('\u0000', name);
}

/** Where the step under test sits in a question theory: its first and last 1-based lines. */
export interface QuestionTheory {
  text: string;
  stepFirstLine: number;
  stepLastLine: number;
  /** The 1-based line of `print_state`: its output is the state after the steps. */
  printLine: number;
}

/** A theory asking for the state after `steps` (none: the state at the cursor). */
export function questionTheory(plan: IsabelleGoalPlan, name: string, steps: readonly string[]): QuestionTheory {
  let body = renamedHeader(plan, name) + plan.preamble + plan.prefix;
  if (!body.endsWith('\n')) body += '\n';
  const stepFirstLine = lineCount(body) + 1;
  for (const s of steps) body += `${plan.indent}${s}\n`;
  const stepLastLine = lineCount(body);
  const printLine = stepLastLine + 1;
  body += `${plan.indent}print_state\n${plan.indent}oops\n\nend\n`;
  return { text: body, stepFirstLine, stepLastLine, printLine };
}

/**
 * The command that asks Sledgehammer for proofs of the first goal, for at most `seconds` (its `timeout` option). Written
 * as the last step of a question theory, it leaves the state as it was; its `Try this:` lines are read by
 * `tryThisSteps`.
 */
export function sledgehammerCommand(seconds: number): string {
  return `sledgehammer [timeout = ${Math.max(1, Math.round(seconds))}]`;
}

/**
 * The theory that decides whether a proof counts: the user's file up to the statement's end with `steps` in place of
 * the proof from the cursor's line on, then `end`. Nothing is added that could excuse a failure.
 */
export function proofTheory(plan: IsabelleGoalPlan, name: string, steps: readonly string[]): string {
  return `${renamedHeader(plan, name)}${plan.preamble}${plan.prefix}${proofText(plan, steps)}\nend\n`;
}

/** The proof written at the cursor's line: one step per line, at the plan's indentation. */
export function proofText(plan: IsabelleGoalPlan, steps: readonly string[]): string {
  const lead = plan.prefix.endsWith('\n') || plan.prefix === '' ? '' : '\n';
  return `${lead}${steps.map((s) => `${plan.indent}${s}`).join('\n')}\n`;
}

/** The `sorry`s and `oops`es in code (not in comments, strings or cartouches), by offset. */
export function unfinishedProofs(text: string): { keyword: string; offset: number }[] {
  const words = codeWords(text);
  const keys = new Set<string>(unfinishedProofKeywords);
  return words.filter((w) => keys.has(w.text)).map((w) => ({ keyword: w.text, offset: w.start }));
}

/**
 * The theory with every statement's proof replaced by `sorry` (miniF2F's files may ship with their proofs): the
 * starting point of a benchmark run, which must find the proofs itself.
 */
export function stripProofs(text: string): string {
  const found = theoryStatements(text).filter((s) => s.proofStart >= 0);
  let out = text;
  for (const s of [...found].reverse()) {
    const tail = out.slice(s.proofStart, s.end);
    const trailing = /\s*$/.exec(tail)?.[0] ?? '';
    out = `${out.slice(0, s.proofStart)}sorry${trailing.includes('\n') ? trailing : `\n${trailing}`}${out.slice(s.end)}`;
  }
  return out;
}

/** The 0-based offset of an LSP-style position (UTF-16 characters, as JavaScript strings count). */
export function offsetOf(text: string, position: DocPosition): number {
  let at = 0;
  for (let line = 0; line < position.line; line++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  const nl = text.indexOf('\n', at);
  const lineEnd = nl < 0 ? text.length : nl;
  return Math.min(at + Math.max(0, position.character), lineEnd);
}

function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

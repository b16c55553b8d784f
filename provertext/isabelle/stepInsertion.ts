/**
 * Where a suggested Isabelle step is written: as a line of its own at the plan's cut (Suggest Tactics), or in place of
 * the text typed so far on the cursor's line (ghost text). The Isabelle counterpart of Lean's `tacticInsertion.ts`.
 */
import type { DocPosition, IsabelleGoalPlan } from './goalPlan';
import { offsetOf, unfinishedProofs } from './goalPlan';
import { statementKeywords, theoryLevelKeywords } from './keywords';
import { lineStartOf, theoryStatements } from './theorySource';

/** The text a step replaces (start = end for an insertion) and what is written before the step. */
export interface StepInsertion {
  range: { start: DocPosition; end: DocPosition };
  /** Written before the step: the plan's indentation. */
  before: string;
  /** Written after it: a line break for a line of its own, nothing for ghost text. */
  after: string;
}

/** Words that start no proof step: theory-level commands, and the ends of a structured proof block. */
const notStepStarts = new Set<string>([...statementKeywords, ...theoryLevelKeywords, 'qed', 'text', 'txt']);

/** A step as a line of its own at the plan's cut, before the rest of the proof. */
export function lineInsertion(text: string, plan: IsabelleGoalPlan): StepInsertion {
  const at = positionAt(text, plan.cut);
  return { range: { start: at, end: at }, before: plan.indent, after: '\n' };
}

/**
 * Ghost text: a step in place of the line's text before the cursor, or undefined where none may start there. The
 * cursor is at the end of its line, the line is one of the proof's (the plan cuts the proof at its start), and what is
 * typed so far may begin a step (not a comment, a string, a cartouche, or a command that ends the proof).
 */
export function cursorInsertion(
  text: string,
  plan: IsabelleGoalPlan,
  position: DocPosition,
): StepInsertion | undefined {
  const cursor = offsetOf(text, position);
  const lineStart = lineStartOf(text, cursor);
  if (plan.cut !== lineStart) return undefined;
  const lineEndAt = text.indexOf('\n', cursor);
  if (text.slice(cursor, lineEndAt < 0 ? text.length : lineEndAt).trim() !== '') return undefined;
  if (!mayBeginStep(text.slice(lineStart, cursor).trimStart())) return undefined;
  return {
    range: { start: positionAt(text, lineStart), end: positionAt(text, cursor) },
    before: plan.indent,
    after: '',
  };
}

/** Whether text typed at the start of a line may be the beginning of a proof step. */
export function mayBeginStep(typed: string): boolean {
  if (typed === '') return true;
  if (/^(?:\(\*|"|`|\\<|‹|--)/.test(typed)) return false;
  const word = /^[A-Za-z_][A-Za-z0-9_']*/.exec(typed)?.[0];
  return word === undefined || !notStepStarts.has(word);
}

/** The edit that writes `step` at `at`. */
export function stepEdit(at: StepInsertion, step: string): { range: StepInsertion['range']; newText: string } {
  return { range: at.range, newText: `${at.before}${step}${at.after}` };
}

/** The LSP-style position of an offset (UTF-16 characters, as JavaScript strings count). */
export function positionAt(text: string, offset: number): DocPosition {
  const lineStart = lineStartOf(text, offset);
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
  return { line, character: offset - lineStart };
}

/** A statement with `sorry`s in its proof: each is where a proof search can start (`llemma prove`, the lenses). */
export interface StatementSorries {
  /** The statement's name (its keyword for an anonymous one). */
  declaration: string;
  /** Its first `sorry`. */
  first: DocPosition;
  /** Its `sorry`s in code, in order. */
  sites: DocPosition[];
}

/** The statements whose proofs hold a `sorry` in code, in document order. */
export function statementSorries(text: string): StatementSorries[] {
  const sorries = unfinishedProofs(text).filter((u) => u.keyword === 'sorry');
  const out: StatementSorries[] = [];
  for (const s of theoryStatements(text)) {
    if (s.proofStart < 0) continue;
    const sites = sorries
      .filter((u) => s.proofStart <= u.offset && u.offset < s.end)
      .map((u) => positionAt(text, u.offset));
    const first = sites[0];
    if (first) out.push({ declaration: s.name || s.keyword, first, sites });
  }
  return out;
}

/** Every `sorry` a proof search can start from, in document order (the editor's lenses). */
export function sorrySites(text: string): { declaration: string; position: DocPosition }[] {
  return statementSorries(text).flatMap((d) => d.sites.map((position) => ({ declaration: d.declaration, position })));
}

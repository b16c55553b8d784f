/**
 * Tactic blocks inside term-mode proofs (`theorem foo : a = c := calc a = b := by simp …`, `:= have h : P := by
 * omega; …`) whose goal the text states: the first tactic of each such `by` block, with the goal its header gives.
 * These proofs have no steps (the language server probes goals in tactic blocks only); their blocks are examples
 * with a known goal all the same.
 */

import { codeText } from './binders';
import {
  assignsBy,
  calcStep,
  endsWithBy,
  type GoalSource,
  haveGoal,
  inlineTactic,
  type StatedGoal,
  showGoal,
  stripBullet,
} from './blockGoals';
import { isWordAt } from './goalProbe';
import { closingBracket, codeOf } from './leanScanner';
import type { Command } from './leanSource';
import { lineEnd, lineOf } from './sourcePosition';

export interface TermBlock {
  /** 1-based line of the tactic. */
  line: number;
  tactic: string;
  goal: StatedGoal & { from: GoalSource };
}

// Clauses after the proof term, which are not part of it.
const termEnders = /^(?:termination_by|decreasing_by|where)(?![\p{L}\p{N}_'!?])/u;

/** The offset of a declaration's top-level `:=` when a term (not `by`) follows it; undefined otherwise. */
export function termProofAssign(src: string, mask: Uint8Array, decl: Command): number | undefined {
  const code = codeOf(src, mask, decl.keywordStart, decl.end);
  for (let i = decl.keyword.length; i < code.length; i++) {
    const c = code[i] ?? '';
    if ('([{⟨⦃'.includes(c)) i = closingBracket(src, mask, decl.keywordStart + i) - decl.keywordStart - 1;
    else if (isWordAt(code, i, 'where') || isWordAt(code, i, '|')) return undefined;
    else if (c === ':' && code[i + 1] === '=') {
      const next = code.slice(i + 2).search(/\S/) + i + 2;
      return isWordAt(code, next, 'by') ? undefined : decl.keywordStart + i;
    }
  }
  return undefined;
}

/** Every `by` block of a term proof (from `assign`, its `:=`) whose goal a `have`, `show` or `calc` header states. */
export function termBlocks(
  src: string,
  mask: Uint8Array,
  starts: readonly number[],
  decl: Command,
  assign: number,
): TermBlock[] {
  const first = lineOf(starts, assign);
  const last = lineOf(starts, Math.max(assign, decl.end - 1));
  const code = (line: number) =>
    codeText(src, mask, line === first ? assign + 2 : (starts[line] ?? 0), lineEnd(src, starts, line));
  const out: TermBlock[] = [];
  let calcRhs: string | undefined;
  for (let line = first; line <= last; line++) {
    const here = code(line).trim();
    if (here === '') continue;
    if (termEnders.test(here)) break;
    const bare = stripBullet(here);
    let goal: StatedGoal | undefined;
    if (/^calc(?![\p{L}\p{N}_'])/u.test(bare) || bare.startsWith('_')) {
      const step = calcStep(bare, calcRhs);
      if (step) calcRhs = step.rhs;
      goal = step?.goal;
    } else {
      const show = showGoal(here);
      goal = haveGoal(here) ?? (show?.closes ? show : undefined);
    }
    if (!goal) continue;
    const ok = (h: string) => goal.from === 'show' || assignsBy(h);
    if (endsWithBy(here) && ok(here)) {
      const block = firstTactic(line + 1, last, code);
      if (block) out.push({ ...block, goal });
    } else {
      const t = inlineTactic(here);
      if (t && ok(t.header)) out.push({ line: line + 1, tactic: t.tactic, goal });
    }
  }
  return out;
}

/** The first tactic of a block starting after `from`: its first line and the lines indented deeper, dedented. */
function firstTactic(
  from: number,
  last: number,
  code: (line: number) => string,
): { line: number; tactic: string } | undefined {
  let line = from;
  while (line <= last && code(line).trim() === '') line++;
  if (line > last) return undefined;
  const indent = (s: string) => s.length - s.trimStart().length;
  const head = code(line);
  const col = indent(head);
  const lines = [head.trim()];
  for (let next = line + 1; next <= last; next++) {
    const t = code(next);
    if (t.trim() === '') continue;
    if (indent(t) <= col) break;
    lines.push(t.slice(col).trimEnd());
  }
  return { line: line + 1, tactic: lines.join('\n') };
}

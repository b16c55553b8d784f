/**
 * Goals that a proof's own text states. Inside a tactic proof the state is Lean's to know, except where the author
 * wrote the goal down: `have h : P := by` (and `obtain pat : P`, `replace`), whose block proves `P`; `show P` and
 * `suffices h : P by …`/`from …`, after which the goal is `P`; a `calc` step `_ = c := by`, which proves the previous
 * right-hand side `= c`. Pure functions of one header's code (comments already removed); what they return is the
 * conclusion and any binders of the construct itself (`have h (x : ℕ) : P x`), which binders.ts renders into a goal.
 */

export type GoalSource = 'have' | 'show' | 'suffices' | 'calc';

export interface StatedGoal {
  from: GoalSource;
  /** Binders of the construct itself, as written (`(x : ℕ) (hx : 0 < x)`), '' when none. */
  binders: string;
  conclusion: string;
}

const openers = '([{⟨⦃⟦';
const closers = ')]}⟩⦄⟧';
const nameChar = /[\p{L}\p{N}_'!?.₀-₉]/u;

/** Index of the first top-level position where `at` holds, or -1. */
function topLevel(s: string, from: number, at: (i: number) => boolean): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i] as string;
    if (openers.includes(c)) depth++;
    else if (closers.includes(c)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && at(i)) return i;
  }
  return -1;
}

/** The closing bracket matching the opener at `i` (its index), or -1. */
function closing(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j] as string;
    if (openers.includes(c)) depth++;
    else if (closers.includes(c) && --depth === 0) return j;
  }
  return -1;
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
/** A word at `i` in `s` that is not part of a longer name. */
const wordAt = (s: string, i: number, word: string) =>
  s.startsWith(word, i) && !nameChar.test(s[i - 1] ?? ' ') && !nameChar.test(s[i + word.length] ?? ' ');

/** The header without a leading bullet (`·`) or `<;>`-free focusing dot. */
export function stripBullet(header: string): string {
  return header.replace(/^\s*(?:[·.]\s+)?/u, '');
}

/**
 * `have h (x : α) : P := …`, `haveI : P := …`, `have' …`, `replace h : P := …` and `obtain ⟨x, hx⟩ : P := …`:
 * the binders and `P` (up to the top-level `:=`). Undefined for a `have` without a stated type.
 */
export function haveGoal(header: string): StatedGoal | undefined {
  const s = stripBullet(header);
  const kw = /^(haveI|have'|have|replace|obtain)(?![\p{L}\p{N}_'!?])/u.exec(s);
  if (!kw) return undefined;
  let p = (kw[1] as string).length;
  const skip = () => {
    while (p < s.length && /\s/.test(s[p] as string)) p++;
  };
  skip();
  // The name, or obtain's pattern.
  if (s[p] === '⟨' || (kw[1] === 'obtain' && s[p] === '(')) {
    const end = closing(s, p);
    if (end < 0) return undefined;
    p = end + 1;
  } else {
    while (p < s.length && nameChar.test(s[p] as string)) p++;
  }
  const bindersFrom = p;
  for (;;) {
    skip();
    const c = s[p];
    if (c === undefined || !'([{⦃'.includes(c)) break;
    const end = closing(s, p);
    if (end < 0) return undefined;
    p = end + 1;
  }
  const binders = collapse(s.slice(bindersFrom, p));
  skip();
  if (s[p] !== ':' || s[p + 1] === '=') return undefined;
  const assign = topLevel(s, p + 1, (i) => s[i] === ':' && s[i + 1] === '=');
  const conclusion = collapse(s.slice(p + 1, assign < 0 ? s.length : assign));
  return conclusion === '' ? undefined : { from: 'have', binders, conclusion };
}

/** `show P` alone (the goal is then `P`), or `show P by …`/`from …` (whose `by` block proves `P`). */
export function showGoal(header: string): (StatedGoal & { closes: boolean }) | undefined {
  const s = stripBullet(header);
  if (!wordAt(s, 0, 'show')) return undefined;
  const end = topLevel(s, 4, (i) => wordAt(s, i, 'by') || wordAt(s, i, 'from') || s[i] === ';');
  const conclusion = collapse(s.slice(4, end < 0 ? s.length : end));
  if (conclusion === '' || s.slice(end).startsWith(';')) return undefined;
  return { from: 'show', binders: '', conclusion, closes: end >= 0 };
}

/** `suffices h : P by …` or `suffices h : P from …`: afterwards the goal is `P`. */
export function sufficesGoal(header: string): StatedGoal | undefined {
  const s = stripBullet(header);
  const m = /^suffices(?:\s+[\p{L}_][\p{L}\p{N}_'!?.₀-₉]*)?\s*:(?!=)/u.exec(s);
  if (!m) return undefined;
  const end = topLevel(s, m[0].length, (i) => wordAt(s, i, 'by') || wordAt(s, i, 'from'));
  if (end < 0) return undefined;
  const conclusion = collapse(s.slice(m[0].length, end));
  return conclusion === '' ? undefined : { from: 'suffices', binders: '', conclusion };
}

const relations = ['=', '≠', '<', '>', '≤', '≥', '↔', '∣', '≡', '⊆', '⊂', '→', '⟶', '≃', '≅', '≈', '≍'];

/** The first top-level relation symbol of a term: its index and the symbol, or undefined. */
function relationOf(term: string): { at: number; symbol: string } | undefined {
  const at = topLevel(term, 0, (i) => {
    const c = term[i] as string;
    if (!relations.includes(c)) return false;
    const before = term[i - 1] ?? ' ';
    const after = term[i + 1] ?? ' ';
    // ASCII arrows and pipes (`=>`, `<|`, `|>`, `<;>`, `->`, `:=`) are not relations.
    if (c === '=' && (':=<>!'.includes(before) || '>='.includes(after))) return false;
    if (c === '<' && '|;-=$*'.includes(after)) return false;
    if (c === '>' && '|-=;<'.includes(before)) return false;
    return true;
  });
  return at < 0 ? undefined : { at, symbol: term[at] as string };
}

/**
 * One line of a `calc`: `calc a = b := …` (a first step), `calc a` (a first term only, the newer form), or
 * `_ = c := …` (a step from the previous right-hand side). Returns the relation it proves, given the previous
 * right-hand side, and its own right-hand side for the next step; undefined when the line is not such a step.
 */
export function calcStep(
  line: string,
  previousRhs: string | undefined,
): { goal: StatedGoal | undefined; rhs: string | undefined } | undefined {
  let s = stripBullet(line).trim();
  const first = wordAt(s, 0, 'calc');
  if (first) s = s.slice(4).trim();
  else if (!s.startsWith('_')) return undefined;
  const assign = topLevel(s, 0, (i) => s[i] === ':' && s[i + 1] === '=');
  const term = (assign < 0 ? s : s.slice(0, assign)).trim();
  if (first && term === '') return { goal: undefined, rhs: undefined };
  const rel = relationOf(term);
  if (!rel) return first && assign < 0 ? { goal: undefined, rhs: collapse(term) } : undefined;
  const lhs = collapse(term.slice(0, rel.at));
  const rhs = collapse(term.slice(rel.at + 1));
  const left = lhs === '_' ? previousRhs : lhs;
  if (left === undefined || rhs === '') return { goal: undefined, rhs: rhs || undefined };
  return { goal: { from: 'calc', binders: '', conclusion: `${left} ${rel.symbol} ${rhs}` }, rhs };
}

/**
 * A line whose top-level `by` has a tactic after it on the same line: the line up to and including `by`, and that
 * tactic. A `by` inside brackets (`exact foo (by simp)`) is a term of its own and does not count.
 */
export function inlineTactic(line: string): { header: string; tactic: string } | undefined {
  const at = topLevel(line, 0, (i) => wordAt(line, i, 'by'));
  if (at < 0) return undefined;
  const tactic = line.slice(at + 2).trim();
  return tactic === '' ? undefined : { header: line.slice(0, at + 2), tactic };
}

/** Whether a line ends with a top-level `by`, so that a block of tactics follows on the next lines. */
export function endsWithBy(line: string): boolean {
  const at = topLevel(line, 0, (i) => wordAt(line, i, 'by'));
  return at >= 0 && line.slice(at + 2).trim() === '';
}

/** Whether a header's `by` is its proof (`… := by`), rather than part of a term (`:= fun x => by`). */
export function assignsBy(header: string): boolean {
  return /:=\s*by$/.test(header.trimEnd());
}

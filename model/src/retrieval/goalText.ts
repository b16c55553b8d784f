// A Lean goal as retrieval reads it: its hypotheses (names and types) and its target, and the tokens that similarity
// is measured on. Goals come from two places that must be read alike: Lean's pretty-printer at run time (`x y : ℕ`,
// continuation lines indented, `case h` tags, several goals separated by blank lines) and the training pipeline's
// rendering of a theorem's binders, which imitates it. Only the first goal counts: tactics act on the main goal.

export interface GoalHypothesis {
  /** Names as printed; several when Lean groups binders of one type (`x y : ℝ`). */
  names: string[];
  type: string;
}

export interface ParsedGoal {
  hyps: GoalHypothesis[];
  /** The text after `⊢`, continuation lines joined with single spaces; '' when the goal has no `⊢` line. */
  target: string;
}

/** A name as Lean prints a binder: letters, digits, subscripts, `_`, `'`, `!`, `?`, `.`, and `✝` for inaccessible ones. */
const binderName = /^[\p{L}_][\p{L}\p{N}_'!?.✝⁰¹²³⁴⁵⁶⁷⁸⁹]*$/u;

/** Hypotheses and target of the first goal of a pretty-printed tactic state. */
export function parseGoal(state: string): ParsedGoal {
  const first = state.trim().split(/\n[ \t]*\n/)[0] ?? '';
  const hyps: GoalHypothesis[] = [];
  const target: string[] = [];
  let inTarget = false;
  for (const line of first.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (inTarget) {
      target.push(trimmed);
      continue;
    }
    if (trimmed.startsWith('⊢')) {
      inTarget = true;
      target.push(trimmed.slice(1).trim());
      continue;
    }
    if (trimmed.startsWith('case ') && hyps.length === 0) continue;
    const colon = trimmed.indexOf(' : ');
    const names = colon > 0 ? trimmed.slice(0, colon).split(/\s+/) : [];
    // A line that does not start with names and a colon continues the previous hypothesis's type.
    if (line.startsWith(' ') || names.length === 0 || !names.every((n) => binderName.test(n))) {
      const last = hyps.at(-1);
      if (last) last.type = `${last.type} ${trimmed}`;
      continue;
    }
    hyps.push({ names, type: trimmed.slice(colon + 3).trim() });
  }
  return { hyps, target: target.join(' ') };
}

/**
 * Identifiers (dotted names such as `Nat.succ_le_iff` or `h.le` stay whole), numbers, and every other visible
 * character on its own (`≤`, `∑`, `↑`). Lean's notation is mostly single characters, so this is close to Lean's own
 * token boundaries without knowing its grammar.
 */
const tokenPattern = /[\p{L}_][\p{L}\p{N}_'!?.✝⁰¹²³⁴⁵⁶⁷⁸⁹]*|\p{N}+|\S/gu;

export function tokens(text: string): string[] {
  return text.match(tokenPattern) ?? [];
}

/** Brackets and separators occur in nearly every goal: they cost time at query time and tell goals apart not at all. */
const structural = new Set(['(', ')', '[', ']', '{', '}', '⦃', '⦄', ',', ':']);

/**
 * The token that stands for a hypothesis's own name wherever it occurs in a goal. Goals that differ only in what
 * their binders are called (`x + 0 = x` and `n + 0 = n`) then look the same; the type of the binder is still seen
 * on its own line.
 */
export const binderToken = '·';

/** The usable names a goal binds: inaccessible ones (`h✝`, `inst✝¹`) cannot be written in a tactic. */
export function usableNames(goal: ParsedGoal): string[] {
  return goal.hyps.flatMap((h) => h.names).filter((n) => !n.includes('✝'));
}

/** The tokens of a text with the goal's binder names replaced by `binderToken` and structural symbols left out. */
export function featureTokens(text: string, binders: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const t of tokens(text)) {
    if (structural.has(t)) continue;
    out.push(binders.has(t) ? binderToken : t);
  }
  return out;
}

/** Constants of a target that a tactic may name (`simp [edist]`): at most this many, the first ones. */
export const maxConstants = 8;

/**
 * The distinct identifiers of the target that are not the goal's binders, in order of first occurrence, keeping
 * only names of three or more characters or dotted ones: short names there are mostly bound variables (`∀ x`),
 * which a tactic does not refer to by the target's name.
 */
export function targetConstants(goal: ParsedGoal): string[] {
  const binders = new Set(goal.hyps.flatMap((h) => h.names));
  const out: string[] = [];
  for (const t of tokens(goal.target)) {
    if (out.length >= maxConstants) break;
    if (!/^[\p{L}_]/u.test(t) || binders.has(t) || out.includes(t)) continue;
    if (t.length >= 3 || t.includes('.')) out.push(t);
  }
  return out;
}

/** How a goal becomes a bag of weighted terms. */
export interface GoalWeighting {
  /** Each token of the target counts this many times as much as a token of a hypothesis. */
  targetWeight: number;
  /** The weight of the target's shape terms (targetShape); 0: none. */
  shapeWeight: number;
  /** The weight of the term saying whether the goal is a proof's first (stepTerm); 0: none. */
  stepWeight: number;
}

/**
 * Whether a goal is a proof's first or the goal of a block inside a proof (a `have`'s, or any goal after the first
 * tactic): what comes first in a proof (`intro`, `ext`, `induction`) differs from what closes a stated fact
 * (`simp`, `omega`, `positivity`), and the goals alone do not always tell. Undefined: not known, no term.
 */
export type GoalStep = 'first' | 'later';

/** The term for a goal's step, weighted stepWeight. */
export function stepTerm(step: GoalStep): string {
  return `⊢#${step}`;
}

/**
 * The goal's terms with their weighted counts: hypotheses' tokens count 1, the target's `targetWeight` each, the
 * target's shape (targetShape) `shapeWeight` each, and the goal's step, when known, `stepWeight`.
 */
export function goalTerms(goal: ParsedGoal, weighting: GoalWeighting, step?: GoalStep): Map<string, number> {
  const binders = new Set(goal.hyps.flatMap((h) => h.names));
  const terms = new Map<string, number>();
  const add = (text: string, weight: number) => {
    for (const t of featureTokens(text, binders)) terms.set(t, (terms.get(t) ?? 0) + weight);
  };
  for (const h of goal.hyps) add(h.type, h.names.length);
  add(goal.target, weighting.targetWeight);
  if (weighting.shapeWeight > 0) {
    const abstract = (text: string) => tokens(text).map((t) => (binders.has(t) ? binderToken : t));
    for (const t of targetShape(abstract(goal.target))) terms.set(t, weighting.shapeWeight);
  }
  if (step !== undefined && weighting.stepWeight > 0) terms.set(stepTerm(step), weighting.stepWeight);
  return terms;
}

// Lean's connectives by how loosely they bind (lower: looser), for finding the one a target is built with.
const looseness: Record<string, number> = { '↔': 20, '→': 25, '∨': 30, '∧': 35 };
const relations = new Set(['=', '≠', '<', '>', '≤', '≥', '∈', '∉', '⊆', '⊂', '⊇', '⊃', '∣', '≡', '≃', '≅', '⟶', '≈']);
const binderHeads = new Set(['∀', '∃', '∃!', 'fun', 'λ', '∑', '∏', '⋃', '⋂', '⨆', '⨅', '∫']);
const openers = new Set(['(', '[', '{', '⟨', '⦃', '⟦']);
const closers = new Set([')', ']', '}', '⟩', '⦄', '⟧']);

/**
 * Terms for the target's shape, which says much about the first tactic (`↔` → `constructor`, `∀` → `intro`, `=` of
 * functions → `ext`) but which a bag of tokens cannot see: `⊢^` and its first token; `⊢~` and the loosest
 * connective outside brackets (the binder when the target starts with one, `atom` when there is none); `⊢>` and the
 * token after that connective (the head of its right side). Chosen on held-aside training files: the first two
 * lifted first-step top-8 from 10.9 to 11.8 %, the third to 11.9 %; the hypotheses' connectives added nothing.
 */
export function targetShape(target: readonly string[]): string[] {
  const first = target[0];
  if (first === undefined) return [];
  if (binderHeads.has(first)) return [`⊢^${first}`, `⊢~${first}`];
  let depth = 0;
  let best: string | undefined;
  let bestAt = -1;
  let bestLevel = Number.POSITIVE_INFINITY;
  target.forEach((t, i) => {
    if (openers.has(t)) depth++;
    else if (closers.has(t)) depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      const level = looseness[t] ?? (relations.has(t) ? 50 : undefined);
      if (level !== undefined && level < bestLevel) {
        best = t;
        bestAt = i;
        bestLevel = level;
      }
    }
  });
  const shape = [`⊢^${first}`, `⊢~${best ?? 'atom'}`];
  if (bestAt >= 0) shape.push(`⊢>${target[bestAt + 1] ?? ''}`);
  return shape;
}

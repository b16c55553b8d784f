// Tactics carried from one goal to another. A retrieved tactic names the hypotheses and variables of the goal it was
// written for (`rw [h₀]`, `induction n with n ih`); used on the query's goal it must name the query's own. So the
// index stores each tactic as a template whose references to its goal's binders are numbered slots, with each slot's
// type, and at query time every slot is filled with the query binder whose type is most alike. Likewise a tactic
// that names a constant of its goal's target (`simp [edist]` for `⊢ edist x y ≤ …`, unfolding it) names, in its
// template, the target's k-th constant, and is filled with the query target's k-th.

import { featureTokens, type ParsedGoal, usableNames } from './goalText';

/** Slot `i` is written as this character plus `i`: a private-use code point, never found in Lean source. */
const slotBase = 0xe000;
export const maxSlots = 256;
const slotPattern = /[\uE000-\uE0FF]/g;
/** The target's constant `k` is written as this character plus `k`. */
const constantBase = 0xe100;
const constantPattern = /[\uE100-\uE1FF]/g;
const privateUse = /[\uE000-\uE1FF]/;

/** Identifiers as the goal tokenizer reads them; a dotted name such as `h.le` refers to its first component. */
const identifier = /[\p{L}_][\p{L}\p{N}_'!?.⁰¹²³⁴⁵⁶⁷⁸⁹]*/gu;

export interface TacticTemplate {
  /** The tactic with each reference to a binder of its goal replaced by a slot character. */
  text: string;
  /** The binder name each slot replaced, by slot number. */
  names: string[];
}

/**
 * The template of `tactic` for a goal binding `binders` whose target has `constants` (targetConstants): an
 * identifier that is one of the constants becomes that constant's mark, and every identifier whose first dotted
 * component is a binder becomes a slot (the same name the same slot). A tactic that already holds such private-use
 * characters, or would need more than `maxSlots`, is kept verbatim without slots.
 */
export function templateOf(
  tactic: string,
  binders: readonly string[],
  constants: readonly string[] = [],
): TacticTemplate {
  if (privateUse.test(tactic)) return { text: tactic, names: [] };
  const usable = new Set(binders);
  const names: string[] = [];
  const text = tactic.replace(identifier, (id) => {
    const constant = constants.indexOf(id);
    if (constant >= 0) return String.fromCharCode(constantBase + constant);
    const dot = id.indexOf('.');
    const head = dot < 0 ? id : id.slice(0, dot);
    if (!usable.has(head)) return id;
    let slot = names.indexOf(head);
    if (slot < 0) {
      if (names.length >= maxSlots) return id;
      slot = names.push(head) - 1;
    }
    return String.fromCharCode(slotBase + slot) + id.slice(head.length);
  });
  return { text, names };
}

/**
 * The template with slot `i` replaced by `names[i]` (an unknown slot by its original name, `fallback[i]`) and
 * constant `k` by `constants[k]`; undefined when the query's target has no constant `k`.
 */
export function instantiate(
  template: string,
  names: readonly (string | undefined)[],
  fallback: readonly string[],
  constants: readonly string[] = [],
): string | undefined {
  let missing = false;
  const text = template
    .replace(slotPattern, (c) => {
      const i = c.charCodeAt(0) - slotBase;
      return names[i] ?? fallback[i] ?? '';
    })
    .replace(constantPattern, (c) => {
      const k = constants[c.charCodeAt(0) - constantBase];
      if (k === undefined) missing = true;
      return k ?? '';
    });
  return missing ? undefined : text;
}

/** A binder as the renaming compares it: its name, its type's tokens (binder names abstracted), its position. */
export interface BinderProfile {
  name: string;
  /** Type tokens, each goal's own binder names replaced by `binderToken`, as a set. */
  type: ReadonlySet<string>;
  /** Position among the goal's binders, from 0 (the first) to 1 (the last). */
  position: number;
}

/** One profile per usable binder name of a goal, in order. */
export function binderProfiles(goal: ParsedGoal): BinderProfile[] {
  const all = new Set(goal.hyps.flatMap((h) => h.names));
  const usable = new Set(usableNames(goal));
  const span = Math.max(1, all.size - 1);
  const out: BinderProfile[] = [];
  let position = 0;
  for (const h of goal.hyps) {
    const type = new Set(featureTokens(h.type, all));
    for (const name of h.names) {
      if (usable.has(name)) out.push({ name, type, position: position / span });
      position++;
    }
  }
  return out;
}

/**
 * How alike two binders are: the Jaccard similarity of their type tokens, plus a bonus for the same name (Mathlib's
 * naming conventions, `hx` for a fact about `x`, make a shared name good evidence of a shared role) and a small one
 * for a similar position, which only breaks ties between binders of the same type (`x y : ℝ`).
 */
export function binderSimilarity(a: BinderProfile, b: BinderProfile): number {
  let shared = 0;
  for (const t of a.type) if (b.type.has(t)) shared++;
  const union = a.type.size + b.type.size - shared;
  const jaccard = union === 0 ? 1 : shared / union;
  return jaccard + (a.name === b.name ? 0.5 : 0) - 0.01 * Math.abs(a.position - b.position);
}

/**
 * The query binder for each slot: slots are matched greedily, most similar pair first, each query binder used once
 * while unused ones remain. A slot whose best match has no type token in common and a different name keeps no
 * name (undefined), so the caller can tell a confident renaming from a guess.
 */
export function matchSlots(slots: readonly BinderProfile[], query: readonly BinderProfile[]): (string | undefined)[] {
  const out: (string | undefined)[] = slots.map(() => undefined);
  if (query.length === 0) return out;
  const pairs: { s: number; q: number; sim: number }[] = [];
  slots.forEach((s, si) => {
    query.forEach((q, qi) => {
      const sim = binderSimilarity(s, q);
      if (sim > 0.05) pairs.push({ s: si, q: qi, sim });
    });
  });
  pairs.sort((x, y) => y.sim - x.sim || x.s - y.s || x.q - y.q);
  // First each query binder serves at most one slot; slots left over (more slots than binders) may then share.
  const usedQuery = new Set<number>();
  for (const { s, q } of pairs) {
    if (out[s] !== undefined || usedQuery.has(q)) continue;
    out[s] = query[q]?.name;
    usedQuery.add(q);
  }
  for (const { s, q } of pairs) if (out[s] === undefined) out[s] = query[q]?.name;
  return out;
}

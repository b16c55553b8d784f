/**
 * The proof state before a theorem's first tactic, rendered from its statement the way Lean prints a goal: one line
 * per hypothesis from the binders, then `⊢` and the conclusion. `(n : ℕ) (h : 0 < n) : P n` becomes
 * `n : ℕ\nh : 0 < n\n⊢ P n`. Without Lean this is the only goal the data pipeline can know; it follows Lean's printing
 * where that is decidable from the text alone: consecutive hypotheses of equal type share a line (`x y : ℝ`),
 * anonymous instances are `inst✝¹ : …`, `inst✝ : …`, each `Type*` gets its own universe `u_1`, `u_2`, ….
 * Not covered (the goal is then undefined rather than wrong): binders without a type (`{n}`), pattern binders.
 * Not knowable from the statement: `variable`s of the enclosing section and auto-bound implicits.
 */
import { CODE, closingBracket, LITERAL, scanLean, skipSpaceAndComments } from './leanScanner';

export interface Hypothesis {
  names: string[];
  type: string;
  /** An instance binder without a name (`[Fintype α]`): Lean names it `inst✝`, inaccessible. */
  anonymous?: boolean;
}

/** Binders and conclusion of a statement (`theorem name binders : conclusion`, without `:= …`), or undefined. */
export function parseSignature(
  statement: string,
  keyword: string,
  name: string,
): { hyps: Hypothesis[]; conclusion: string } | undefined {
  const raw = signatureParts(statement, keyword, name);
  return raw && { hyps: inaccessibleNames(raw.hyps), conclusion: raw.conclusion };
}

/** parseSignature's binders as written, before later binders shadow earlier ones. */
function signatureParts(
  statement: string,
  keyword: string,
  name: string,
): { hyps: Hypothesis[]; conclusion: string } | undefined {
  const mask = scanLean(statement);
  let p = skipSpaceAndComments(statement, mask, 0);
  if (!statement.startsWith(keyword, p)) return undefined;
  p = skipSpaceAndComments(statement, mask, p + keyword.length);
  if (keyword !== 'example' && statement.startsWith(name, p)) p += name.length;
  // Universe parameters: `theorem foo.{u} …`.
  if (statement.startsWith('.{', p)) p = closingBracket(statement, mask, p + 1);
  const hyps: Hypothesis[] = [];
  let universes = 0;
  for (;;) {
    p = skipSpaceAndComments(statement, mask, p);
    const c = statement[p];
    if (c === ':') {
      const conclusion = collapse(codeText(statement, mask, p + 1, statement.length));
      return conclusion === '' ? undefined : { hyps, conclusion };
    }
    if (c === undefined || !'([{⦃'.includes(c)) return undefined;
    const close = closingBracket(statement, mask, p);
    let inner = codeText(statement, mask, p + 1, close - 1).trim();
    // `{{x : α}}` is the ASCII form of `⦃x : α⦄`.
    if (c === '{' && inner.startsWith('{') && inner.endsWith('}')) inner = inner.slice(1, -1).trim();
    const colon = topLevelColon(inner);
    if (c === '[') {
      const label = colon < 0 ? '' : inner.slice(0, colon).trim();
      if (colon >= 0 && /^[\p{L}_][\p{L}\p{N}_'!?.]*$/u.test(label)) {
        hyps.push({ names: [label], type: typeText(inner.slice(colon + 1)) });
      } else {
        hyps.push({ names: ['inst'], type: typeText(inner), anonymous: true });
      }
    } else {
      if (colon < 0) return undefined;
      const names = inner.slice(0, colon).trim().split(/\s+/);
      const type = typeText(inner.slice(colon + 1));
      if (names.some((n) => n === '') || type === '') return undefined;
      for (const n of names) {
        // Each name of `{α β : Type*}` gets a universe of its own, as Lean elaborates it.
        const own = type.replace(/\b(Type|Sort)\*/g, (_m, sort: string) => `${sort} u_${++universes}`);
        hyps.push(n === '_' ? { names: ['x'], type: own, anonymous: true } : { names: [n], type: own });
      }
    }
    p = close;
  }
}

/** The goal before the first tactic, as Lean prints it; undefined where the statement is beyond `parseSignature`. */
export function renderGoal(statement: string, keyword: string, name: string): string | undefined {
  const sig = parseSignature(statement, keyword, name);
  return sig && renderHypotheses(sig.hyps, sig.conclusion);
}

/**
 * The goal of a block inside the proof whose statement the text gives (`have h (x : ℕ) : P x := by`): the theorem's
 * binders, then the block's own (which shadow them), then `⊢` and its conclusion. Hypotheses that the proof added
 * before the block (`intro`, earlier `have`s) cannot be known without Lean and are not there.
 */
export function renderBlockGoal(
  statement: string,
  keyword: string,
  name: string,
  binders: string,
  conclusion: string,
): string | undefined {
  const outer = signatureParts(statement, keyword, name);
  const own = signatureParts(`example ${binders} : ${conclusion}`, 'example', '');
  return outer && own && renderHypotheses(inaccessibleNames([...outer.hyps, ...own.hyps]), own.conclusion);
}

function renderHypotheses(hyps: readonly Hypothesis[], conclusion: string): string {
  const lines: string[] = [];
  let group: Hypothesis | undefined;
  for (const h of hyps) {
    if (group && group.type === h.type) group.names.push(...h.names);
    else {
      if (group) lines.push(`${group.names.join(' ')} : ${group.type}`);
      group = { names: [...h.names], type: h.type };
    }
  }
  if (group) lines.push(`${group.names.join(' ')} : ${group.type}`);
  lines.push(`⊢ ${conclusion}`);
  return lines.join('\n');
}

const superscripts = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/**
 * Names as Lean shows them when they cannot be referred to: a name bound again later is shadowed (`h₀✝`, and
 * `h₀✝¹` before that), and anonymous binders (`[Fintype α]` is `inst✝`, `(_ : p)` is `x✝`) are inaccessible from
 * the start. The `✝` count goes up towards the older binders.
 */
function inaccessibleNames(hyps: readonly Hypothesis[]): Hypothesis[] {
  const later = new Map<string, number>();
  const out: Hypothesis[] = [];
  for (let i = hyps.length - 1; i >= 0; i--) {
    const h = hyps[i] as Hypothesis;
    const name = h.names[0] ?? '';
    const key = `${h.anonymous ? 'anonymous' : 'named'} ${name}`;
    const seen = later.get(key) ?? 0;
    later.set(key, seen + 1);
    const rank = h.anonymous ? seen : seen - 1;
    const suffix =
      rank < 0 ? '' : rank === 0 ? '✝' : `✝${[...String(rank)].map((d) => superscripts[Number(d)]).join('')}`;
    out.unshift({ names: [name + suffix], type: h.type });
  }
  return out;
}

/** A binder type without its default value or auto-param (`(n : ℕ := 5)`, `(h : p := by simp)`). */
function typeText(s: string): string {
  const assign = topLevel(s, (i) => s[i] === ':' && s[i + 1] === '=');
  return collapse(assign < 0 ? s : s.slice(0, assign));
}

/** The first `:` outside brackets that is not part of `:=`. */
function topLevelColon(s: string): number {
  return topLevel(s, (i) => s[i] === ':' && s[i + 1] !== '=' && s[i - 1] !== ':' && s[i + 1] !== ':');
}

function topLevel(s: string, at: (i: number) => boolean): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if ('([{⟨⦃'.includes(c)) depth++;
    else if (')]}⟩⦄'.includes(c)) depth--;
    else if (depth === 0 && at(i)) return i;
  }
  return -1;
}

/** `text[from, to)` without its comments (each becomes one space); string literals stay, they are code to Lean. */
export function codeText(text: string, mask: Uint8Array, from: number, to: number): string {
  // Copies of the scanner's constants: read through tsx's module interop they cost a call per character.
  const code = CODE;
  const literal = LITERAL;
  let out = '';
  let i = from;
  while (i < to) {
    let j = i;
    while (j < to && (mask[j] === code || mask[j] === literal)) j++;
    out += text.slice(i, j);
    if (j >= to) break;
    while (j < to && mask[j] !== code && mask[j] !== literal) j++;
    out += ' ';
    i = j;
  }
  return out;
}

/** Lean prints a hypothesis or target on one line (for the lengths that fit); whitespace runs become one space. */
function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

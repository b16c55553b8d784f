/**
 * Lean's lexer, as far as the tactic screen needs it: identifiers (with `«»` escapes and Lean's Unicode letters),
 * numbers, string and character literals, and symbols, each with its column and whether it starts a line. The
 * screen's checks are only as good as its agreement with Lean about where a name begins and ends, so the character
 * classes below are Lean's own (`isIdFirst`/`isIdRest` in Lean's `Init/Meta.lean`): a letter Lean does not read as
 * part of a name is a separate token here too, and `λsorry` is `λ` then `sorry` for both.
 *
 * Anything this lexer cannot read the way Lean would (an unterminated literal, an escape) is reported as a problem
 * rather than guessed at: the screen refuses it.
 */

export type TokenKind = 'ident' | 'number' | 'string' | 'char' | 'symbol';

export interface Token {
  readonly kind: TokenKind;
  /** The text as written (an escaped name keeps its guillemets). */
  readonly text: string;
  /** For identifiers, the name components with `«»` removed: `Nat.«sorry»` is `['Nat', 'sorry']`. */
  readonly parts: readonly string[];
  /** For string literals, the characters between the quotes. */
  readonly value: string;
  /** Column in code points, which is what Lean compares to decide where a tactic block goes on. */
  readonly col: number;
  /** The first token on its line. */
  readonly lineStart: boolean;
  /** The character right after the token, '' at the end: `eval%` is the identifier `eval` followed by `%`. */
  readonly next: string;
}

export type LexResult = { readonly tokens: Token[] } | { readonly problem: string };

/** Lean's `isLetterLike`: Greek (but λ Π Σ), Coptic, polytonic Greek, letter-like symbols, mathematical script. */
export function isLetterLike(cp: number): boolean {
  return (
    (cp >= 0x3b1 && cp <= 0x3c9 && cp !== 0x3bb) ||
    (cp >= 0x391 && cp <= 0x3a9 && cp !== 0x3a0 && cp !== 0x3a3) ||
    (cp >= 0x3ca && cp <= 0x3fb) ||
    (cp >= 0x1f00 && cp <= 0x1ffe) ||
    (cp >= 0x2100 && cp <= 0x214f) ||
    (cp >= 0x1d49c && cp <= 0x1d59f)
  );
}

const isAsciiLetter = (cp: number) => (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
const isDigit = (cp: number) => cp >= 0x30 && cp <= 0x39;
const isSubscript = (cp: number) =>
  (cp >= 0x2080 && cp <= 0x2089) || (cp >= 0x2090 && cp <= 0x209c) || (cp >= 0x1d62 && cp <= 0x1d6a);

/** Lean's `isIdFirst`. */
export function isIdFirst(cp: number): boolean {
  return isAsciiLetter(cp) || cp === 0x5f || isLetterLike(cp);
}

/** Lean's `isIdRest`. */
export function isIdRest(cp: number): boolean {
  return isIdFirst(cp) || isDigit(cp) || cp === 0x27 || cp === 0x21 || cp === 0x3f || isSubscript(cp);
}

/**
 * Symbols read as one token, longest first where one is a prefix of another. Those ending in a quote (`⁻¹'` for a
 * preimage, `∑'` for a sum over any type) must be: their quote does not start a character literal for Lean.
 */
const multiSymbols = [
  '<;>',
  '<|>',
  '|>.',
  '...',
  "⁻¹'",
  "∑'",
  "∏'",
  "Σ'",
  "∘'",
  "⟧'",
  ':=',
  '=>',
  '@[',
  "''",
  '|>',
  '<|',
  '||',
  '..',
];

/** What may come right before a character literal: Lean reads `x'` as a name and `∑'` as one symbol. */
const beforeCharLiteral = new Set(['', ' ', '\n', '(', '[', '{', '⟨', ',', ';']);

export function lexTactic(text: string): LexResult {
  const chars = Array.from(text);
  const tokens: Token[] = [];
  let col = 0;
  let lineHasToken = false;
  let i = 0;
  const at = (k: number) => chars[k] ?? '';
  const cpAt = (k: number) => at(k).codePointAt(0) ?? -1;

  while (i < chars.length) {
    const ch = at(i);
    if (ch === '\n') {
      col = 0;
      lineHasToken = false;
      i++;
      continue;
    }
    if (ch === ' ') {
      col++;
      i++;
      continue;
    }
    const start = i;
    const startCol = col;
    let kind: TokenKind = 'symbol';
    const parts: string[] = [];
    let value = '';
    const cp = cpAt(i);

    if (isIdFirst(cp) || ch === '«') {
      kind = 'ident';
      for (;;) {
        if (at(i) === '«') {
          const close = chars.indexOf('»', i + 1);
          if (close < 0) return { problem: 'has an unterminated `«` name' };
          const inner = chars.slice(i + 1, close).join('');
          if (inner.includes('\n')) return { problem: 'has a `«` name across lines' };
          parts.push(inner);
          i = close + 1;
        } else {
          let j = i + 1;
          while (j < chars.length && isIdRest(cpAt(j))) j++;
          parts.push(chars.slice(i, j).join(''));
          i = j;
        }
        // A dot continues the name only if a name component follows at once (`h.1` is `h` then `.1`).
        if (at(i) === '.' && (isIdFirst(cpAt(i + 1)) || at(i + 1) === '«')) i++;
        else break;
      }
      // `r"…"` and `r#"…"#` are raw string literals, whose text this lexer does not follow; no tactic needs one.
      if (parts.length === 1 && parts[0] === 'r' && (at(i) === '"' || at(i) === '#')) {
        return { problem: 'has a raw string literal' };
      }
    } else if (isDigit(cp)) {
      // Decimal digits, or `0x`/`0b`/`0o` and the digits of that base; `2.5` is three tokens here (finer only).
      kind = 'number';
      const base = ch === '0' ? /^[xbo]$/i.exec(at(i + 1))?.[0].toLowerCase() : undefined;
      const digit = base === 'x' ? /[0-9a-fA-F]/ : base === 'b' ? /[01]/ : base === 'o' ? /[0-7]/ : /[0-9]/;
      i += base ? 2 : 1;
      while (i < chars.length && digit.test(at(i))) i++;
    } else if (ch === '"') {
      kind = 'string';
      let j = i + 1;
      while (j < chars.length && at(j) !== '"') {
        if (at(j) === '\\') return { problem: 'has an escape in a string literal' };
        j++;
      }
      if (j >= chars.length) return { problem: 'has an unterminated string literal' };
      value = chars.slice(i + 1, j).join('');
      i = j + 1;
    } else if (ch === "'" && at(i + 1) !== "'") {
      // Lean reads `'` as a character literal unless `''` (the image of a set) follows; `h'` was read as a name. After
      // another symbol it may belong to a symbol of Mathlib's that this lexer does not know, so it is refused there.
      if (!beforeCharLiteral.has(at(i - 1))) return { problem: "has a `'` after a symbol" };
      if (at(i + 1) === '\\') return { problem: 'has an escape in a character literal' };
      if (at(i + 2) !== "'" || at(i + 1) === '\n' || at(i + 1) === '') return { problem: "has a malformed `'`" };
      kind = 'char';
      value = at(i + 1);
      i += 3;
    } else {
      const rest = chars.slice(i, i + 3).join('');
      const multi = multiSymbols.find((s) => rest.startsWith(s));
      i += multi ? Array.from(multi).length : 1;
    }

    const tokenText = chars.slice(start, i).join('');
    // A string literal may span lines; the column then counts from its last newline.
    const newlines = tokenText.split('\n').length - 1;
    tokens.push({
      kind,
      text: tokenText,
      parts,
      value,
      col: startCol,
      lineStart: !lineHasToken,
      next: at(i),
    });
    lineHasToken = true;
    if (newlines > 0) {
      col = Array.from(tokenText.slice(tokenText.lastIndexOf('\n') + 1)).length;
    } else {
      col += i - start;
    }
  }
  return { tokens };
}

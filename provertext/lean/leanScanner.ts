/**
 * A lexical scanner for Lean 4 source: which characters are code, which are comments and which are literals, so that
 * keywords and brackets inside comments and strings are never taken for code. No I/O; offsets are JavaScript string
 * indices (UTF-16 code units).
 */

/** What a character of the text belongs to, as `scanLean` reports it. */
export const CODE = 0;
export const COMMENT = 1;
export const LITERAL = 2;

// Letters, digits (subscripts and superscripts included) and the characters Lean lets names end with.
const identChar = /[\p{L}\p{N}_'!?]/u;

/**
 * Classifies every UTF-16 unit of `text` as CODE, COMMENT (`--`, nested `/- -/`, doc `/-- -/`, module doc `/-! -/`) or
 * LITERAL (strings, raw strings, interpolated strings, char literals), so that callers can ignore keywords and
 * brackets inside them.
 */
export function scanLean(text: string): Uint8Array {
  const mask = new Uint8Array(text.length);
  // Jumps from one character that may open a comment or a literal to the next; everything between is code.
  const opener = /--|\/-|["'«]|r#*"/g;
  for (let m = opener.exec(text); m !== null; m = opener.exec(text)) {
    const i = m.index;
    const token = m[0];
    let end = i;
    let kind = COMMENT;
    if (token === '--') {
      end = text.indexOf('\n', i);
      if (end < 0) end = text.length;
    } else if (token === '/-') {
      end = blockCommentEnd(text, i);
    } else if (token === '"') {
      kind = LITERAL;
      end = stringEnd(text, i, text[i - 1] === '!');
    } else if (token === "'") {
      kind = LITERAL;
      if (!isIdentBefore(text, i)) end = charLiteralEnd(text, i);
    } else if (token === '«') {
      // A quoted name is code, but what it quotes may look like a comment or a string: skip over it.
      const close = text.indexOf('»', i);
      opener.lastIndex = close < 0 ? text.length : close + 1;
      continue;
    } else if (isIdentBefore(text, i)) {
      // `…r"`: the `r` ends a name and the quote opens an ordinary string.
      opener.lastIndex = i + token.length - 1;
      continue;
    } else {
      kind = LITERAL;
      end = rawStringEnd(text, i);
    }
    if (end > i) mask.fill(kind, i, end);
    opener.lastIndex = Math.max(end, i + 1);
  }
  return mask;
}

/** Whether the character before `i` continues an identifier (`h'` is a name, not the start of a char literal). */
function isIdentBefore(text: string, i: number): boolean {
  if (i === 0) return false;
  const low = text.charCodeAt(i - 1);
  // A low surrogate ends an astral character (𝓝): read the whole code point.
  const at = low >= 0xdc00 && low <= 0xdfff && i >= 2 ? i - 2 : i - 1;
  return identChar.test(String.fromCodePoint(text.codePointAt(at) ?? 0));
}

/** Block comments nest in Lean 4, doc comments included. */
function blockCommentEnd(text: string, start: number): number {
  let depth = 0;
  let j = start;
  while (j < text.length) {
    if (text[j] === '/' && text[j + 1] === '-') {
      depth++;
      j += 2;
    } else if (text[j] === '-' && text[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  return text.length;
}

/** Returns the index after the closing quote. In `s!"…{e}…"` a quote inside the braces belongs to `e`. */
function stringEnd(text: string, start: number, interpolated: boolean): number {
  let j = start + 1;
  let braces = 0;
  while (j < text.length) {
    const c = text[j];
    if (c === '"' && braces === 0) return j + 1;
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '"') {
      j = stringEnd(text, j, false);
      continue;
    }
    if (interpolated && c === '{') braces++;
    else if (interpolated && c === '}' && braces > 0) braces--;
    j++;
  }
  return text.length;
}

/** `r"…"` and `r#"…"#` (any number of `#`), without escapes. Returns `start` when it is not a raw string. */
function rawStringEnd(text: string, start: number): number {
  const m = /r(#*)"/y;
  m.lastIndex = start;
  const open = m.exec(text);
  if (!open) return start;
  const close = text.indexOf(`"${open[1]}`, m.lastIndex);
  return close < 0 ? text.length : close + 1 + (open[1]?.length ?? 0);
}

const charLiteral = /'(?:\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)|[^'\\\n])'/uy;

/** Returns `start` when the quote does not open a char literal (`f '' s`, the preimage `⁻¹'`, …). */
function charLiteralEnd(text: string, start: number): number {
  charLiteral.lastIndex = start;
  return charLiteral.test(text) ? charLiteral.lastIndex : start;
}

export function skipSpaceAndComments(text: string, mask: Uint8Array, pos: number): number {
  let p = pos;
  while (p < text.length && (mask[p] === COMMENT || /\s/.test(text[p] ?? ''))) p++;
  return p;
}

/** The index after the bracket matching the one at `open`, skipping comments and literals. */
export function closingBracket(text: string, mask: Uint8Array, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (mask[j] !== CODE) continue;
    const c = text[j] ?? '';
    if ('([{⟨⦃'.includes(c)) depth++;
    else if (')]}⟩⦄'.includes(c) && --depth === 0) return j + 1;
  }
  return text.length;
}

/** `text[from, to)` with comments and literals blanked out, keeping offsets. */
export function codeOf(text: string, mask: Uint8Array, from: number, to: number): string {
  let out = '';
  for (let j = from; j < to; j++) out += mask[j] === CODE ? text[j] : ' ';
  return out;
}

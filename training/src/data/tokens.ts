/**
 * The normalised view of a text that deduplication and decontamination compare: lowercase, whitespace collapsed,
 * split into tokens that keep Lean's and mathematics' Unicode. A token is either a run of "word" characters (letters,
 * digits and marks of any script, `_`, `'`, `.`, so `Nat.succ_le_iff`, `h₀`, `ℝ`, `x'` and `3.14` are one token each)
 * or a single other visible character (`:`, `+`, `≤`, `∑`, `⊢`, `\`). Whitespace and brackets (`( ) [ ] { } ⟨ ⟩ ⦃ ⦄`)
 * are not tokens: re-indented, re-wrapped or re-bracketed copies of a statement (`((3 * x^3) / x)^2` for
 * `(3 * x ^ 3 / x) ^ 2`, as Mathlib's tests restate miniF2F problems) still match. Tokens are grouped into units of
 * one word each (below). Exact-duplicate keys do see brackets: only case and whitespace are normalised there.
 *
 * Hashing happens while scanning, so the hot path never builds a string per token: a 70 MB corpus becomes typed
 * arrays of hashes. The strings are rebuilt only for the rare documents that need checking or reporting.
 */
import { fmix32 } from './hashing';

const SPACE = 0;
const WORD = 1;
const SYMBOL = 2;
/** Brackets: text, but not tokens. */
const BRACKET = 3;

let bmpClasses: Uint8Array | undefined;

/** The class of every BMP character, computed once (65,536 regex tests, a few milliseconds). */
function classes(): Uint8Array {
  if (bmpClasses) return bmpClasses;
  const table = new Uint8Array(0x10000);
  const space = /\s/u;
  const word = /[\p{L}\p{N}\p{M}_'.]/u;
  for (let c = 0; c < 0x10000; c++) {
    // Lone surrogates are classified when their pair is read (see `classOfCodePoint`).
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCharCode(c);
    table[c] = space.test(s) ? SPACE : word.test(s) ? WORD : SYMBOL;
  }
  // Control characters other than whitespace are noise, not tokens.
  for (let c = 0; c < 0x20; c++) if (table[c] === SYMBOL) table[c] = SPACE;
  for (const c of '()[]{}⟨⟩⦃⦄') table[c.charCodeAt(0)] = BRACKET;
  bmpClasses = table;
  return table;
}

function classOfCodePoint(cp: number): number {
  return /[\p{L}\p{N}\p{M}]/u.test(String.fromCodePoint(cp)) ? WORD : SYMBOL;
}

/**
 * The units of a text as two parallel arrays of independent 32-bit hashes. A unit is one word token with the symbol
 * tokens that follow it (`ℝ ) (`, `n +`, `nat.gcd (`); symbols before the first word join the first unit. N-grams
 * and shingles count units, so "13-gram" means thirteen words, as in GPT-3's and the Llemma paper's checks, while the
 * symbols between the words still have to match: `a + b` and `a - b` differ. Counting bare symbols as tokens would
 * make thirteen of them (`( a - b ) ^ 2 = a ^ 2 - 2`) a common identity rather than a leaked statement.
 */
export interface TokenHashes {
  count: number;
  a: Uint32Array;
  b: Uint32Array;
  /** A 64-bit hash (hex) of the normalised text itself: lowercase, whitespace runs as one space, trimmed. */
  exact: string;
}

let scratchA = new Uint32Array(1 << 16);
let scratchB = new Uint32Array(1 << 16);

/**
 * Tokenises `text` (lowercased first) into unit hashes, and hashes the normalised text on the way; no token strings
 * are made.
 */
export function tokenHashes(text: string): TokenHashes {
  const src = text.toLowerCase();
  const table = classes();
  // A text has at most as many units as UTF-16 units. Reused scratch space, copied out at the end: allocating two
  // text-sized arrays per document would make the garbage collector the slowest stage.
  if (scratchA.length < src.length + 1) {
    scratchA = new Uint32Array(src.length + 1);
    scratchB = new Uint32Array(src.length + 1);
  }
  const a = scratchA;
  const b = scratchB;
  let count = 0;
  let ua = 0x811c9dc5;
  let ub = 0x9e3779b9;
  let open = false;
  let hasWord = false;
  // The normalised text's hash: two FNV-1a lanes over its UTF-16 units.
  let xa = 0x84222325;
  let xb = 0xcbf29ce4;
  let length = 0;
  let space = false;
  let i = 0;
  while (i < src.length) {
    const cls = unitClass(src, i, table);
    if (cls === SPACE) {
      space = length > 0;
      i += unitWidth(src, i);
      continue;
    }
    if (space) {
      xa = Math.imul(xa ^ 32, 0x01000193);
      xb = Math.imul(xb ^ 32, 0x5bd1e995);
      length++;
      space = false;
    }
    if (cls === BRACKET) {
      const c = src.charCodeAt(i);
      xa = Math.imul(xa ^ c, 0x01000193);
      xb = Math.imul(xb ^ c, 0x5bd1e995);
      length++;
      i++;
      continue;
    }
    if (cls === WORD && hasWord) {
      a[count] = fmix32(ua);
      b[count] = fmix32(ub);
      count++;
      ua = 0x811c9dc5;
      ub = 0x9e3779b9;
      hasWord = false;
    }
    let ha = 0x811c9dc5;
    let hb = 0x9e3779b9;
    let j = i;
    do {
      // Every UTF-16 unit goes into the hash; a surrogate pair is two units of one character.
      const end = j + unitWidth(src, j);
      for (; j < end; j++) {
        const c = src.charCodeAt(j);
        ha = Math.imul(ha ^ c, 0x01000193);
        hb = Math.imul(hb ^ c, 0x5bd1e995);
        xa = Math.imul(xa ^ c, 0x01000193);
        xb = Math.imul(xb ^ c, 0x5bd1e995);
      }
    } while (cls === WORD && j < src.length && unitClass(src, j, table) === WORD);
    length += j - i;
    // The token's hashes (with its length, so token boundaries count) folded into the unit's.
    ua = Math.imul(ua ^ fmix32(ha ^ (j - i)), 0x01000193);
    ub = Math.imul(ub ^ fmix32(hb + (j - i)), 0x5bd1e995);
    open = true;
    if (cls === WORD) hasWord = true;
    i = j;
  }
  if (open) {
    a[count] = fmix32(ua);
    b[count] = fmix32(ub);
    count++;
  }
  const exact = `${fmix32(xa).toString(16).padStart(8, '0')}${fmix32(xb).toString(16).padStart(8, '0')}:${length}`;
  return { count, a: a.slice(0, count), b: b.slice(0, count), exact };
}

/** The same units as strings (tokens joined by a space), with their offsets in the lowercased text. */
export function tokenStrings(text: string): { tokens: string[]; offsets: number[]; lowered: string } {
  const src = text.toLowerCase();
  const table = classes();
  const tokens: string[] = [];
  const offsets: number[] = [];
  let parts: string[] = [];
  let at = 0;
  let hasWord = false;
  let i = 0;
  while (i < src.length) {
    const cls = unitClass(src, i, table);
    if (cls === SPACE || cls === BRACKET) {
      i += unitWidth(src, i);
      continue;
    }
    if (cls === WORD && hasWord) {
      tokens.push(parts.join(' '));
      offsets.push(at);
      parts = [];
      hasWord = false;
    }
    if (parts.length === 0) at = i;
    let j = i + unitWidth(src, i);
    if (cls === WORD) while (j < src.length && unitClass(src, j, table) === WORD) j += unitWidth(src, j);
    parts.push(src.slice(i, j));
    if (cls === WORD) hasWord = true;
    i = j;
  }
  if (parts.length > 0) {
    tokens.push(parts.join(' '));
    offsets.push(at);
  }
  return { tokens, offsets, lowered: src };
}

function unitWidth(src: string, i: number): number {
  const c = src.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < src.length ? 2 : 1;
}

function unitClass(src: string, i: number, table: Uint8Array): number {
  const c = src.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < src.length) return classOfCodePoint(src.codePointAt(i) ?? c);
  return c >= 0xd800 && c <= 0xdfff ? SYMBOL : (table[c] ?? SYMBOL);
}

// Odd multipliers for the two polynomial rolling hashes; fixed, so keys are comparable across runs and processes.
const baseA = 0x01000193;
const baseB = 0x2c1b3c6d;

function power(base: number, exp: number): number {
  let r = 1;
  for (let i = 0; i < exp; i++) r = Math.imul(r, base);
  return r;
}

/** The two 32-bit hashes (together a 64-bit key) of every window of `n` consecutive units. */
export interface NgramHashes {
  count: number;
  hi: Uint32Array;
  lo: Uint32Array;
}

/**
 * The key of every window of `n` consecutive units (index = the window's first unit), computed as two rolling
 * polynomial hashes so each window costs O(1) whatever `n` is.
 */
export function ngramHashes(h: TokenHashes, n: number): NgramHashes {
  const count = Math.max(0, h.count - n + 1);
  const hi = new Uint32Array(count);
  const lo = new Uint32Array(count);
  if (count === 0) return { count, hi, lo };
  const pa = power(baseA, n - 1);
  const pb = power(baseB, n - 1);
  const { a, b } = h;
  let ra = 0;
  let rb = 0;
  for (let i = 0; i < h.count; i++) {
    if (i >= n) {
      ra = (ra - Math.imul(a[i - n] as number, pa)) | 0;
      rb = (rb - Math.imul(b[i - n] as number, pb)) | 0;
    }
    ra = (Math.imul(ra, baseA) + (a[i] as number)) | 0;
    rb = (Math.imul(rb, baseB) + (b[i] as number)) | 0;
    if (i >= n - 1) {
      hi[i - n + 1] = fmix32(ra);
      lo[i - n + 1] = fmix32(rb);
    }
  }
  return { count, hi, lo };
}

/**
 * An Isabelle theory's text read without Isabelle: which characters are code (not comments, strings or cartouches),
 * the words of the code with their offsets, the theory header, and the theorem statements with their proofs' extent.
 *
 * Outer syntax: comments `(* … *)` nest; strings `"…"` and alternative strings `` `…` `` take backslash escapes;
 * cartouches `\<open>…\<close>` (or `‹…›`) nest. Everything else is code.
 */
import { proofStartKeywords, statementKeywords, theoryLevelKeywords } from './keywords';

const OPEN = '\\<open>';
const CLOSE = '\\<close>';

/** A mask over the text: true where a character is code. */
export function codeMask(text: string): boolean[] {
  const code = new Array<boolean>(text.length).fill(true);
  let i = 0;
  const mark = (from: number, to: number) => {
    for (let k = from; k < to && k < text.length; k++) code[k] = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '(' && text[i + 1] === '*') {
      let depth = 0;
      let j = i;
      while (j < text.length) {
        if (text[j] === '(' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === ')') {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      mark(i, j);
      i = j;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' && text[j + 1] === c ? 2 : 1;
      mark(i, j + 1);
      i = j + 1;
    } else if (text.startsWith(OPEN, i) || c === '‹') {
      let depth = 0;
      let j = i;
      while (j < text.length) {
        if (text.startsWith(OPEN, j) || text[j] === '‹') {
          depth++;
          j += text[j] === '‹' ? 1 : OPEN.length;
        } else if (text.startsWith(CLOSE, j) || text[j] === '›') {
          depth--;
          j += text[j] === '›' ? 1 : CLOSE.length;
          if (depth === 0) break;
        } else j++;
      }
      mark(i, j);
      i = j;
    } else i++;
  }
  return code;
}

/** One word of code: an identifier-like token, or `.`/`..` standing alone (the one-dot and two-dot proofs). */
export interface Word {
  text: string;
  start: number;
  end: number;
}

const wordChar = /[A-Za-z0-9_'.]/;

/** The words of the code, in order. */
export function codeWords(text: string, mask: boolean[] = codeMask(text)): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < text.length) {
    if (!mask[i] || !wordChar.test(text[i] as string)) {
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && mask[j] && wordChar.test(text[j] as string)) j++;
    words.push({ text: text.slice(i, j), start: i, end: j });
    i = j;
  }
  return words;
}

export interface TheoryHeader {
  name: string;
  /** Offsets of the name, so a copy of the theory can be renamed. */
  nameStart: number;
  nameEnd: number;
  /** Offset just after `begin`. */
  bodyStart: number;
}

/** `theory NAME imports … begin`; undefined when the text has none. */
export function theoryHeader(text: string, words: Word[] = codeWords(text)): TheoryHeader | undefined {
  const at = words.findIndex((w) => w.text === 'theory');
  const name = words[at + 1];
  if (at < 0 || !name) return undefined;
  // The name may be quoted; take it from the text between `theory` and the next word.
  const begin = words.findIndex((w, k) => k > at && w.text === 'begin');
  if (begin < 0) return undefined;
  return { name: name.text, nameStart: name.start, nameEnd: name.end, bodyStart: (words[begin] as Word).end };
}

/** A copy of the theory whose header names `name` (a theory's name must be its file's). */
export function renameTheory(text: string, header: TheoryHeader, name: string): string {
  return text.slice(0, header.nameStart) + name + text.slice(header.nameEnd);
}

export interface Statement {
  /** `lemma`, `theorem`, … */
  keyword: string;
  /** The statement's name when it has one (`lemma foo: …`), else the empty string. */
  name: string;
  /** Offset of the keyword. */
  start: number;
  /** Offset of the first proof command: the statement is `[start, proofStart)`. -1 when it has no proof at all. */
  proofStart: number;
  /** Offset where the proof ends: the next theory-level command (or the end of the text). */
  end: number;
}

const statements = new Set<string>(statementKeywords);
const theoryLevel = new Set<string>(theoryLevelKeywords);
const proofStarts = new Set<string>(proofStartKeywords);

/** Every theorem statement of the theory body, with where its proof starts and ends. */
export function theoryStatements(text: string, words: Word[] = codeWords(text)): Statement[] {
  const header = theoryHeader(text, words);
  const from = header?.bodyStart ?? 0;
  const body = words.filter((w) => w.start >= from);
  const out: Statement[] = [];
  for (let k = 0; k < body.length; k++) {
    const w = body[k] as Word;
    if (!statements.has(w.text) || !startsCommand(text, w)) continue;
    let end = text.length;
    let proofStart = -1;
    for (let m = k + 1; m < body.length; m++) {
      const v = body[m] as Word;
      if (proofStart < 0 && proofStarts.has(v.text) && startsCommand(text, v)) proofStart = v.start;
      if (theoryLevel.has(v.text) && startsCommand(text, v) && !(v.text === 'context' && proofStart < 0)) {
        end = lineStartOf(text, v.start);
        break;
      }
    }
    const next = body[k + 1];
    const named = next && text.slice(next.end).trimStart().startsWith(':') && !proofStarts.has(next.text);
    out.push({ keyword: w.text, name: named ? next.text : '', start: w.start, proofStart, end: Math.max(end, w.end) });
  }
  return out;
}

/**
 * Whether a word is a command keyword and not part of a name or a term: preceded only by blanks on its line, or by
 * a code character that ends a command (a closing quote or cartouche, a bracket), never by `.` or a letter.
 */
function startsCommand(text: string, w: Word): boolean {
  if (w.text.includes('.') && w.text !== '.' && w.text !== '..') return false;
  const before = text[w.start - 1];
  return before === undefined || /[\s"`)\]›>]/.test(before);
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * Pure functions over Lean 4 source text: the file header and the top-level commands (declarations) of the body, on
 * top of the lexical scanner in leanScanner.ts. No I/O. Offsets are JavaScript string indices (UTF-16 code units) into
 * the text they were computed from.
 *
 * Top-level commands are recognised only where they start at column 0, which is how Lean code is written (Mathlib,
 * miniF2F, compfiles); indented declarations are taken as part of the declaration before them. The words that begin a
 * command are keywords.ts's.
 */
import { commandWords, declarationKeywords, declarationModifiers, inPrefixCommands } from './keywords';
import { CODE, COMMENT, closingBracket, codeOf, scanLean, skipSpaceAndComments } from './leanScanner';

export { CODE, COMMENT, closingBracket, codeOf, LITERAL, scanLean, skipSpaceAndComments } from './leanScanner';

// ---- The header: `module`, `prelude` and the imports, with the comments between them.

const headerToken = /\s*(?:(module|prelude)\b|(?:(?:public|private)\s+)?(?:meta\s+)?import\s+(?:all\s+)?[^\s]+)/y;

/**
 * Splits off the header: the leading `import` lines (also `prelude`, and the module system's `module` and
 * `public`/`meta import` forms) with the comments and blank lines among them. `bodyStart` is the offset after the line
 * of the last header token; with no header it is 0.
 */
export function splitHeader(text: string, mask: Uint8Array = scanLean(text)): { header: string; bodyStart: number } {
  let pos = 0;
  let bodyStart = 0;
  for (;;) {
    pos = skipSpaceAndComments(text, mask, pos);
    headerToken.lastIndex = pos;
    const m = headerToken.exec(text);
    if (!m || m[0].trim() === '' || mask[pos] !== CODE) break;
    pos = headerToken.lastIndex;
    const eol = text.indexOf('\n', pos);
    bodyStart = eol < 0 ? text.length : eol + 1;
  }
  return { header: text.slice(0, bodyStart), bodyStart };
}

// ---- Top-level commands: keywords.ts holds the words that begin them.

export interface Command {
  /** Where the command starts, with its doc comment, attributes, modifiers and `… in` prefixes. */
  start: number;
  /** The next command's start, or the end of the text. */
  end: number;
  keyword: string;
  keywordStart: number;
  /** The declared name; the keyword for anonymous declarations (`example`, nameless `instance`) and other commands. */
  name: string;
}

const wordAt = /[A-Za-z_#][\w.!?#]*/y;

function word(text: string, pos: number): string {
  wordAt.lastIndex = pos;
  return wordAt.exec(text)?.[0] ?? '';
}

/** Offsets of the lines that begin a top-level command: a known command word, `@[`, `#cmd` or a doc comment at column 0. */
function commandStarts(text: string, mask: Uint8Array, from: number): number[] {
  const starts: number[] = [];
  for (let s = from; s < text.length; s = text.indexOf('\n', s) + 1 || text.length) {
    const regionStart = s === 0 || mask[s - 1] === CODE;
    if (mask[s] === COMMENT) {
      if (regionStart && (text.startsWith('/--', s) || text.startsWith('/-!', s))) starts.push(s);
      continue;
    }
    if (mask[s] !== CODE) continue;
    if (text.startsWith('@[', s)) {
      starts.push(s);
      continue;
    }
    const w = word(text, s);
    if (w === 'deriving') {
      // `deriving instance …` is a command; a bare `deriving Repr` at column 0 belongs to the structure above it.
      if (/^deriving\s+instance\b/.test(text.slice(s, s + 40))) starts.push(s);
    } else if (commandWords.has(w) || /^#[a-z]/.test(w)) {
      starts.push(s);
    }
  }
  return starts;
}

/**
 * Skips what may precede a command's keyword: doc comment, attributes `@[…]`, modifiers and `… in` prefixes.
 * Returns the keyword's offset.
 */
function keywordOffset(text: string, mask: Uint8Array, start: number): number {
  let p = start;
  for (;;) {
    p = skipSpaceAndComments(text, mask, p);
    if (text.startsWith('@[', p)) {
      p = closingBracket(text, mask, p + 1);
      continue;
    }
    const w = word(text, p);
    if (declarationModifiers.has(w)) {
      p += w.length;
      continue;
    }
    if (inPrefixCommands.has(w)) {
      const eol = text.indexOf('\n', p);
      const line = codeOf(text, mask, p, eol < 0 ? text.length : eol);
      if (/\bin\s*$/.test(line)) {
        p = eol < 0 ? text.length : eol;
        continue;
      }
    }
    return p;
  }
}

const nameAt = /(?:«[^»]*»|[^\s:(){}[\]⦃⦄,«»⟨⟩@|])+/uy;

function declaredName(text: string, mask: Uint8Array, keyword: string, after: number): string {
  if (keyword === 'example') return keyword;
  let p = skipSpaceAndComments(text, mask, after);
  // `instance (priority := 100) foo : C`: the priority comes before the name.
  if (keyword === 'instance' && text.startsWith('(priority', p))
    p = skipSpaceAndComments(text, mask, closingBracket(text, mask, p));
  nameAt.lastIndex = p;
  const name = nameAt.exec(text)?.[0].replace(/\.$/, '');
  return name && !/^[:=]/.test(name) ? name : keyword;
}

/** The top-level commands of the body (after the header), each from its start to the next one's. */
export function topLevelCommands(text: string, mask: Uint8Array = scanLean(text)): Command[] {
  const { bodyStart } = splitHeader(text, mask);
  const starts = commandStarts(text, mask, bodyStart);
  const commands: Command[] = [];
  let i = 0;
  while (i < starts.length) {
    const start = starts[i] ?? 0;
    // A module doc is a command of its own, not the doc comment of what follows it.
    const moduleDoc = text.startsWith('/-!', start);
    const keywordStart = moduleDoc ? start : keywordOffset(text, mask, start);
    const keyword = moduleDoc ? '/-!' : word(text, keywordStart);
    if (moduleDoc) i++;
    while (i < starts.length && (starts[i] ?? 0) <= keywordStart) i++;
    const end = starts[i] ?? text.length;
    const name = declarationKeywords.has(keyword)
      ? declaredName(text, mask, keyword, keywordStart + keyword.length)
      : keyword;
    commands.push({ start, end, keyword, keywordStart, name });
  }
  return commands;
}

/** The top-level declaration whose span holds `offset`, or undefined (header, `open`, `namespace`, …). */
export function declarationAt(text: string, offset: number, mask: Uint8Array = scanLean(text)): Command | undefined {
  const found = topLevelCommands(text, mask).find(
    (c) => c.start <= offset && (offset < c.end || c.end === text.length),
  );
  return found && declarationKeywords.has(found.keyword) ? found : undefined;
}

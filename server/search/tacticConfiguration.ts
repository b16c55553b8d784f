/**
 * Brackets, and the one part of a tactic that Lean evaluates as a program rather than reads as a proof: its
 * configuration (`simp (config := …)`, `linarith (config := …)`, `simp (maxSteps := 5)`). Lean elaborates such a
 * value and runs it to get the tactic's settings, so a configuration may only be plain data.
 */
import type { Token } from './tacticTokens';

/** Opening brackets and the bracket that closes each. */
export const closers: Readonly<Record<string, string>> = {
  '(': ')',
  '[': ']',
  '{': '}',
  '⟨': '⟩',
  '⦃': '⦄',
  '⟦': '⟧',
  '⟪': '⟫',
  '⁅': '⁆',
  '⌊': '⌋',
  '⌈': '⌉',
  '⟮': '⟯',
  '‹': '›',
};
/** Closing brackets; `⟧'` (a shift in category theory) closes `⟦` too. */
export const closing: ReadonlySet<string> = new Set([...Object.values(closers), "⟧'"]);

/** The index of the bracket that closes the one at `open`, or -1. */
export function matchingClose(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const text = (tokens[k] as Token).text;
    if (closers[text] !== undefined) depth++;
    else if (closing.has(text) && --depth === 0) return k;
  }
  return -1;
}

/**
 * A configuration value (`simp (config := { contextual := true })`, `congr! (config := .unfoldSameFun)`) is not just
 * read: Lean evaluates it as a program when the tactic runs, so `{ discharger := do … }` would run whatever it says.
 * It may therefore only be plain data: structure instances, lists, names, numbers, `*`, and no application except
 * `some x` and a constructor written `.name x`. The reason is returned, or undefined.
 */
export function screenConfiguration(tokens: readonly Token[]): string | undefined {
  let depth = 0;
  let prevAtom: 'ident' | 'dotIdent' | 'some' | 'number' | 'close' | undefined;
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k] as Token;
    const text = tok.text;
    const startsAtom = tok.kind === 'ident' || tok.kind === 'number' || text === '.' || text === '{' || text === '[';
    if (startsAtom && prevAtom !== undefined && text !== 'with') {
      const applies =
        prevAtom === 'some' || prevAtom === 'dotIdent' || (prevAtom === 'number' && tok.kind === 'number');
      if (!applies) return 'is not plain data (an application)';
    }
    if (tok.kind === 'ident') {
      if (text === 'with') prevAtom = undefined;
      else if (text === 'fun' || text === 'do' || text === 'by' || text === 'let' || text === 'match')
        return `is not plain data (\`${text}\`)`;
      else prevAtom = text === 'some' ? 'some' : tokens[k - 1]?.text === '.' ? 'dotIdent' : 'ident';
    } else if (tok.kind === 'number') {
      prevAtom = 'number';
    } else if (text === '{' || text === '[') {
      depth++;
      prevAtom = undefined;
    } else if (text === '}' || text === ']') {
      if (--depth < 0) return 'has unbalanced brackets';
      prevAtom = 'close';
    } else if (text === '.' && tokens[k + 1]?.kind === 'ident' && tok.next !== ' ') {
      prevAtom = undefined;
    } else if (text === ',' || text === ':=') {
      prevAtom = undefined;
    } else if (text === '*') {
      prevAtom = 'number';
    } else {
      return `is not plain data (\`${text}\`)`;
    }
  }
  return depth === 0 ? undefined : 'has unbalanced brackets';
}

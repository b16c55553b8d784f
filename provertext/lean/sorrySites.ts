/**
 * Where a proof search can start: the `sorry`s of a file that Complete Proof replaces. The editor shows a CodeLens on
 * each of them (`sorrySites`), `llemma prove` searches from the first of each declaration (`declarationSorries`).
 *
 * The rule: a search starts at a `sorry` that begins a tactic of a `by` block, alone at the start of its line
 * (`  sorry`) or right after the proof's opening `by` (`:= by sorry`). The search reads the goal before the tactic
 * that starts on the position's line (goalProbe.ts), which there is the goal the `sorry` stands for, and its proof
 * replaces the `sorry` (with the rest of its tactic block). A `sorry` inside a tactic (`have h : p := by sorry`,
 * `exact f sorry`, `· sorry`, a line that continues the tactic above) is not one: from its line the search would start
 * before that tactic and replace all of it. Nor is a `sorry` of a term-mode proof (`:= sorry`), where there is no
 * tactic block to search in. This is decided with the goal probe's own placement (`placeEveryLine`), so a site is
 * exactly a position where `planGoalQuery`'s replaced text begins at the `sorry`.
 */
import { isWordAt, proofBy } from './goalProbe';
import { declarationKeywords } from './keywords';
import { CODE, scanLean, skipSpaceAndComments, topLevelCommands } from './leanSource';
import { type DocPosition, lineOf, lineStarts } from './sourcePosition';
import { type LinePlacement, placeEveryLine } from './tacticBlocks';

export interface SorrySite {
  /** The declaration's name (`example` for anonymous ones). */
  declaration: string;
  /** 0-based line and UTF-16 character of the `sorry`. */
  position: DocPosition;
}

export interface DeclarationSorries {
  /** The declaration's name (`example` for anonymous ones). */
  declaration: string;
  /** Its first `sorry` (code, not a comment or a string), wherever it is. */
  first: DocPosition;
  /** Its `sorry`s a proof search can start from, in order; empty when none is one. */
  sites: DocPosition[];
}

/** Every `sorry` a proof search can start from, in document order. */
export function sorrySites(text: string): SorrySite[] {
  return declarationSorries(text).flatMap((d) => d.sites.map((position) => ({ declaration: d.declaration, position })));
}

/** The declarations that hold a `sorry`, each with its first one and those a proof search can start from. */
export function declarationSorries(text: string): DeclarationSorries[] {
  const src = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  const mask = scanLean(src);
  const starts = lineStarts(src);
  const at = (offset: number): DocPosition => {
    const line = lineOf(starts, offset);
    return { line, character: offset - (starts[line] ?? 0) };
  };
  const found: DeclarationSorries[] = [];
  for (const cmd of topLevelCommands(src, mask)) {
    if (!declarationKeywords.has(cmd.keyword)) continue;
    const sorries: number[] = [];
    for (let i = src.indexOf('sorry', cmd.keywordStart); i >= 0 && i < cmd.end; i = src.indexOf('sorry', i + 1)) {
      if (mask[i] === CODE && isWordAt(src, i, 'sorry')) sorries.push(i);
    }
    const first = sorries[0];
    if (first === undefined) continue;
    const by = proofBy(src, mask, cmd);
    const inProof = by === undefined ? [] : sorries.filter((i) => i >= by + 2);
    const last = inProof[inProof.length - 1];
    const placements =
      by === undefined || last === undefined ? [] : placeEveryLine(src, mask, starts, by, lineOf(starts, last));
    const sites = inProof.filter((i) => {
      const from = replacedFrom(placements[lineOf(starts, i)], by ?? 0, starts);
      return from !== undefined && from <= i && skipSpaceAndComments(src, mask, from) === i;
    });
    found.push({ declaration: cmd.name, first: at(first), sites: sites.map(at) });
  }
  return found;
}

/** Where the text a proof replaces begins for a position on a line placed so (`planGoalQuery`'s `replaceFrom`). */
function replacedFrom(placement: LinePlacement | undefined, by: number, starts: readonly number[]): number | undefined {
  if (placement === 'byLine') return by + 2;
  return typeof placement === 'object' ? starts[placement.line] : undefined;
}

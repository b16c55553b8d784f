/**
 * Where proofs are missing: the first `sorry` of each declaration, as an LSP position. `llemma prove` searches from
 * these; the position is on the `sorry`, so the goal probe reads the state the `sorry` stands for.
 */
import { isWordAt } from './goalProbe';
import { CODE, scanLean } from './leanScanner';
import { declarationKeywords, topLevelCommands } from './leanSource';
import { lineOf, lineStarts } from './sourcePosition';

export interface SorrySite {
  /** The declaration's name (`example` for anonymous ones). */
  declaration: string;
  /** 0-based line and UTF-16 character of the `sorry`. */
  position: { line: number; character: number };
}

export function sorrySites(text: string): SorrySite[] {
  const src = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  const mask = scanLean(src);
  const starts = lineStarts(src);
  const sites: SorrySite[] = [];
  for (const cmd of topLevelCommands(src, mask)) {
    if (!declarationKeywords.has(cmd.keyword)) continue;
    for (let i = src.indexOf('sorry', cmd.keywordStart); i >= 0 && i < cmd.end; i = src.indexOf('sorry', i + 1)) {
      if (mask[i] !== CODE || !isWordAt(src, i, 'sorry')) continue;
      const line = lineOf(starts, i);
      sites.push({ declaration: cmd.name, position: { line, character: i - (starts[line] ?? 0) } });
      break;
    }
  }
  return sites;
}

/**
 * Plans the REPL command that shows the goals at a cursor: the declaration around the cursor, cut at the cursor's
 * line, with a probe appended.
 *
 * The rule: **the goal shown is the state before the tactic that starts on the cursor's line.** The declaration is
 * kept up to the start of that tactic's line and `<indent>all_goals sorry` is appended, so Lean reports one `sorry`
 * per goal open there, all at the probe's position; lines after the cursor are dropped. Where the tactic starts is
 * read from indentation, the way Lean's own parser reads tactic blocks (`by`, `·`, `case … =>`, `have … := by`,
 * `calc` steps with `by`): a line indented deeper than its block continues the tactic above it.
 */
import { COMMENT, type Command, closingBracket, codeOf, declarationAt, scanLean, splitHeader } from './leanSource';
import { type DocPosition, lineOf, lineStarts, offsetAt } from './sourcePosition';
import { indentOfLine, placeProbe } from './tacticBlocks';

export interface GoalQueryFailure {
  /** `notInProof`: the cursor is not in a tactic proof. `leanError`: Lean rejected the text before the cursor. */
  reason: 'notInProof' | 'leanError';
  /** Written for the user. */
  message: string;
}

export interface GoalPlan {
  /** The file's `import` lines: the first command of the REPL environment chain. */
  header: string;
  /** Everything between the header and the declaration (opens, namespaces, variables, earlier declarations). */
  preamble: string;
  /** The declaration cut at the cursor, with the probe appended. */
  cmd: string;
  /** Where the probe's `sorry` is in `cmd`, as the REPL reports positions: 1-based line, code-point column. */
  probe: { line: number; column: number };
  /** Document line (0-based) of `cmd`'s first line: `cmd` line k is document line `lineOffset + k - 1`. */
  lineOffset: number;
  declName: string;
  declKeyword: string;
  /**
   * What a proof written at the cursor replaces: from `replaceFrom` (the start of the cursor's tactic line, or just
   * after `by` when the cursor is on the `by` line) to `replaceTo`, the end of the last code of the tactic block the
   * line is in (its lines indented at least as deep; for the `by` line, the rest of the declaration). Comments after
   * that code (`sorry -- try induction`, comment lines below it) are the user's and stay, in `suffix`; comments
   * between tactics that are replaced go with them. `prefix` and `suffix` are the declaration's text before and
   * after; `indent` the column tactics are written at. `byLine`: the proof starts on a new line.
   */
  completion: {
    prefix: string;
    suffix: string;
    replaceFrom: number;
    replaceTo: number;
    indent: number;
    byLine: boolean;
  };
}

export const probeTactic = 'all_goals sorry';
/** Code points from the start of the probe to its `sorry`. */
const probeSorryColumn = 'all_goals '.length;

/** Plans the goal query for an LSP position in `text`, or says why there is no proof state there. */
export function planGoalQuery(text: string, position: DocPosition): GoalPlan | GoalQueryFailure {
  // Lean and LSP agree on lines when a line ends in `\r\n`; dropping the `\r` keeps every position.
  const src = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  const mask = scanLean(src);
  const starts = lineStarts(src);
  const cursor = offsetAt(src, starts, position);
  const decl = declarationAt(src, cursor, mask);
  if (!decl) {
    return notInProof('The cursor is not inside a declaration (theorem, lemma, example, def, …).');
  }
  const by = proofBy(src, mask, decl);
  if (by === undefined) {
    return notInProof(
      `\`${decl.name}\` has no tactic proof (\`:= by …\`); proof states are shown inside \`by\` blocks only.`,
    );
  }
  if (cursor < by + 2) {
    return notInProof(
      `The cursor is in the statement of \`${decl.name}\`, not inside its tactic proof: put it after \`by\`.`,
    );
  }
  const byLine = lineOf(starts, by);
  const placement = placeProbe({ src, mask, starts, by, cursor: { line: lineOf(starts, cursor), offset: cursor } });
  if (placement === 'outside') {
    return notInProof(`The cursor is after the tactic proof of \`${decl.name}\`.`);
  }
  const lineOffset = lineOf(starts, decl.start);
  let kept: string;
  let probeLine: number;
  let indent: number;
  if (placement === 'byLine') {
    kept = `${src.slice(decl.start, by + 2)}\n`;
    probeLine = byLine + 1;
    indent = indentOfLine(src, starts, byLine) + 2;
  } else {
    kept = src.slice(decl.start, starts[placement.line]);
    probeLine = placement.line;
    indent = placement.indent;
  }
  const { bodyStart } = splitHeader(src, mask);
  const replaceFrom = placement === 'byLine' ? by + 2 : (starts[placement.line] ?? src.length);
  const declEnd = Math.max(decl.start + src.slice(decl.start, decl.end).trimEnd().length, replaceFrom);
  const block = placement === 'byLine' ? declEnd : blockEnd(src, starts, placement.line, indent, declEnd);
  const replaceTo = codeEnd(src, mask, replaceFrom, block);
  return {
    header: src.slice(0, bodyStart),
    preamble: src.slice(bodyStart, decl.start),
    cmd: kept + ' '.repeat(indent) + probeTactic,
    probe: { line: probeLine - lineOffset + 1, column: indent + probeSorryColumn },
    lineOffset,
    declName: decl.name,
    declKeyword: decl.keyword,
    completion: {
      prefix: src.slice(decl.start, replaceFrom),
      suffix: src.slice(replaceTo, declEnd),
      replaceFrom,
      replaceTo,
      indent,
      byLine: placement === 'byLine',
    },
  };
}

/**
 * The end of the tactic block that the line `from` (at column `indent`) belongs to: the end of its last non-blank
 * line indented at least `indent`, before the first line indented less, and not past `limit`. Comment-only lines
 * count as lines of the block when they are indented enough.
 */
function blockEnd(src: string, starts: readonly number[], from: number, indent: number, limit: number): number {
  let end = starts[from] ?? limit;
  for (let line = from; line < starts.length && (starts[line] ?? limit) < limit; line++) {
    const start = starts[line] ?? limit;
    const text = src.slice(start, Math.min(starts[line + 1] ?? src.length, limit)).replace(/\n$/, '');
    if (text.trim() === '') continue;
    if (line > from && text.length - text.trimStart().length < indent) break;
    end = start + text.trimEnd().length;
  }
  return Math.max(end, starts[from] ?? limit);
}

/**
 * The end of the last code in `src[from, to)`: after its last character that is neither blank nor in a comment (string
 * literals are code), or `from` when there is none. A proof replaces the tactics up to there and no further, so the
 * comments that follow them, which the user wrote and the proof does not replace, stay in the document. Comments
 * between the replaced tactics are replaced with them: they were about those tactics, and would sit between the new
 * ones at random.
 */
function codeEnd(src: string, mask: Uint8Array, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) {
    if (mask[i] !== COMMENT && !/\s/.test(src[i] ?? '')) return i + 1;
  }
  return from;
}

function notInProof(message: string): GoalQueryFailure {
  return { reason: 'notInProof', message };
}

/**
 * The offset of the `by` that opens the declaration's proof: the first `:=` outside brackets must be followed by
 * `by`. A `where` before it (structure instances) or any other term after it (term-mode proofs, `fun … => by`)
 * means there is no tactic proof.
 */
export function proofBy(src: string, mask: Uint8Array, decl: Command): number | undefined {
  const code = codeOf(src, mask, decl.keywordStart, decl.end);
  for (let i = decl.keyword.length; i < code.length; i++) {
    const c = code[i] ?? '';
    if ('([{⟨⦃'.includes(c)) {
      i = closingBracket(src, mask, decl.keywordStart + i) - decl.keywordStart - 1;
    } else if (isWordAt(code, i, 'where')) {
      return undefined;
    } else if (c === ':' && code[i + 1] === '=') {
      const by = code.slice(i + 2).search(/\S/) + i + 2;
      return isWordAt(code, by, 'by') ? decl.keywordStart + by : undefined;
    }
  }
  return undefined;
}

const identPart = /[\p{L}\p{N}_'!?.]/u;

/** Whether `word` stands at `i` as a whole token (`by`, not `by_cases` or `h.by`). */
export function isWordAt(code: string, i: number, word: string): boolean {
  return (
    code.startsWith(word, i) && !identPart.test(code[i - 1] ?? ' ') && !identPart.test(code[i + word.length] ?? ' ')
  );
}

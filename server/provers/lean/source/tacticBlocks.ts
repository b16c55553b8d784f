/**
 * Reads the block structure of a tactic proof from indentation, as far as the cursor, to decide where the goal probe
 * goes. Lean's parser works the same way: a tactic block's column is the column of its first tactic, a line at that
 * column starts the next tactic, a deeper line continues the tactic above it, a shallower line ends the block.
 * Blocks open after `by`, after a bullet `·`, and after `=>` in `case`/`next`/`|` alternatives and `conv`.
 */
import { CODE, COMMENT, codeOf } from './leanSource';
import { codePointsIn, lineEnd, lineOf } from './sourcePosition';

export interface ProbeContext {
  src: string;
  mask: Uint8Array;
  starts: readonly number[];
  /** Offset of the proof's `by`. */
  by: number;
  cursor: { line: number; offset: number };
}

/**
 * Where the probe goes: on a new line right after the proof's `by` (`byLine`), replacing line `line` with the probe
 * indented by `indent` columns, or nowhere (`outside`: the cursor is below the proof, e.g. on `termination_by`).
 */
export type ProbePlacement = 'byLine' | 'outside' | { line: number; indent: number };

interface Block {
  col: number;
  /** The line where the latest tactic of this block starts. */
  start: number;
}

// Heads of lines whose `=>` opens a tactic block (`fun x =>` is a term and does not).
const arrowHeads = /^(?:[·.]\s+)?(?:case'?|next|conv\w*|on_goal|\|)(?![\p{L}\p{N}_'])/u;
const byToken = /(?<![\p{L}\p{N}_'!?.])by(?![\p{L}\p{N}_'!?])/gu;
const bulletHead = /^[·.](?=\s)/;

export function placeProbe(ctx: ProbeContext): ProbePlacement {
  const placement = placeInBlocks(ctx);
  return typeof placement === 'string' ? placement : outOfRegion(ctx, placement);
}

/**
 * A cut must not fall inside a comment or string that spans lines: the probe would end up inside it. Such a cut moves
 * up to the line where the comment starts (or, when code comes before it on that line, to where that tactic starts).
 */
function outOfRegion(ctx: ProbeContext, placement: { line: number; indent: number }): ProbePlacement {
  const { mask, starts } = ctx;
  let start = starts[placement.line] ?? 0;
  if (start === 0 || mask[start - 1] === CODE) return placement;
  while (start > 0 && mask[start - 1] !== CODE) start--;
  // Placed again as if the cursor were where the comment starts: its column when nothing precedes it on its line.
  return placeInBlocks({ ...ctx, cursor: { line: lineOf(starts, start), offset: start } });
}

function placeInBlocks(ctx: ProbeContext): ProbePlacement {
  const { src, mask, starts, by, cursor } = ctx;
  const byLine = lineOf(starts, by);
  if (cursor.line === byLine) return 'byLine';
  const blocks: Block[] = [];
  const top = () => blocks[blocks.length - 1];
  const stmtStart: number[] = [];
  let pending = false;
  let pendingIndent = 0;
  let depth = 0;
  let lastTactic: { line: number; col: number } | undefined;

  // Code of a line with comments and literals blanked; on the `by` line, only what follows `by`.
  const lineCode = (line: number) => {
    const from = line === byLine ? by + 2 : (starts[line] ?? 0);
    const code = codeOf(src, mask, starts[line] ?? 0, lineEnd(src, starts, line));
    return line === byLine ? ' '.repeat(from - (starts[line] ?? 0)) + code.slice(from - (starts[line] ?? 0)) : code;
  };
  const colOf = (line: number, index: number) => codePointsIn(src.slice(starts[line] ?? 0), index);

  // Blocks that open on `line` and go on after it on the same line (`· simp`, `have h := by simp`), or a pending one.
  const openers = (line: number, code: string, isByLine: boolean) => {
    const at: number[] = isByLine ? [by + 2 - (starts[line] ?? 0)] : [];
    const head = code.trimStart();
    const headAt = code.length - head.length;
    if (bulletHead.test(head)) at.push(headAt + 1);
    for (const m of code.matchAll(byToken)) at.push(m.index + 2);
    if (arrowHeads.test(head)) for (const m of code.matchAll(/=>/g)) at.push(m.index + 2);
    for (const end of [...new Set(at)].sort((a, b) => a - b)) {
      const rest = code.slice(end);
      const next = rest.search(/\S/);
      if (next < 0) {
        pending = true;
        pendingIndent = headAt;
      } else if (depth + depthBefore(code, end + next) === 0 && colOf(line, end + next) > (top()?.col ?? -1)) {
        blocks.push({ col: colOf(line, end + next), start: stmtStart[line] ?? line });
        if (isByLine) lastTactic = { line, col: colOf(line, end + next) };
      }
    }
  };

  stmtStart[byLine] = byLine;
  const byCode = lineCode(byLine);
  openers(byLine, byCode, true);
  if (pending) pendingIndent = indentOfLine(src, starts, byLine);
  depth = Math.max(0, depthBefore(byCode, byCode.length));

  for (let line = byLine + 1; line <= cursor.line; line++) {
    const code = lineCode(line);
    const firstAt = code.search(/\S/);
    const isCursorLine = line === cursor.line;
    if (firstAt < 0) {
      if (isCursorLine) return blankLine(line);
      continue;
    }
    const col = colOf(line, firstAt);
    if (depth > 0) {
      stmtStart[line] = top()?.start ?? line;
      pending = false;
    } else {
      while (blocks.length > 0 && col < (top()?.col ?? 0)) blocks.pop();
      const opensBlock = pending && col > (top()?.col ?? -1);
      if (opensBlock) blocks.push({ col, start: line });
      pending = false;
      const current = top();
      const isStart = current !== undefined && col === current.col && !code.trimStart().startsWith('|');
      if (isStart) {
        current.start = line;
        lastTactic = { line, col };
      }
      stmtStart[line] = isStart ? line : (current?.start ?? line);
      if (isCursorLine) {
        if (current === undefined) return 'outside';
        return isStart ? { line, indent: col } : cutAt(current.start);
      }
    }
    if (isCursorLine) return cutAt(stmtStart[line] ?? line);
    openers(line, code, false);
    depth = Math.max(0, depth + depthBefore(code, code.length));
  }
  return 'outside';

  function cutAt(line: number): ProbePlacement {
    return line === byLine ? 'byLine' : { line, indent: indentOfLine(src, starts, line) };
  }

  // A line without code: the probe goes at the cursor's column, snapped to an open block, or below the last tactic.
  function blankLine(line: number): ProbePlacement {
    if (depth > 0) return cutAt(top()?.start ?? line);
    const start = starts[line] ?? 0;
    const commentAt = mask[start + indentOfLine(src, starts, line)] === COMMENT;
    const col = commentAt ? indentOfLine(src, starts, line) : colOf(line, ctx.cursor.offset - start);
    // After a line ending in `by` (or `=>`, `·`) the new block must be deeper than the line and its block.
    const nested = Math.max(pendingIndent, top()?.col ?? 0) + 2;
    if (pending) return { line, indent: col > (top()?.col ?? -1) && col > 0 ? col : nested };
    const snapped = blocks.filter((b) => b.col <= col).pop();
    if (col > 0 && snapped) return { line, indent: snapped.col };
    return { line, indent: lastTactic?.col ?? indentOfLine(src, starts, byLine) + 2 };
  }
}

/** Bracket depth at `end` of a line's code, counted from the line's start (negative when it closes more). */
function depthBefore(code: string, end: number): number {
  let d = 0;
  for (let i = 0; i < end; i++) {
    const c = code[i] ?? '';
    if ('([{⟨⦃'.includes(c)) d++;
    else if (')]}⟩⦄'.includes(c)) d--;
  }
  return d;
}

/** The number of blanks that begin line `line`. */
export function indentOfLine(src: string, starts: readonly number[], line: number): number {
  const start = starts[line] ?? 0;
  let i = start;
  while (src[i] === ' ' || src[i] === '\t') i++;
  return i - start;
}

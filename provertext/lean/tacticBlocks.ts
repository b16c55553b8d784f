/**
 * Reads the block structure of a tactic proof from indentation, line by line from the proof's `by`. Lean's parser
 * works the same way: a tactic block's column is the column of its first tactic, a line at that column starts the next
 * tactic, a deeper line continues the tactic above it, a shallower line ends the block. Blocks open after `by`, after
 * a bullet `·`, and after `=>` in `case`/`next`/`|` alternatives and `conv`.
 *
 * One walk (`BlockWalk`) holds these rules. `placeProbe` walks it down to the cursor's line to decide where the goal
 * probe goes, adding the rules that depend on the cursor (blank and comment lines, the cursor's column);
 * `placeEveryLine` records what the walk finds at every line of a proof, so the whole proof costs one walk where
 * asking `placeProbe` about each line would cost time quadratic in the proof's length.
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

/** What `placeProbe` returns for a cursor on a line, or `'blank'` for a line without code (no tactic starts there). */
export type LinePlacement = ProbePlacement | 'blank';

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
 * For each line from the `by` line to `lastLine`, what `placeProbe` returns with the cursor on that line; lines
 * without code are `'blank'` (placeProbe would place a probe on them too, but no tactic starts there). Indexed by line.
 */
export function placeEveryLine(
  src: string,
  mask: Uint8Array,
  starts: readonly number[],
  by: number,
  lastLine: number,
): LinePlacement[] {
  const walk = new BlockWalk(src, mask, starts, by);
  const out: LinePlacement[] = [];
  out[walk.byLine] = 'byLine';
  while (walk.line < lastLine) {
    const placed = walk.next();
    const cursor = { line: walk.line, offset: starts[walk.line] ?? 0 };
    out[walk.line] = typeof placed === 'object' ? outOfRegion({ src, mask, starts, by, cursor }, placed) : placed;
  }
  return out;
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
  const walk = new BlockWalk(ctx.src, ctx.mask, ctx.starts, ctx.by);
  if (ctx.cursor.line === walk.byLine) return 'byLine';
  let placed: LinePlacement = 'outside';
  while (walk.line < ctx.cursor.line) placed = walk.next();
  return placed === 'blank' ? walk.blankLine(ctx.cursor.offset) : placed;
}

/** The block structure of one tactic proof, read a line at a time from its `by` line. */
class BlockWalk {
  readonly byLine: number;
  /** The last line read. */
  line: number;
  private readonly blocks: Block[] = [];
  private readonly stmtStart: number[] = [];
  /** The last line read ends in `by`, `=>` or `·`: the next line with code opens a block. */
  private pending = false;
  private pendingIndent = 0;
  /** Brackets open at the end of the last line read. */
  private depth = 0;
  private lastTactic: { line: number; col: number } | undefined;

  constructor(
    private readonly src: string,
    private readonly mask: Uint8Array,
    private readonly starts: readonly number[],
    private readonly by: number,
  ) {
    this.byLine = lineOf(starts, by);
    this.line = this.byLine;
    this.stmtStart[this.byLine] = this.byLine;
    const byCode = this.lineCode(this.byLine);
    this.openers(this.byLine, byCode, true);
    if (this.pending) this.pendingIndent = indentOfLine(src, starts, this.byLine);
    this.depth = Math.max(0, depthBefore(byCode, byCode.length));
  }

  /** Reads the next line and says what `placeProbe` returns for a cursor on it, before `outOfRegion`. */
  next(): LinePlacement {
    const line = ++this.line;
    const code = this.lineCode(line);
    const firstAt = code.search(/\S/);
    if (firstAt < 0) return 'blank';
    const col = this.colOf(line, firstAt);
    let placed: ProbePlacement;
    if (this.depth > 0) {
      this.stmtStart[line] = this.top()?.start ?? line;
      this.pending = false;
      placed = this.cutAt(this.stmtStart[line] ?? line);
    } else {
      while (this.blocks.length > 0 && col < (this.top()?.col ?? 0)) this.blocks.pop();
      if (this.pending && col > (this.top()?.col ?? -1)) this.blocks.push({ col, start: line });
      this.pending = false;
      const current = this.top();
      const isStart = current !== undefined && col === current.col && !code.trimStart().startsWith('|');
      if (isStart) {
        current.start = line;
        this.lastTactic = { line, col };
      }
      this.stmtStart[line] = isStart ? line : (current?.start ?? line);
      placed = current === undefined ? 'outside' : isStart ? { line, indent: col } : this.cutAt(current.start);
    }
    this.openers(line, code, false);
    this.depth = Math.max(0, this.depth + depthBefore(code, code.length));
    return placed;
  }

  /**
   * The last line read has no code and the cursor is on it at `offset`: the probe goes at the cursor's column, snapped
   * to an open block, or below the last tactic.
   */
  blankLine(offset: number): ProbePlacement {
    const { src, starts, line } = this;
    if (this.depth > 0) return this.cutAt(this.top()?.start ?? line);
    const start = starts[line] ?? 0;
    const commentAt = this.mask[start + indentOfLine(src, starts, line)] === COMMENT;
    const col = commentAt ? indentOfLine(src, starts, line) : this.colOf(line, offset - start);
    const top = this.top()?.col;
    // After a line ending in `by` (or `=>`, `·`) the new block must be deeper than the line and its block.
    const nested = Math.max(this.pendingIndent, top ?? 0) + 2;
    if (this.pending) return { line, indent: col > (top ?? -1) && col > 0 ? col : nested };
    const snapped = this.blocks.filter((b) => b.col <= col).pop();
    if (col > 0 && snapped) return { line, indent: snapped.col };
    return { line, indent: this.lastTactic?.col ?? indentOfLine(src, starts, this.byLine) + 2 };
  }

  private top(): Block | undefined {
    return this.blocks[this.blocks.length - 1];
  }

  private cutAt(line: number): ProbePlacement {
    return line === this.byLine ? 'byLine' : { line, indent: indentOfLine(this.src, this.starts, line) };
  }

  // Code of a line with comments and literals blanked; on the `by` line, only what follows `by`.
  private lineCode(line: number): string {
    const start = this.starts[line] ?? 0;
    const code = codeOf(this.src, this.mask, start, lineEnd(this.src, this.starts, line));
    if (line !== this.byLine) return code;
    const from = this.by + 2 - start;
    return ' '.repeat(from) + code.slice(from);
  }

  private colOf(line: number, index: number): number {
    return codePointsIn(this.src.slice(this.starts[line] ?? 0), index);
  }

  // Blocks that open on `line` and go on after it on the same line (`· simp`, `have h := by simp`), or a pending one.
  private openers(line: number, code: string, isByLine: boolean): void {
    const at: number[] = isByLine ? [this.by + 2 - (this.starts[line] ?? 0)] : [];
    const head = code.trimStart();
    const headAt = code.length - head.length;
    if (bulletHead.test(head)) at.push(headAt + 1);
    for (const m of code.matchAll(byToken)) at.push(m.index + 2);
    if (arrowHeads.test(head)) for (const m of code.matchAll(/=>/g)) at.push(m.index + 2);
    for (const end of [...new Set(at)].sort((a, b) => a - b)) {
      const next = code.slice(end).search(/\S/);
      if (next < 0) {
        this.pending = true;
        this.pendingIndent = headAt;
      } else if (
        this.depth + depthBefore(code, end + next) === 0 &&
        this.colOf(line, end + next) > (this.top()?.col ?? -1)
      ) {
        const col = this.colOf(line, end + next);
        this.blocks.push({ col, start: this.stmtStart[line] ?? line });
        if (isByLine) this.lastTactic = { line, col };
      }
    }
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

/**
 * What every line of a tactic proof is, in one pass: the start of a tactic (at any depth), a continuation of the
 * tactic that starts on another line, blank, or outside the proof.
 *
 * This is the language server's goal-probe rule (`placeProbe` in server/provers/lean/source/tacticBlocks.ts) applied
 * to every line at once. `placeProbe` answers for one cursor line by walking the block structure from the proof's
 * `by` down to that line; asking it about every line of a proof costs time quadratic in the proof's length, which is
 * half a minute over Mathlib and compfiles (their longest proofs run to a thousand lines). The walk below is the same
 * state machine, recording at each line what `placeProbe` would return for a cursor there instead of returning, so the
 * whole proof costs one walk. test/tacticLines.test.ts checks that the two agree on every line of real proofs.
 * It belongs next to `placeProbe` (which could then be built on it); until it moves there, a change to the block
 * rules must be made in both, and the agreement test says when they drift apart.
 */
import { CODE, codeOf } from '../../../server/provers/lean/source/leanSource';
import { codePointsIn, lineEnd, lineOf } from '../../../server/provers/lean/source/sourcePosition';
import { indentOfLine, type ProbePlacement, placeProbe } from '../../../server/provers/lean/source/tacticBlocks';

export type LinePlacement = ProbePlacement | 'blank';

interface Block {
  col: number;
  /** The line where the latest tactic of this block starts. */
  start: number;
}

// The same token rules as tacticBlocks.ts: `=>` opens a block only after these heads; `by` as a whole word.
const arrowHeads = /^(?:[·.]\s+)?(?:case'?|next|conv\w*|on_goal|\|)(?![\p{L}\p{N}_'])/u;
const byToken = /(?<![\p{L}\p{N}_'!?.])by(?![\p{L}\p{N}_'!?])/gu;
const bulletHead = /^[·.](?=\s)/;

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
  const byLine = lineOf(starts, by);
  const out: LinePlacement[] = [];
  out[byLine] = 'byLine';
  const blocks: Block[] = [];
  const top = () => blocks[blocks.length - 1];
  const stmtStart: number[] = [];
  let pending = false;
  let depth = 0;

  const lineCode = (line: number) => {
    const from = line === byLine ? by + 2 : (starts[line] ?? 0);
    const code = codeOf(src, mask, starts[line] ?? 0, lineEnd(src, starts, line));
    return line === byLine ? ' '.repeat(from - (starts[line] ?? 0)) + code.slice(from - (starts[line] ?? 0)) : code;
  };
  const colOf = (line: number, index: number) => codePointsIn(src.slice(starts[line] ?? 0), index);
  const cutAt = (line: number): ProbePlacement =>
    line === byLine ? 'byLine' : { line, indent: indentOfLine(src, starts, line) };

  const openers = (line: number, code: string, isByLine: boolean) => {
    const at: number[] = isByLine ? [by + 2 - (starts[line] ?? 0)] : [];
    const head = code.trimStart();
    const headAt = code.length - head.length;
    if (bulletHead.test(head)) at.push(headAt + 1);
    for (const m of code.matchAll(byToken)) at.push(m.index + 2);
    if (arrowHeads.test(head)) for (const m of code.matchAll(/=>/g)) at.push(m.index + 2);
    for (const end of [...new Set(at)].sort((a, b) => a - b)) {
      const next = code.slice(end).search(/\S/);
      if (next < 0) pending = true;
      else if (depth + depthBefore(code, end + next) === 0 && colOf(line, end + next) > (top()?.col ?? -1)) {
        blocks.push({ col: colOf(line, end + next), start: stmtStart[line] ?? line });
      }
    }
  };

  stmtStart[byLine] = byLine;
  const byCode = lineCode(byLine);
  openers(byLine, byCode, true);
  depth = Math.max(0, depthBefore(byCode, byCode.length));

  for (let line = byLine + 1; line <= lastLine; line++) {
    const code = lineCode(line);
    const firstAt = code.search(/\S/);
    if (firstAt < 0) {
      out[line] = 'blank';
      continue;
    }
    const col = colOf(line, firstAt);
    if (depth > 0) {
      stmtStart[line] = top()?.start ?? line;
      pending = false;
      out[line] = cutAt(stmtStart[line] ?? line);
    } else {
      while (blocks.length > 0 && col < (top()?.col ?? 0)) blocks.pop();
      if (pending && col > (top()?.col ?? -1)) blocks.push({ col, start: line });
      pending = false;
      const current = top();
      const isStart = current !== undefined && col === current.col && !code.trimStart().startsWith('|');
      if (current && isStart) current.start = line;
      stmtStart[line] = isStart ? line : (current?.start ?? line);
      out[line] = current === undefined ? 'outside' : isStart ? { line, indent: col } : cutAt(current.start);
    }
    // placeProbe moves a cut that would fall inside a multi-line comment or string; that rare case is asked of it.
    const placed = out[line];
    if (typeof placed === 'object' && (starts[placed.line] ?? 0) > 0 && mask[(starts[placed.line] ?? 0) - 1] !== CODE) {
      out[line] = placeProbe({ src, mask, starts, by, cursor: { line, offset: starts[line] ?? 0 } });
    }
    openers(line, code, false);
    depth = Math.max(0, depth + depthBefore(code, code.length));
  }
  return out;
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

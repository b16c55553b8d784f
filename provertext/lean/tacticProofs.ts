/**
 * Tactic proofs of a Lean file, cut into steps: for every tactic that starts a line (at any depth: the main block,
 * bullets `·`, `have … := by` blocks, `calc` steps, `case … =>`), the proof text before it and its own full text.
 *
 * Which lines start a tactic is decided by the language server's own goal-probe rule (`placeProbe` in
 * provertext/lean/tacticBlocks.ts, applied to all lines at once by `placeEveryLine` there): a line starts
 * a tactic exactly when the server would probe the goal there. So the examples are cut at the same places where the
 * extension later asks the model for a next tactic, and the model is trained on the prefixes it will be shown. The
 * Lean source is read with the server's scanner and declaration finder (comments and strings aware), both from
 * @llemma/prover-text.
 */

import { codeText, renderBlockGoal, renderGoal } from './binders';
import type { GoalSource, StatedGoal } from './blockGoals';
import { proofBy } from './goalProbe';
import { codeOf, scanLean } from './leanScanner';
import { type Command, topLevelCommands } from './leanSource';
import { lineEnd, lineOf, lineStarts } from './sourcePosition';
import { type Start, statedGoals } from './statedGoals';
import { placeEveryLine } from './tacticBlocks';
import { termBlocks, termProofAssign } from './termBlocks';

export interface TacticStep {
  /** 1-based line of the tactic in the file. */
  line: number;
  /** The proof so far, one entry per earlier tactic start (its lines up to the next start), comments removed. */
  before: string[];
  /** The tactic with everything nested under it (a bullet's block, a `have`'s proof), dedented to column 0. */
  tactic: string;
  /**
   * For a step after the first, the goal the text states for it (blockGoals.ts): it is the first tactic of a
   * `have … : P := by` or `calc` step's block, or follows `show P` or `suffices h : P by …`. Rendered with the
   * theorem's binders only (what the proof added before it needs Lean).
   */
  stated?: { goal: string; from: GoalSource };
}

/** A tactic on the line of the header whose goal it proves (`have h : P := by simp`): not a step of its own. */
export interface InlineTactic {
  /** 1-based line. */
  line: number;
  /** Index of the step whose text holds it. */
  step: number;
  /** The proof so far, ending with the header up to its `by`. */
  before: string[];
  tactic: string;
  goal: string;
  from: GoalSource;
}

export interface TacticProof {
  name: string;
  keyword: string;
  /** 1-based line of the declaration's keyword. */
  line: number;
  /** From the keyword to before `:=`, comments removed: `theorem foo (n : ℕ) : n + 0 = n`. */
  statement: string;
  /** The goal before the first tactic, from the binders; undefined where it cannot be read from the text. */
  goal: string | undefined;
  steps: TacticStep[];
  /** Tactics after `by` on a header's line whose goal the header states. */
  inline: InlineTactic[];
  /** The whole proof as the prompts show it (every step's `before` plus the last tactic), comments removed. */
  text: string;
  /** The proof mentions `sorry` or `admit`: it is not a proof, so its steps are not examples. */
  incomplete: boolean;
  /**
   * A term-mode proof (`:= calc …`, `:= have … := by …`): no steps, only the `by` blocks whose goal the text states
   * (termBlocks.ts), as `inline` tactics with no proof so far. Listed only when it has such blocks.
   */
  termMode: boolean;
}

const placeholder = /(?<![\p{L}\p{N}_'.])(?:sorry|admit)(?![\p{L}\p{N}_'!?])/u;
// Clauses that end a declaration's tactic block although they may be indented like a tactic.
const blockEnders = /^(?:termination_by|decreasing_by|where)(?![\p{L}\p{N}_'!?])/u;

/**
 * Every tactic proof (`:= by`) of the declarations with one of `keywords`, in file order, and the term-mode proofs
 * among them that hold `by` blocks with stated goals.
 */
export function tacticProofs(text: string, keywords: ReadonlySet<string>): TacticProof[] {
  const src = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const mask = scanLean(src);
  const starts = lineStarts(src);
  const proofs: TacticProof[] = [];
  for (const decl of topLevelCommands(src, mask)) {
    if (!keywords.has(decl.keyword)) continue;
    const by = proofBy(src, mask, decl);
    const termAssign = by === undefined ? termProofAssign(src, mask, decl) : undefined;
    if (by === undefined && termAssign === undefined) continue;
    const assign =
      by === undefined
        ? (termAssign as number)
        : codeOf(src, mask, decl.keywordStart, by).lastIndexOf(':=') + decl.keywordStart;
    const statement = cleanLines(codeText(src, mask, decl.keywordStart, assign).split('\n')).join('\n');
    const render = (g: StatedGoal) => renderBlockGoal(statement, decl.keyword, decl.name, g.binders, g.conclusion);
    const declaration = {
      name: decl.name,
      keyword: decl.keyword,
      line: lineOf(starts, decl.keywordStart) + 1,
      statement,
      goal: renderGoal(statement, decl.keyword, decl.name),
    };
    if (by === undefined) {
      const inline = termBlocks(src, mask, starts, decl, assign).flatMap((b) => {
        const goal = render(b.goal);
        return goal === undefined
          ? []
          : [{ line: b.line, step: 0, before: [], tactic: b.tactic, goal, from: b.goal.from }];
      });
      if (inline.length === 0) continue;
      proofs.push({
        ...declaration,
        steps: [],
        inline,
        text: inline.map((t) => t.tactic).join('\n'),
        incomplete: placeholder.test(codeOf(src, mask, assign, decl.end)),
        termMode: true,
      });
      continue;
    }
    const cut = steps(src, mask, starts, decl, by, render);
    proofs.push({
      ...declaration,
      steps: cut.steps,
      inline: cut.inline,
      text: cut.text,
      incomplete: placeholder.test(codeOf(src, mask, by, decl.end)),
      termMode: false,
    });
  }
  return proofs;
}

function steps(
  src: string,
  mask: Uint8Array,
  starts: readonly number[],
  decl: Command,
  by: number,
  render: (g: StatedGoal) => string | undefined,
): { steps: TacticStep[]; inline: InlineTactic[]; text: string } {
  const byLine = lineOf(starts, by);
  const lastLine = lineOf(starts, Math.max(by, decl.end - 1));
  // Each line's text without comments, computed once: long proofs ask for the same lines many times.
  const cache = new Map<number, string>();
  const text = (line: number, from = starts[line] ?? 0) => {
    const key = from === (starts[line] ?? 0) ? line : -1 - from;
    let t = cache.get(key);
    if (t === undefined) {
      t = codeText(src, mask, from, lineEnd(src, starts, line));
      cache.set(key, t);
    }
    return t;
  };
  // Where code starts on a line: comments and literals blanked but kept in place, so indices are offsets.
  const firstCode = (line: number, from = starts[line] ?? 0) =>
    codeOf(src, mask, from, lineEnd(src, starts, line)).search(/\S/);
  // For each line of the proof: a tactic start, a continuation of the tactic starting on `owner`, or blank.
  const found: Start[] = [];
  const owner: number[] = [];
  const placements = placeEveryLine(src, mask, starts, by, lastLine);
  let end = lastLine + 1;
  const afterBy = firstCode(byLine, by + 2);
  if (afterBy >= 0) {
    const at = afterBy + by + 2;
    found.push({ line: byLine, offset: at, col: at - (starts[byLine] ?? 0) });
  }
  for (let line = byLine + 1; line <= lastLine; line++) {
    const placement = placements[line];
    const first = firstCode(line);
    if (first < 0 || placement === 'blank' || placement === undefined) continue;
    const code = src.slice((starts[line] ?? 0) + first, lineEnd(src, starts, line));
    if (placement === 'outside' || placement === 'byLine' || blockEnders.test(code.slice(first))) {
      end = line;
      break;
    }
    if (placement.line === line) found.push({ line, offset: (starts[line] ?? 0) + first, col: first });
    else owner[line] = placement.line;
  }
  const base = found.find((s) => s.line !== byLine)?.col ?? found[0]?.col ?? 0;
  // Each earlier tactic keeps its indentation relative to the main block, so nesting stays visible in the prefix.
  const chunks = found.map((s, k) => {
    const lines = linesOf(s, found[k + 1]?.line ?? end, base);
    const indent = s.line === byLine ? 0 : Math.max(0, s.col - base);
    return lines.map((l, i) => (i === 0 ? ' '.repeat(indent) + l : l)).join('\n');
  });
  const startAt = new Map(found.map((s) => [s.line, s]));
  const all = found.map((s, k) => {
    // The tactic goes on until a line starts a tactic at its column or left of it, or continues an outer tactic.
    let stop = end;
    for (let line = s.line + 1; line < end; line++) {
      const next = startAt.get(line);
      const outer = owner[line] !== undefined && (owner[line] ?? 0) < s.line;
      if ((next && next.col <= s.col) || outer) {
        stop = line;
        break;
      }
    }
    return {
      line: s.line + 1,
      before: chunks.slice(0, k).filter((c) => c !== ''),
      tactic: linesOf(s, stop, s.col).join('\n'),
    } as TacticStep;
  });
  const facts = statedGoals(found, owner, end, (line) =>
    startAt.get(line) ? text(line, startAt.get(line)?.offset) : text(line),
  );
  const inline: InlineTactic[] = [];
  for (const [k, g] of facts.goals) {
    const goal = k > 0 ? render(g) : undefined;
    const step = all[k];
    if (goal !== undefined && step) step.stated = { goal, from: g.from };
  }
  for (const f of facts.inline) {
    const goal = render(f.goal);
    const s = found[f.step] as Start;
    const lines = linesOf(s, f.line + 1, base);
    const last = (lines.at(-1) ?? '').trimEnd();
    if (goal === undefined || !last.endsWith(f.tactic)) continue;
    lines[lines.length - 1] = last.slice(0, last.length - f.tactic.length).trimEnd();
    const indent = s.line === byLine ? 0 : Math.max(0, s.col - base);
    const own = lines.map((l, i) => (i === 0 ? ' '.repeat(indent) + l : l)).join('\n');
    const before = [...chunks.slice(0, f.step).filter((c) => c !== ''), own];
    inline.push({ line: f.line + 1, step: f.step, before, tactic: f.tactic, goal, from: f.goal.from });
  }
  return { steps: all, inline, text: chunks.filter((c) => c !== '').join('\n') };

  /** Lines `s.line` to `upTo` (exclusive), the first from the tactic's start, the rest dedented by up to `dedent`. */
  function linesOf(s: Start, upTo: number, dedent: number): string[] {
    const out = [text(s.line, s.offset)];
    for (let line = s.line + 1; line < upTo; line++) {
      const t = text(line);
      const indent = t.length - t.trimStart().length;
      out.push(t.slice(Math.min(indent, dedent)));
    }
    return cleanLines(out);
  }
}

/** Lines with trailing blanks removed and empty lines dropped (what is left of comment-only lines). */
function cleanLines(lines: readonly string[]): string[] {
  return lines.map((l) => l.trimEnd()).filter((l) => l !== '');
}

/**
 * The goals a tactic proof's headers state, found in one pass over its lines: which steps they belong to and which
 * tactics sit after a header's `by` on its own line. The headers themselves are read by blockGoals.ts; this file knows
 * the layout of steps (the starts tacticProofs.ts finds, and which start owns each continuation line).
 */
import {
  assignsBy,
  calcStep,
  endsWithBy,
  haveGoal,
  inlineTactic,
  type StatedGoal,
  showGoal,
  stripBullet,
  sufficesGoal,
} from './blockGoals';

/** Where a tactic step starts (tacticProofs.ts finds them; the walk here assigns every line to one). */
export interface Start {
  line: number;
  /** Offset where the tactic's text begins. */
  offset: number;
  /** Column (UTF-16 units from the line start) of that offset; the block's indentation. */
  col: number;
}

export interface StatedFacts {
  /** Goals stated for steps, by index into the starts. */
  goals: Map<number, StatedGoal>;
  /** Tactics after a header's `by` on its own line (0-based line, the step whose text holds it). */
  inline: { line: number; step: number; tactic: string; goal: StatedGoal }[];
}

/** The longest header (`have` with its binders and type) read across lines. */
const maxHeaderLines = 8;

/**
 * One pass over a proof's lines (0-based, `code(line)` without comments, a start's line from the tactic's start)
 * collecting the goals that headers state: the first tactic of a `have`/`calc` step/`show … by` block (the next
 * start, when it is nested deeper than the header), the step after `show P` or `suffices h : P …` at the same
 * column, and tactics written after a header's `by` on its line.
 */
export function statedGoals(
  found: readonly Start[],
  owner: readonly number[],
  end: number,
  code: (line: number) => string,
): StatedFacts {
  const goals = new Map<number, StatedGoal>();
  const inline: StatedFacts['inline'] = [];
  const startIndex = new Map(found.map((s, k) => [s.line, k]));
  const calcRhs = new Map<number, string | undefined>();
  const claim = (k: number, g: StatedGoal) => {
    if (k < found.length && !goals.has(k)) goals.set(k, g);
  };
  // The next start after step k nested deeper than column `col`: the first tactic of a block the header opened.
  const nested = (k: number, col: number, g: StatedGoal) => {
    if ((found[k + 1]?.col ?? -1) > col) claim(k + 1, g);
  };
  // The next start after step k at column `col`, past anything nested deeper: where the goal is then `g`.
  const following = (k: number, col: number, g: StatedGoal) => {
    for (let j = k + 1; j < found.length; j++) {
      const c = (found[j] as Start).col;
      if (c < col) return;
      if (c === col) return claim(j, g);
    }
  };
  let k = -1;
  for (let line = found[0]?.line ?? end; line < end; line++) {
    k = startIndex.get(line) ?? k;
    const ownLine = startIndex.has(line) ? line : owner[line];
    if (k < 0 || ownLine === undefined) continue;
    const s = found[startIndex.get(ownLine) as number] as Start;
    const own = startIndex.get(ownLine) as number;
    const here = code(line).trim();
    if (here === '') continue;
    // A bullet's construct sits one bullet further in than the bullet itself.
    const col = line === s.line ? s.col + (here.length - stripBullet(here).length) : s.col;
    const bare = stripBullet(here);
    if (/^calc(?![\p{L}\p{N}_'])/u.test(bare) || (calcRhs.has(ownLine) && bare.startsWith('_'))) {
      const step = calcStep(bare, calcRhs.get(ownLine));
      if (step) {
        calcRhs.set(ownLine, step.rhs);
        if (step.goal) opened(step.goal, here, line, col);
      }
      continue;
    }
    if (line - s.line >= maxHeaderLines) continue;
    const header = Array.from({ length: line - s.line + 1 }, (_, i) => code(s.line + i).trim()).join(' ');
    const have = haveGoal(header);
    if (have) {
      opened(have, header, line, col);
      continue;
    }
    const show = showGoal(header);
    if (show?.closes) opened(show, header, line, col, false);
    else if (show && startIndex.has(line + 1)) following(own, col, show);
    const suffices = sufficesGoal(header);
    if (suffices) following(own, col, suffices);
  }
  return { goals, inline };

  /** A header that proves `g` with `by`: its block's first tactic or the tactic on its line. */
  function opened(g: StatedGoal, header: string, line: number, col: number, needsAssign = true): void {
    const ok = (h: string) => !needsAssign || assignsBy(h);
    if (endsWithBy(header) && ok(header)) nested(k, col, g);
    else {
      const t = inlineTactic(header);
      if (t && ok(t.header)) inline.push({ line, step: k, tactic: t.tactic, goal: g });
    }
  }
}

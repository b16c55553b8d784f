/**
 * Positions in source text, in the two conventions this subsystem translates between: LSP (0-based line, character in
 * UTF-16 code units) and the Lean REPL (1-based line, column in Unicode code points: Lean's own server turns a
 * message's column into LSP with `codepointPosToUtf16Pos`, and the recorded REPL answers count `◾` as one column, not
 * three bytes). The two agree on ASCII and on the BMP symbols Lean is full of (ℕ, ⊢, →); they differ on astral
 * characters (𝓝 is one code point and two UTF-16 units).
 */

/** An LSP position: 0-based line, UTF-16 character. */
export interface DocPosition {
  line: number;
  character: number;
}

/** Offsets at which each line starts. Lines end at `\n` only; callers normalise `\r\n` first. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** End of line `line` (the index of its `\n`, or the text's length). */
export function lineEnd(text: string, starts: readonly number[], line: number): number {
  const next = starts[line + 1];
  return next === undefined ? text.length : next - 1;
}

/** The offset of an LSP position, clamped to the text (a character past the line's end means its end). */
export function offsetAt(text: string, starts: readonly number[], pos: DocPosition): number {
  if (pos.line < 0) return 0;
  const start = starts[pos.line];
  if (start === undefined) return text.length;
  return Math.min(start + Math.max(0, pos.character), lineEnd(text, starts, pos.line));
}

/** The LSP line holding `offset` (binary search over the line starts). */
export function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** How many code points the first `units` UTF-16 units of `line` hold (a split surrogate pair counts as one). */
export function codePointsIn(line: string, units: number): number {
  let count = 0;
  for (let i = 0; i < units && i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
    count++;
  }
  return count + Math.max(0, units - line.length);
}

/** How many UTF-16 units the first `points` code points of `line` take; columns past the end count one unit each. */
export function utf16UnitsOf(line: string, points: number): number {
  let units = 0;
  let seen = 0;
  while (seen < points && units < line.length) {
    const c = line.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    seen++;
  }
  return units + (points - seen);
}

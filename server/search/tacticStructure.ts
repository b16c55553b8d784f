/**
 * Where a candidate's tactics start, read from its tokens the way Lean's parser decides it, so that every tactic in
 * it, however nested, is checked against the allow-list (tacticAllowList.ts). Lean expects a tactic at the start of a
 * candidate, at every line that starts at the column of an open tactic block, after `;` and `<;>`, after `by`, a
 * bullet `·`, a tactic `(`, `=>` of `case`/`next`/`conv`/`on_goal` and of `induction … with` alternatives, a
 * `first` alternative's `|`, `then`/`else` of a tactic `if`, `says`, `open … in`, a combinator such as `try`, and
 * inside a tactic-valued option (`simp (disch := …)`). Everything else is a term.
 *
 * Where the reading is unsure, it assumes a tactic (a `=>` nothing explains, a `;` inside a term), so a mistake here
 * refuses a candidate rather than lets an unlisted tactic through. It also requires brackets to balance: a stray `)`
 * in a proof written back into the file could close a bracket of the user's and change what the rest means.
 */
import { allowedTactics, nativeTactic, type TacticShape, tacticOptions } from './tacticAllowList';
import { closers, closing, matchingClose, screenConfiguration } from './tacticConfiguration';
import type { Token } from './tacticTokens';

type Mode = 'tactic' | 'term';

interface Frame {
  readonly kind: 'block' | 'bracket' | 'alternatives';
  /** Blocks: the column of their tactics, known once the first arrives; alternatives: the column of their bars. */
  col: number | undefined;
  /** Brackets: the closing bracket and whether tactics (`(simp; ring)`) or a term are inside. */
  readonly closer?: string;
  readonly mode?: Mode;
  /** Brackets: a tactic option `(disch := …)`, after which more options may follow. */
  readonly option?: boolean;
  /** Alternatives: a bar is followed by a pattern and `=>` (`induction … with`) rather than a tactic (`first`). */
  readonly arrow?: boolean;
  /** What the next `=>` opens: a term after `fun`, a tactic block after `case`, `next`, `conv`, `on_goal`. */
  arrows: Mode[];
  /** Pending `if`s: their `then` and `else` open tactic blocks in a tactic `if`, terms in a term `if`. */
  ifs: Mode[];
  /** Pending `match`es (and `induction`, `cases`): their `with` opens alternatives of this mode. */
  matches: Mode[];
  /** After a term `match … with` or `fun |`, a bar starts a term alternative. */
  termAlternatives: boolean;
}

/** Keywords that go on the tactic before them, never start one: a line may start with them at a tactic's column. */
const continuationKeywords: ReadonlySet<string> = new Set(['using', 'at', 'with', 'generalizing', 'says', 'from']);

/**
 * After these tokens the tactic being read cannot end (a binary operator, `:=`, `:`), and after these tactics' own
 * names neither (`exact` with its term on the next line): Lean reads the next line on, at any column. Only tokens
 * after which a new tactic is impossible belong here: not `-` or `*` (`rintro x -`, `simp at *`), not `,`.
 */
const unfinished: ReadonlySet<string> = new Set([
  ':=',
  ':',
  '<|',
  '$',
  '|>.',
  '←',
  '→',
  '↔',
  '∧',
  '∨',
  '=',
  '≠',
  '≤',
  '<',
  '≥',
  '>',
  '+',
  '/',
  '•',
  '∘',
  '^',
]);
const unfinishedTactics: ReadonlySet<string> = new Set([
  'exact',
  'refine',
  "refine'",
  'apply',
  'show',
  'calc',
  'change',
  'use',
  'exists',
  'success_if_fail_with_msg',
]);

/** Term keywords that also read `name :=`: `(haveI := inst; e)` is a term, not a tactic option. */
const termBinders: ReadonlySet<string> = new Set(['have', 'haveI', 'let', 'letI', 'show', 'suffices']);

/**
 * Tactics whose patterns take `|` with no regard to columns (`obtain a | b := h`): until the pattern is closed by
 * `:=`, a following line's bar belongs to it for Lean, not to an alternative of an enclosing `induction`.
 */
const patternTactics: ReadonlySet<string> = new Set(['rcases', 'rcases?', 'obtain', 'rintro', 'ext', "cases'"]);

function frame(kind: Frame['kind'], extra: Partial<Frame> = {}): Frame {
  return { kind, col: undefined, arrows: [], ifs: [], matches: [], termAlternatives: false, ...extra };
}

/** Why the candidate's structure is refused, or undefined when every tactic in it is an allowed one. */
export function screenStructure(tokens: readonly Token[], allowNativeDecide: boolean): string | undefined {
  const stack: Frame[] = [frame('block', { col: 0 })];
  const top = () => stack[stack.length - 1] as Frame;
  /** The next token is at a tactic position. */
  let expect = true;
  /** Directly after a tactic's name, where its options (`(config := …)`, `+arith`) go. */
  let options = false;
  /** `iterate` may and `success_if_fail_with_msg` must take one argument before their tactics. */
  let pendingArg: 'number' | 'string' | undefined;
  /** Reading the names of `open … in`. */
  let openIn = false;
  /** Right after the `with` of `induction`, `cases` or a tactic `match`. */
  let afterWith = false;
  /** Where the last tactic's name is. */
  let tacticAt = -1;
  /** The last tactic started takes a pattern that may still go on (see `patternTactics`). */
  let patternOpen = false;

  const startBlock = () => {
    stack.push(frame('block'));
    expect = true;
  };
  const expectTactic = () => {
    if (top().kind !== 'block') stack.push(frame('block'));
    expect = true;
  };
  /** The column of the nearest block or alternatives below `index` whose column is known; brackets allow any. */
  const enclosingCol = (index: number): number => {
    for (let j = index - 1; j >= 0; j--) {
      const f = stack[j] as Frame;
      if (f.kind === 'bracket') return -1;
      if (f.col !== undefined) return f.col;
    }
    return -1;
  };

  /** A line's first token: blocks indented deeper than it end; at a block's own column a tactic starts. */
  const layout = (tok: Token, prev: Token): string | undefined => {
    // `simpa …` then a line `using h` at the same column: the keyword can only go on the tactic before it. After
    // `exact`, `:=` or an operator the tactic cannot end, so Lean reads the line on, whatever its column.
    const bareTactic = prev === tokens[tacticAt] && unfinishedTactics.has(prev.text);
    if (!expect && (continuationKeywords.has(tok.text) || unfinished.has(prev.text) || bareTactic)) return undefined;
    // No tactic starts with `_`: such a line is a `calc` step (`_ = c := by ring`) or an error, never a tactic.
    if (tok.text === '_') return undefined;
    for (;;) {
      const f = top();
      if (f.kind === 'bracket') return undefined;
      if (f.kind === 'alternatives') {
        if (afterWith) return undefined;
        if (tok.text === '|' && (f.col === undefined || tok.col >= f.col)) {
          // `obtain a` then a line `| b := h`: Lean's pattern parser takes the bar whatever its column.
          return patternOpen ? 'has a line starting with `|` after a pattern' : undefined;
        }
        stack.pop();
        continue;
      }
      if (f.col === undefined) {
        if (tok.col > enclosingCol(stack.length - 1)) {
          f.col = tok.col;
          expect = true;
          return undefined;
        }
        stack.pop();
        continue;
      }
      if (tok.col > f.col) return undefined;
      if (tok.col === f.col || stack.length === 1) {
        // A term `fun`/`match` at the end of the line before takes alternatives at any column.
        if (tok.text === '|' && f.termAlternatives) return undefined;
        expect = true;
        pendingArg = undefined;
        return undefined;
      }
      stack.pop();
    }
  };

  /**
   * A bar. Directly in an open alternatives frame (a line at the bars' column, or right after `with`) it starts the
   * next alternative. A bar further in is a `first` alternative if `first` is open (a tactic follows, pushed on top
   * of what is open: popping blocks would lose lines Lean still reads as tactics there), else part of a term or a
   * pattern (`rcases h with a | b`, a term `match`).
   */
  const bar = (tok: Token): string | undefined => {
    let j = stack.length - 1;
    while (j >= 0 && (stack[j] as Frame).kind === 'block') j--;
    const f = stack[j];
    if (f?.kind === 'alternatives' && (!f.arrow || j === stack.length - 1)) {
      if (f.col === undefined) f.col = tok.col;
      if (f.arrow) {
        f.arrows.push('tactic');
        expect = false;
      } else {
        startBlock();
      }
      return undefined;
    }
    if (expect) return 'has a `|` that starts no alternative';
    if (top().termAlternatives) top().arrows.push('term');
    return undefined;
  };

  /** A token where Lean expects a tactic. */
  const tacticStart = (tok: Token, k: number): string | undefined => {
    const f = top();
    if (f.kind === 'block' && f.col === undefined) f.col = tok.col;
    const text = tok.text;
    if (text === '·' || text === '.') {
      startBlock();
      return undefined;
    }
    if (text === '(' || text === '[' || text === '{') {
      stack.push(frame('bracket', { closer: closers[text], mode: 'tactic' }));
      startBlock();
      return undefined;
    }
    if (text === '|') return bar(tok);
    // A branch may be left as a hole (`| succ n ih => _`, `if h : p then ?_ else simp`).
    const branch = ['=>', 'then', 'else'].includes(tokens[k - 1]?.text ?? '');
    if (branch && (text === '_' || (text === '?' && tokens[k + 1]?.text === '_'))) {
      expect = false;
      return undefined;
    }
    if (text === ';' || text === '<;>') return undefined;
    if ((text === 'then' || text === 'else') && f.ifs.at(-1) === 'tactic') {
      if (text === 'else') f.ifs.pop();
      startBlock();
      return undefined;
    }
    if (tok.kind !== 'ident') return `has \`${text}\` where a tactic should start`;
    const shape: TacticShape | undefined =
      text === nativeTactic && allowNativeDecide ? 'plain' : allowedTactics.get(text);
    if (shape === undefined) return `uses \`${text}\`, which is not a tactic the screen allows`;
    Object.assign(f, { arrows: [], ifs: [], matches: [], termAlternatives: false });
    patternOpen = patternTactics.has(text);
    tacticAt = k;
    expect = false;
    options = shape === 'plain' || shape === 'arrow' || shape === 'withAlternatives';
    if (shape === 'seq') startBlock();
    else if (shape === 'seqAfterNumber') pendingArg = 'number';
    else if (shape === 'seqAfterString') pendingArg = 'string';
    else if (shape === 'arrow') f.arrows.push('tactic');
    else if (shape === 'alternatives') stack.push(frame('alternatives', { arrow: false }));
    else if (shape === 'withAlternatives') f.matches.push('tactic');
    else if (shape === 'openIn') openIn = true;
    else if (shape === 'if') f.ifs.push('tactic');
    return undefined;
  };

  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k] as Token;
    const text = tok.text;
    if (tok.lineStart && k > 0) {
      const problem = layout(tok, tokens[k - 1] as Token);
      if (problem) return problem;
    }
    if (afterWith) {
      afterWith = false;
      // `induction n with simp | zero => …`: a tactic for every alternative may come before the first bar.
      if (text !== '|') startBlock();
    }

    if (closing.has(text)) {
      let j = stack.length - 1;
      while (j >= 0 && (stack[j] as Frame).kind !== 'bracket') j--;
      const opener = stack[j];
      if (!opener) return `has an unmatched \`${text}\``;
      if (opener.closer !== text && !(opener.closer === '⟧' && text === "⟧'"))
        return `has \`${text}\` where \`${opener.closer}\` should close a bracket`;
      stack.length = j;
      expect = false;
      openIn = false;
      pendingArg = undefined;
      options = opener.option === true;
      continue;
    }

    if (pendingArg !== undefined) {
      const wanted = pendingArg;
      pendingArg = undefined;
      if (tok.kind === wanted) {
        startBlock();
        continue;
      }
      if (wanted === 'string') return 'has `success_if_fail_with_msg` without its message';
      startBlock();
    }

    if (expect) {
      const problem = tacticStart(tok, k);
      if (problem) return problem;
      continue;
    }

    if (openIn) {
      if (text === 'in') {
        openIn = false;
        expectTactic();
      } else if (tok.kind !== 'ident' || text === 'hiding' || text === 'renaming') {
        return 'uses `open` other than as `open … in` a tactic';
      }
      continue;
    }

    const wasOptions = options;
    options = false;
    if (text === ':=') patternOpen = false;
    const f = top();
    const optionName = tokens[k + 1]?.kind === 'ident' && !termBinders.has(tokens[k + 1]?.text ?? '');
    if (text === '(' && wasOptions && optionName && tokens[k + 2]?.text === ':=') {
      const name = (tokens[k + 1] as Token).text;
      if (tacticOptions.has(name)) {
        stack.push(frame('bracket', { closer: ')', mode: 'tactic', option: true }));
        startBlock();
        k += 2;
        continue;
      }
      const end = matchingClose(tokens, k);
      if (end < 0) return 'has an unclosed `(`';
      const problem = screenConfiguration(tokens.slice(k + 3, end));
      if (problem) return `has a configuration \`(${name} := …)\` that ${problem}`;
      k = end;
      options = true;
      continue;
    }
    if ((text === '+' || text === '-') && wasOptions && tok.next !== ' ' && tokens[k + 1]?.kind === 'ident') {
      k++;
      options = true;
      continue;
    }
    if (closers[text] !== undefined) {
      stack.push(frame('bracket', { closer: closers[text], mode: 'term' }));
      continue;
    }
    switch (text) {
      case 'tactic':
        // `aesop (add safe tactic foo)` runs the metaprogram `foo` by name; conv's `tactic => …` is at a tactic start.
        return 'names a metaprogram to run (`tactic`)';
      case 'open':
      case 'scoped':
        // Keywords of commands (`open Foo`, `scoped notation`); only `open … in` at a tactic's start is a tactic.
        return `uses the command keyword \`${text}\``;
      case 'by':
      case 'says':
        startBlock();
        break;
      case ';':
        // Inside a term's bracket a `;` separates a term `have`/`let` from its body (`(haveI := P; e)`); Lean reads
        // no tactic there. Anywhere else it ends a tactic.
        if (f.kind !== 'bracket' || f.mode !== 'term') expectTactic();
        break;
      case '<;>':
        expectTactic();
        break;
      case 'fun':
      case 'λ':
        if (tokens[k + 1]?.text === '|') f.termAlternatives = true;
        else f.arrows.push('term');
        break;
      case '=>':
        if (f.kind === 'alternatives' || (f.arrows.pop() ?? 'tactic') === 'tactic') startBlock();
        break;
      case '↦':
        if (f.arrows.at(-1) === 'term') f.arrows.pop();
        break;
      case 'match':
        f.matches.push('term');
        break;
      case 'with': {
        const mode = f.matches.pop();
        if (mode === 'tactic') {
          stack.push(frame('alternatives', { arrow: true }));
          afterWith = true;
        } else if (mode === 'term') {
          f.termAlternatives = true;
        }
        break;
      }
      case 'if':
        f.ifs.push('term');
        break;
      case 'then':
        if ((f.ifs.at(-1) ?? 'tactic') === 'tactic') startBlock();
        break;
      case 'else':
        if ((f.ifs.pop() ?? 'tactic') === 'tactic') startBlock();
        break;
      case '|': {
        const problem = bar(tok);
        if (problem) return problem;
        break;
      }
    }
  }
  const open = stack.find((f) => f.kind === 'bracket');
  if (open) return `has an unclosed bracket (\`${open.closer}\` missing)`;
  if (openIn) return 'uses `open` other than as `open … in` a tactic';
  return undefined;
}

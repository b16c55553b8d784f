/**
 * Screening of the model's tactics before Lean runs them. Model output is untrusted input: a candidate is run by the
 * prover and, once a proof is found, written back into the user's file, so it must not be able to prove by fiat
 * (`sorry`), switch off checking (`set_option debug.skipKernelTC`), run code (`#eval`, `run_tac`), trust compiled
 * code (`native_decide`, unless the user allows it), or change what the file means when the proof is written back
 * (a comment that swallows the rest of the line, a command keyword that ends the tactic block).
 *
 * The screen is deliberately conservative: it reads identifiers the way Lean's lexer does but splits them at least as
 * finely, so a forbidden word is found wherever Lean could see it, at the price of rejecting a few harmless oddities
 * (say, a hypothesis named `stop'`). It is not the last line of defence: a found proof is re-checked as a whole and
 * its axioms inspected.
 */

export type ScreenResult =
  | { readonly ok: true; readonly tactic: string }
  | { readonly ok: false; readonly reason: string };

export interface ScreenOptions {
  /** Allow `native_decide` and the axioms behind it (`Lean.ofReduceBool`, `Lean.ofReduceNat`, `Lean.trustCompiler`). */
  allowNativeDecide: boolean;
}

/** Longer candidates are not tactics a model writes for one step; they cost Lean time and bloat logs. */
export const maxTacticLength = 2000;
export const maxTacticLines = 30;

/** Words that prove anything, skip checking, run code or reach outside the proof. */
const unsafeWords = [
  'sorry',
  'admit',
  'stop',
  'sorryAx',
  'run_tac',
  'run_cmd',
  'run_elab',
  'run_meta',
  'by_elab',
  'IO',
  'unsafe',
  'implemented_by',
  'extern',
  'set_option',
  'dbg_trace',
] as const;

/**
 * Compiled evaluation: `native_decide` (and `decide +native`, whose option is the word `native`) trust the compiler,
 * which shows up as the axioms `Lean.ofReduceBool`/`Lean.ofReduceNat` and `Lean.trustCompiler`.
 */
export const nativeDecideWords = ['native_decide', 'native', 'ofReduceBool', 'ofReduceNat', 'trustCompiler'] as const;

/** Command keywords: in a tactic block written back into the file, each would end the block and start a command. */
const commandWords = [
  'theorem',
  'lemma',
  'def',
  'example',
  'instance',
  'axiom',
  'axioms',
  'opaque',
  'abbrev',
  'structure',
  'class',
  'inductive',
  'namespace',
  'section',
  'end',
  'import',
  'export',
  'macro',
  'macro_rules',
  'syntax',
  'declare_syntax_cat',
  'elab',
  'elab_rules',
  'attribute',
  'initialize',
  'builtin_initialize',
  'notation',
  'infix',
  'infixl',
  'infixr',
  'prefix',
  'postfix',
  'universe',
  'variable',
  'omit',
  'include',
  'mutual',
  'deriving',
  'irreducible_def',
  'alias',
] as const;

/**
 * Every identifier the screen refuses, for documentation. The `nativeDecideWords` are allowed when the user allows
 * `native_decide`; besides these, any `#` command (`#eval`, `#print`, `#exit`, …) is refused.
 */
export const forbiddenWords: readonly string[] = Object.freeze([...unsafeWords, ...nativeDecideWords, ...commandWords]);

const unsafeSet: ReadonlySet<string> = new Set(unsafeWords);
const nativeSet: ReadonlySet<string> = new Set(nativeDecideWords);
const commandSet: ReadonlySet<string> = new Set(commandWords);

/**
 * Characters Lean allows inside an identifier (`isIdRest` in Lean's parser: ASCII letters and digits, `_ ' ! ?`, the
 * Greek and letter-like ranges of `isLetterLike` and the subscripts), plus the `.` between name components. Treating
 * any other Unicode letter as part of an identifier would be unsafe: Lean does not (`λsorry` is `λ` then `sorry`).
 */
const identifierRun =
  /[A-Za-z0-9_'!?.\u03b1-\u03ba\u03bc-\u03c9\u0391-\u039f\u03a1\u03a2\u03a4-\u03a9\u03ca-\u03fb\u1f00-\u1ffe\u2100-\u214f\u2080-\u2089\u2090-\u209c\u1d62-\u1d6a\u{1d49c}-\u{1d59f}]+/gu;

/** Control characters other than the newline; `\t` and `\r` have their own reasons below. */
const controlChar = /(?!\n)\p{Cc}/u;

/** Invisible characters that could make `sorry` look like something else, plus lone surrogates and line separators. */
const invisibleChar = /[\p{Cf}\p{Cs}\u2028\u2029]/u;

export function screenTactic(raw: string, opts: ScreenOptions): ScreenResult {
  // Trimming keeps the relative indentation of later lines, which is what Lean reads a multi-line tactic by.
  const tactic = raw.trim();
  if (tactic === '') return reject('is empty');
  if (tactic.length > maxTacticLength) return reject(`is longer than ${maxTacticLength} characters`);
  if (tactic.split('\n').length > maxTacticLines) return reject(`has more than ${maxTacticLines} lines`);

  // Lean refuses tabs in source text, so a tab could only fail here or mislead the indentation the editor shows.
  if (tactic.includes('\t')) return reject('contains a tab');
  // A carriage return would make the lines Lean checked differ from the lines written back into the file.
  if (tactic.includes('\r')) return reject('contains a carriage return');
  const control = controlChar.exec(tactic);
  if (control) return reject(`contains the control character ${codePoint(control[0])}`);
  const invisible = invisibleChar.exec(tactic);
  if (invisible) return reject(`contains the invisible character ${codePoint(invisible[0])}`);

  // A comment opened in a candidate can swallow the rest of the line (or of the file) once the proof is written back,
  // and a stray `-/` can close a comment the user opened; either way the file would no longer mean what Lean checked.
  if (/--|\/-|-\//.test(tactic)) return reject('contains a comment');

  const hashCommand = /#[A-Za-z_][A-Za-z0-9_]*/.exec(tactic);
  if (hashCommand) return reject(`uses the command \`${hashCommand[0]}\``);

  // `«sorry»` is the identifier `sorry` written with escapes; a guillemet also ends an identifier, so a space is right.
  const unescaped = tactic.replace(/[«»]/g, ' ');
  for (const match of unescaped.matchAll(identifierRun)) {
    for (const word of components(match[0])) {
      if (unsafeSet.has(word)) return reject(`uses \`${word}\``);
      if (nativeSet.has(word) && !opts.allowNativeDecide)
        return reject(`uses \`${word}\` (native_decide is not allowed)`);
      if (commandSet.has(word)) return reject(`uses the command keyword \`${word}\``);
    }
  }
  return { ok: true, tactic };
}

/**
 * The name components of an identifier run, split more finely than Lean does: at `.`, and also at `' ! ?`, with
 * leading digits dropped (Lean reads `1sorry` as the number `1` then `sorry`). Finer splitting can only reject more.
 */
function components(run: string): string[] {
  return run
    .split(/[.'!?]/)
    .map((part) => part.replace(/^[0-9]+/, ''))
    .filter((part) => part !== '');
}

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function reject(reason: string): ScreenResult {
  return { ok: false, reason };
}

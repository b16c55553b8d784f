/**
 * Screening of the model's tactics before Lean runs them. Model output is untrusted input (a model server may be
 * someone else's, or answer something else than a model): a candidate is run by the prover and, once a proof is
 * found, written back into the user's file, so it must not be able to prove by fiat (`sorry`), switch off checking
 * (`set_option debug.skipKernelTC`), run code while Lean elaborates it (`#eval`, `run_tac`, `eval%`, `unsafeIO`,
 * a configuration that is a program), trust compiled code (`native_decide`, unless the user allows it), or change
 * what the file means when the proof is written back (a comment, a command, an unbalanced bracket).
 *
 * The screen is an allow-list: a deny-list loses to the first trick it did not list. A candidate is read with Lean's
 * lexer (tacticTokens.ts); every tactic in it, however nested, must be one of tacticAllowList.ts
 * (tacticStructure.ts finds where they start); and no name, elaborator, literal or letter anywhere in it may be one
 * that reaches Lean's metaprogramming or the operating system. Where the screen's reading could differ from Lean's,
 * it refuses, at the price of a few harmless oddities (a hypothesis named `stop'`, a `«»` name with spaces). It is
 * not the last line of defence: a found proof is re-checked as a whole and its axioms inspected.
 */
import { compfilesKeywords, commandWords as leanCommandWords } from '@llemma/prover-text/lean';
import { allowedPercentElaborators, forbiddenComponents, forbiddenFragments, leanNamespace } from './tacticAllowList';
import { screenStructure } from './tacticStructure';
import { isIdFirst, isIdRest, lexTactic, type Token } from './tacticTokens';

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
export const unsafeWords = [
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
  'do',
] as const;

/**
 * Compiled evaluation: `native_decide` (and `decide +native`, whose option is the word `native`) trust the compiler,
 * which shows up as the axioms `Lean.ofReduceBool`/`Lean.ofReduceNat` and `Lean.trustCompiler`; Lean evaluates
 * `Lean.reduceBool c` and `Lean.reduceNat c` by running `c` compiled.
 */
export const nativeDecideWords = [
  'native_decide',
  'native',
  'ofReduceBool',
  'ofReduceNat',
  'trustCompiler',
  'reduceBool',
  'reduceNat',
] as const;

/**
 * Command keywords and declaration modifiers: in a tactic block written back into the file, each would end the block
 * and start a command. Lean needs no newline before a command, so they are refused anywhere, not only at a line's
 * start. They are Lean's command vocabulary (`commandWords` of @llemma/prover-text), less the words refused for
 * their own reasons: `open` and `scoped` (`open Real in tac` is a tactic; tacticStructure.ts allows only that form),
 * the `unsafeWords` above, and compfiles' `problem` and `determine`, ordinary names outside that project. Plus the
 * screen's own: `deriving` (a command as `deriving instance`), Lean 3's `axioms`, and the clauses that end a
 * declaration's proof (`termination_by`, `decreasing_by`, `where`).
 */
const commandWords: readonly string[] = [
  ...[...leanCommandWords].filter(
    (w) =>
      w !== 'open' && w !== 'scoped' && !compfilesKeywords.has(w) && !(unsafeWords as readonly string[]).includes(w),
  ),
  'axioms',
  'deriving',
  'termination_by',
  'decreasing_by',
  'where',
];

/**
 * Every word the screen refuses wherever it occurs, for documentation and tests. The `nativeDecideWords` are allowed
 * when the user allows `native_decide`. Besides these: any `#` command, any `name%` elaborator but
 * `allowedPercentElaborators`, the `forbiddenComponents` and `forbiddenFragments` of tacticAllowList.ts, and any tactic
 * not on its allow-list.
 */
export const forbiddenWords: readonly string[] = Object.freeze([...unsafeWords, ...nativeDecideWords, ...commandWords]);

const unsafeSet: ReadonlySet<string> = new Set(unsafeWords);
const nativeSet: ReadonlySet<string> = new Set(nativeDecideWords);
const commandSet: ReadonlySet<string> = new Set(commandWords);

/** Names written in text (after NFKC, or in a string), with a `#` before or a `%` after them. */
const namePattern = /(?<![.\w])(#?)([A-Za-z_][A-Za-z0-9_'!?]*(?:\.[A-Za-z_][A-Za-z0-9_'!?]*)*)(%?)/g;

/** Control characters other than the newline; `\t` and `\r` have their own reasons below. */
const controlChar = /(?!\n)\p{Cc}/u;

/** Invisible characters that could make `sorry` look like something else, plus lone surrogates and line separators. */
const invisibleChar = /[\p{Cf}\p{Cs}\u2028\u2029]/u;

/**
 * Letters and digits Lean does not read as part of a name, which could pass for ones it does: Cyrillic `е` for `e`,
 * full-width `ｅ`, `＃` and `％`, digits of other scripts. The letters Mathlib uses as notation are spared:
 * modifier letters (`sᶜ`, `Aᵀ`, `αᵐᵒᵖ`), Σ Π λ (Lean's own binders), mathematical alphanumerics (`𝐞`, `𝖣`) and
 * Canadian syllabics `ᗮ` and `ᘁ` (`Kᗮ`, `ᘁ`).
 */
const letterOrDigit = /[\p{L}\p{Nd}]/u;
const notationLetter = /[\p{Lm}\u03a3\u03a0\u03bb\u15ee\u1601\u{1d400}-\u{1d7ff}]/u;
const fullWidth = /[\uff00-\uffef\ufe50-\ufe6f]/u;

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

  const lookAlike = lookAlikeChar(tactic);
  if (lookAlike) return reject(`contains ${lookAlike}`);

  const lexed = lexTactic(tactic);
  if ('problem' in lexed) return reject(lexed.problem);
  const problem = screenTokens(lexed.tokens, opts) ?? screenNormalized(tactic, opts);
  if (problem) return reject(problem);
  const structure = screenStructure(lexed.tokens, opts.allowNativeDecide);
  if (structure) return reject(structure);
  return { ok: true, tactic };
}

function lookAlikeChar(text: string): string | undefined {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) continue;
    if (fullWidth.test(ch)) return `the full-width look-alike ${codePoint(ch)}`;
    if (letterOrDigit.test(ch) && !isIdRest(cp) && !notationLetter.test(ch))
      return `the letter ${codePoint(ch)}, which Lean does not read as part of a name (a look-alike?)`;
  }
  return undefined;
}

/**
 * The same word checks on the text's compatibility normal form (NFKC), so that a spelling which only looks like a
 * forbidden word to a reader (superscript `ᵘⁿˢᵃᶠᵉ`, a small `﹟`) is refused too. Lean does not normalise, so this
 * only ever refuses more.
 */
function screenNormalized(text: string, opts: ScreenOptions): string | undefined {
  const normal = text.normalize('NFKC');
  if (normal === text) return undefined;
  // Normalising can make symbols that lex differently (`⁻¹'` becomes `-1'`), so names are found by pattern here, in
  // literals too; that can only refuse more.
  for (const match of normal.matchAll(namePattern)) {
    const [, hash, name = '', percent] = match;
    if (hash) return `uses the command \`#${name}\` once Unicode compatibility forms are normalised`;
    const parts = name.split('.');
    const problem = screenName(parts, opts);
    if (problem) return `${problem} once Unicode compatibility forms are normalised`;
    if (percent && !allowedPercentElaborators.has(name)) return `uses the term elaborator \`${name}%\``;
  }
  return undefined;
}

/** Checks of single tokens, wherever they are: names, `#` commands, `name%` elaborators, literals, quotations. */
function screenTokens(tokens: readonly Token[], opts: ScreenOptions): string | undefined {
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k] as Token;
    if (tok.kind === 'ident') {
      // After a `.` glued to a term, a name is a field (`(basis A b).end`), never a keyword.
      const dot = tokens[k - 1];
      const field = dot?.text === '.' && dot.next === tok.text[0] && tokens[k - 2]?.next === '.';
      const problem = screenName(tok.parts, opts, field);
      if (problem) return problem;
      if (tok.next === '%' && !(tok.parts.length === 1 && allowedPercentElaborators.has(tok.text)))
        return `uses the term elaborator \`${tok.text}%\``;
    } else if (tok.kind === 'string') {
      // `s!"{e}"` runs `e`; a plain string needs no braces, so none are allowed. A string is only text unless
      // something evaluates it, and the screen refuses whatever could; still, one that spells code is refused too.
      if (/[{}]/.test(tok.value)) return 'has `{` or `}` in a string literal';
      const spelled = spelledCode(tok.value, opts);
      if (spelled) return `has a string literal that spells \`${spelled}\``;
    } else if (tok.text === '#') {
      const next = tokens[k + 1];
      if (tok.next !== '' && isIdFirst(tok.next.codePointAt(0) ?? 0) && next)
        return `uses the command \`#${next.text}\``;
    } else if (tok.text === '`') {
      return 'uses a quotation or name literal (metaprogramming)';
    } else if (tok.text === '@[') {
      return 'uses an attribute `@[…]`';
    }
  }
  return undefined;
}

/** A `#` command or a name the screen refuses, written in text; command keywords are English words and pass. */
function spelledCode(text: string, opts: ScreenOptions): string | undefined {
  for (const match of text.matchAll(namePattern)) {
    const [whole, hash, name = ''] = match;
    if (hash) return whole;
    if (screenName(name.split('.'), opts, true)) return name;
  }
  return undefined;
}

function screenName(parts: readonly string[], opts: ScreenOptions, field = false): string | undefined {
  const name = parts.join('.');
  // A keyword is a keyword only as a whole token: `IsRoot.def` is a lemma's name for Lean, `def` a command.
  const first = parts[0] ?? '';
  if (parts.length === 1 && !field && commandSet.has(first)) return `uses the command keyword \`${first}\``;
  for (const part of parts) {
    for (const word of words(part)) {
      if (unsafeSet.has(word)) return `uses \`${word}\``;
      if (nativeSet.has(word) && !opts.allowNativeDecide) return `uses \`${word}\` (native_decide is not allowed)`;
    }
    const lower = part.toLowerCase();
    if (forbiddenComponents.has(part.replace(/[!?']+$/, '')) || forbiddenFragments.some((p) => lower.includes(p)))
      return `uses \`${name}\` (\`${part}\` reaches metaprogramming or the operating system)`;
  }
  const native = parts.length === 2 && nativeSet.has(parts[1] ?? '');
  if (parts.includes(leanNamespace) && !native) return `uses \`${name}\` (Lean's implementation)`;
  return undefined;
}

/**
 * The words of a name component, split more finely than Lean does: at `' ! ?` too, with leading digits dropped
 * (`«1sorry»`). Finer splitting can only refuse more.
 */
function words(part: string): string[] {
  return part
    .split(/[.'!?]/)
    .map((w) => w.replace(/^[0-9]+/, ''))
    .filter((w) => w !== '');
}

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function reject(reason: string): ScreenResult {
  return { ok: false, reason };
}

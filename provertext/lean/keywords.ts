/**
 * Lean's command vocabulary, spelled once: the words that begin a command at column 0. The source reader
 * (leanSource.ts) splits a file into commands with them, the tactic screen (server/search/tacticFilter.ts) refuses
 * them in model output because each would end a tactic block written back into the file, and ghost text is not
 * offered on a line that begins with one (tacticInsertion.ts). Tactic-level words (`by`, `case … =>`, `·`) belong to
 * tacticBlocks.ts, which reads tactic blocks.
 */

/** Keywords that open a declaration of Lean or Mathlib (something with a statement and, maybe, a proof). */
const leanDeclarationKeywords = [
  'theorem',
  'lemma',
  'def',
  'example',
  'instance',
  'abbrev',
  'opaque',
  'axiom',
  'structure',
  'class',
  'inductive',
  'coinductive',
  'irreducible_def',
  'alias',
] as const;

/**
 * compfiles' problem statements (`problem imo_1959_p1 … := by`, `determine answer : ℕ := …`): declarations in that
 * project, ordinary names anywhere else.
 */
export const compfilesKeywords: ReadonlySet<string> = new Set(['problem', 'determine']);

/** Keywords that open a declaration: Lean's and Mathlib's, and compfiles'. */
export const declarationKeywords: ReadonlySet<string> = new Set([...leanDeclarationKeywords, ...compfilesKeywords]);

/** Words that may precede a declaration's keyword (`private theorem`, `noncomputable def`, `scoped instance`). */
export const declarationModifiers: ReadonlySet<string> = new Set([
  'private',
  'protected',
  'public',
  'noncomputable',
  'nonrec',
  'unsafe',
  'partial',
  'scoped',
  'local',
  'meta',
]);

/** Other commands of Lean, Batteries and Mathlib; at column 0 each one ends the declaration before it. */
export const otherCommandKeywords: ReadonlySet<string> = new Set(
  (
    'end namespace section open variable variables universe universes set_option import export notation notation3 ' +
    'infix infixl infixr prefix postfix macro macro_rules syntax elab elab_rules declare_syntax_cat initialize ' +
    'builtin_initialize attribute mutual add_decl_doc library_note assert_not_exists include omit compile_inductive ' +
    'run_cmd suppress_compilation seal unseal register_simp_attr module prelude proof_wanted ' +
    'initialize_simps_projections register_option register_builtin_option register_label_attr declare_config_elab ' +
    'declare_simp_like_tactic mk_iff_of_inductive_prop'
  ).split(' '),
);

/** Commands that may prefix the next one with `… in` (`open Real in`, `set_option maxHeartbeats 0 in`). */
export const inPrefixCommands: ReadonlySet<string> = new Set([
  'open',
  'set_option',
  'variable',
  'include',
  'omit',
  'attribute',
]);

/** Every word above: a line that begins with one of them begins a command (or a declaration), not a tactic. */
export const commandWords: ReadonlySet<string> = new Set([
  ...declarationKeywords,
  ...declarationModifiers,
  ...otherCommandKeywords,
]);

// Isabelle's outer-syntax vocabulary that the server and the tools need, spelled once.

/** Commands that state a goal at the theory level; a proof follows. */
export const statementKeywords = ['lemma', 'theorem', 'corollary', 'proposition', 'schematic_goal'] as const;

/** Commands that start a proof or a proof step right after a statement (the statement ends before the first one). */
export const proofStartKeywords = [
  'apply',
  'by',
  'proof',
  'using',
  'unfolding',
  'including',
  'supply',
  'done',
  'sorry',
  'oops',
  '.',
  '..',
] as const;

/** Commands that give up on a proof: a theory holding one in code proves nothing by it. */
export const unfinishedProofKeywords = ['sorry', 'oops'] as const;

/**
 * Theory-level commands that cannot occur inside a proof: the first one after a statement ends that statement's
 * proof. Diagnostic commands (`thm`, `term`, `value`, …) are left out: they are allowed inside proofs too.
 */
export const theoryLevelKeywords = [
  ...statementKeywords,
  'end',
  'definition',
  'abbreviation',
  'fun',
  'function',
  'primrec',
  'datatype',
  'codatatype',
  'record',
  'type_synonym',
  'typedef',
  'inductive',
  'inductive_set',
  'coinductive',
  'lemmas',
  'declare',
  'locale',
  'context',
  'section',
  'subsection',
  'subsubsection',
  'chapter',
  'notation',
  'no_notation',
  'consts',
  'axiomatization',
  'instantiation',
  'instance',
  'class',
  'interpretation',
  'sublocale',
  'ML',
  'ML_file',
  'setup',
  'hide_const',
  'hide_fact',
  'named_theorems',
  'termination',
] as const;

/**
 * The decision procedures tried on a goal before any model (Draft, Sketch, and Prove's checker, in its order), each
 * as a step that closes the goal it is run on.
 */
export const decisionProcedures = [
  'by auto',
  'by simp',
  'by blast',
  'by fastforce',
  'by force',
  'by eval',
  'by presburger',
  'by sos',
  'by arith',
  'by linarith',
  'by (auto simp: field_simps)',
] as const;

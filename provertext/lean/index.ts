// Lean 4 source read without Lean: pure functions over the text of a file, shared by the language server (goal
// queries, proof search, `llemma prove`) and the training workspace (tactic steps cut where the server probes goals).
// Callers import from here; nothing in this folder talks to a REPL or knows of LSP.

export { renderBlockGoal, renderGoal } from './binders';
export {
  calcStep,
  type GoalSource,
  haveGoal,
  inlineTactic,
  type StatedGoal,
  showGoal,
  sufficesGoal,
} from './blockGoals';
export { exampleKeywords, fileExamples, type GoalExample } from './fileExamples';
export { type GoalPlan, type GoalQueryFailure, isWordAt, planGoalQuery, probeTactic, proofBy } from './goalProbe';
export {
  commandWords,
  compfilesKeywords,
  declarationKeywords,
  declarationModifiers,
  inPrefixCommands,
  otherCommandKeywords,
} from './keywords';
export {
  CODE,
  COMMENT,
  type Command,
  closingBracket,
  codeOf,
  declarationAt,
  LITERAL,
  scanLean,
  skipSpaceAndComments,
  splitHeader,
  topLevelCommands,
} from './leanSource';
export { type ProofContextText, proofContextOf } from './proofContext';
export { fillHoles, holeCommand, holeNames, isHoleAxiom } from './sorryHoles';
export { type DeclarationSorries, declarationSorries, type SorrySite, sorrySites } from './sorrySites';
export {
  codePointsIn,
  type DocPosition,
  lineEnd,
  lineOf,
  lineStarts,
  offsetAt,
  utf16UnitsOf,
} from './sourcePosition';
export {
  indentOfLine,
  type LinePlacement,
  type ProbeContext,
  type ProbePlacement,
  placeEveryLine,
  placeProbe,
} from './tacticBlocks';
export {
  cursorInsertion,
  insertionEdit,
  mayBeginTactic,
  proofEdit,
  proofText,
  type TacticEdit,
  type TacticInsertion,
  tacticInsertion,
} from './tacticInsertion';
export { type InlineTactic, type TacticProof, type TacticStep, tacticProofs } from './tacticProofs';

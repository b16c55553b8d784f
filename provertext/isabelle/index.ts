// Isabelle theory text read without Isabelle: pure functions over a theory's text and Isabelle's printed states,
// shared by the language server (goal questions, proof checks) and the tools. Nothing here talks to a server.

export {
  type DocPosition,
  type IsabelleGoalFailure,
  type IsabelleGoalPlan,
  offsetOf,
  planIsabelleGoal,
  proofText,
  proofTheory,
  type QuestionTheory,
  questionTheory,
  renamedHeader,
  sledgehammerCommand,
  stripProofs,
  unfinishedProofs,
} from './goalPlan';
export {
  decisionProcedures,
  proofStartKeywords,
  statementKeywords,
  theoryLevelKeywords,
  unfinishedProofKeywords,
} from './keywords';
export { goalsInError, type ProofStateText, parseProofState, renderGoals, tryThisSteps } from './proofState';
export {
  cursorInsertion,
  lineInsertion,
  mayBeginStep,
  positionAt,
  type StatementSorries,
  type StepInsertion,
  sorrySites,
  statementSorries,
  stepEdit,
} from './stepInsertion';
export {
  codeMask,
  codeWords,
  renameTheory,
  type Statement,
  type TheoryHeader,
  theoryHeader,
  theoryStatements,
  type Word,
} from './theorySource';

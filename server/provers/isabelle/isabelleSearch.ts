/**
 * Verified suggestions and proof search for Isabelle, over the same pieces as Lean's: candidates (the decision
 * procedures first, then the model's, screened by `stepScreen.ts`), each run by Isabelle on the state, and the
 * best-first loop of `search/bestFirst.ts` with `IsabelleSession.verify` as its gate. Nothing is shown that Isabelle
 * did not run; no proof is returned that the whole theory did not accept.
 */
import { defaultMaxNewTokens } from '@llemma/model/choices';
import {
  decisionProcedures,
  positionAt,
  proofText,
  renderGoals,
  type StepInsertion,
  stepEdit,
} from '@llemma/prover-text/isabelle';
import type { TextEdit } from 'vscode-languageserver-protocol';
import type {
  GenerationBudget,
  ProverInfo,
  ProveTheoremResult,
  SearchBudget,
  SearchProgress,
  SuggestTacticsResult,
  TacticSourceName,
  TacticSuggestion,
} from '../../../protocol';
import type { ProposedTactic, TacticSource } from '../../modelHost';
import { bestFirstSearch, type SearchCandidate, type SearchEnvironment } from '../../search/bestFirst';
import type { IsabelleNode, IsabelleSession } from './isabelleSession';
import { screenStep } from './stepScreen';

/** The score given a decision procedure: above any model candidate's mean log-prob, so they are tried first. */
const procedureScore = 0;

/** A candidate step with the source it came from. */
type IsabelleCandidate = SearchCandidate & { rank: number; source: TacticSourceName };

/**
 * Isabelle's decision procedures, then the model's screened candidates, without repeats. Only the model's own
 * candidates are taken from the tactic source: its retrieval index and its decision procedures are Lean's.
 */
async function candidatesFor(
  node: IsabelleNode,
  session: IsabelleSession,
  model: TacticSource,
  budget: GenerationBudget,
  signal?: AbortSignal,
): Promise<{
  candidates: IsabelleCandidate[];
  forbidden: { tactic: string; reason: string }[];
  generated: number;
}> {
  const proposed: ProposedTactic[] = await model.proposeTactics(
    {
      prover: 'isabelle',
      goals: [renderGoals(node.goals)],
      theorem: session.plan.statementText.trim(),
      tactics: [...session.plan.steps, ...node.path],
    },
    { ...budget, ...(signal ? { signal } : {}) },
  );
  const seen = new Set<string>();
  const candidates: IsabelleCandidate[] = [];
  const forbidden: { tactic: string; reason: string }[] = [];
  decisionProcedures.forEach((step, rank) => {
    seen.add(step);
    candidates.push({ tactic: step, score: procedureScore, rank, source: 'procedures' });
  });
  for (const p of proposed) {
    if (p.source !== 'model') continue;
    const screened = screenStep(p.tactic);
    if (!screened.ok) {
      forbidden.push({ tactic: p.tactic.slice(0, 200), reason: screened.reason });
      continue;
    }
    if (seen.has(screened.step)) continue;
    seen.add(screened.step);
    candidates.push({
      tactic: screened.step,
      score: Math.min(-1e-6, p.meanLogprob ?? p.score),
      rank: decisionProcedures.length + p.rank,
      source: 'model',
    });
  }
  return { candidates, forbidden, generated: proposed.filter((p) => p.source === 'model').length };
}

/** The edit that writes a step (or a whole proof) at the plan's cut, replacing `replace` characters after it. */
function editAt(text: string, offset: number, replace: number, newText: string): TextEdit {
  return { range: { start: positionAt(text, offset), end: positionAt(text, offset + replace) }, newText };
}

/** Verified next steps on the session's state, each with the edit that writes it at `at`. */
export async function suggestIsabelleSteps(
  session: IsabelleSession,
  model: TacticSource,
  at: StepInsertion,
  options: { candidates: number; shown: number; goalMs: number; prover: ProverInfo; signal?: AbortSignal },
): Promise<SuggestTacticsResult> {
  const started = performance.now() - options.goalMs;
  const budget: GenerationBudget = {
    beamWidth: options.candidates,
    candidates: options.candidates,
    maxNewTokens: defaultMaxNewTokens,
  };
  const description = await model.describe();
  const modelStarted = performance.now();
  const { candidates, forbidden, generated } = await candidatesFor(
    session.root,
    session,
    model,
    budget,
    options.signal,
  );
  const modelMs = performance.now() - modelStarted;
  const proverStarted = performance.now();
  const checked = await Promise.all(
    candidates.map(async (c) => ({ c, check: await session.check(session.root, c.tactic, options.signal) })),
  );
  const suggestions: TacticSuggestion[] = [];
  let failed = 0;
  for (const { c, check } of checked) {
    if (check.kind === 'failed') {
      failed++;
      continue;
    }
    suggestions.push({
      tactic: c.tactic,
      status: check.kind === 'closed' ? 'closes' : 'progress',
      remainingGoals: check.kind === 'progress' ? [...check.node.goals] : [],
      score: c.score,
      source: c.source,
      sources: [c.source],
      modelRank: c.rank,
      checkMs: check.ms,
      edit: stepEdit(at, c.tactic),
    });
  }
  suggestions.sort(
    (a, b) =>
      Number(b.status === 'closes') - Number(a.status === 'closes') || b.score - a.score || a.modelRank - b.modelRank,
  );
  return {
    goals: [...session.root.goals],
    declaration: session.plan.declName,
    suggestions: suggestions.slice(0, options.shown),
    counts: {
      generated: generated + decisionProcedures.length,
      forbidden: forbidden.length,
      failed,
      verified: suggestions.length,
    },
    forbidden,
    budget,
    model: description,
    prover: options.prover,
    cached: false,
    timings: {
      goalMs: options.goalMs,
      modelMs,
      proverMs: performance.now() - proverStarted,
      totalMs: performance.now() - started,
    },
  };
}

export async function proveIsabelleStatement(
  session: IsabelleSession,
  model: TacticSource,
  text: string,
  options: {
    budget: SearchBudget;
    prover: ProverInfo;
    restarts: () => number;
    signal?: AbortSignal;
    onProgress?: (p: SearchProgress) => void;
    log?: (line: string) => void;
  },
): Promise<ProveTheoremResult> {
  const { budget } = options;
  const description = await model.describe();
  const restartsBefore = options.restarts();
  let modelMs = 0;
  let proverMs = 0;
  let forbidden = 0;
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      proverMs += performance.now() - t;
    }
  };
  const generation: GenerationBudget = {
    beamWidth: budget.candidatesPerExpansion,
    candidates: budget.candidatesPerExpansion,
    maxNewTokens: defaultMaxNewTokens,
  };
  // Where each tried step came from, by its path from the root: a found proof's path names its steps' sources.
  const origins = new Map<string, TacticSourceName[]>();
  const pathKey = (steps: readonly string[]) => steps.join('\u0000');
  const env: SearchEnvironment<IsabelleNode> = {
    propose: async (node, signal) => {
      const t = performance.now();
      const out = await candidatesFor(node, session, model, generation, signal);
      modelMs += performance.now() - t;
      forbidden += out.forbidden.length;
      for (const c of out.candidates) origins.set(pathKey([...node.path, c.tactic]), [c.source]);
      return out.candidates;
    },
    apply: async (node, step, signal) => {
      const check = await timed(() => session.check(node, step, signal));
      if (check.kind === 'progress') return { kind: 'progress', state: check.node, key: check.node.goals.join('\n\n') };
      return check.kind === 'closed' ? { kind: 'closed' } : { kind: 'failed', error: check.error };
    },
    verify: async (steps, signal) => {
      const verdict = await timed(() => session.verify(steps, signal));
      if (!verdict.ok) options.log?.(`proof rejected on re-check: ${verdict.reason}`);
      return verdict;
    },
  };
  const result = await bestFirstSearch(session.root, session.root.goals.join('\n\n'), env, {
    maxExpansions: budget.maxExpansions,
    timeLimitMs: budget.timeLimitMs,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const proved = result.outcome === 'proved';
  const rest = session.plan.rest.replace(/\s+$/, '');
  return {
    outcome: result.outcome,
    declaration: session.plan.declName,
    tactics: [...result.tactics],
    tacticSources: result.tactics.map((_, i) => origins.get(pathKey(result.tactics.slice(0, i + 1))) ?? []),
    edit: proved
      ? editAt(text, session.plan.cut, rest.length, proofText(session.plan, result.tactics).replace(/\n$/, ''))
      : null,
    axioms: [...result.axioms],
    otherSorries: 0,
    stats: {
      expansions: result.stats.expansions,
      openNodes: result.stats.openNodes,
      visitedStates: result.stats.visitedStates,
      tacticsRun: result.stats.tacticsRun,
      forbidden,
      rejectedProofs: result.stats.rejectedProofs,
      replRestarts: options.restarts() - restartsBefore,
      elapsedMs: result.stats.elapsedMs,
      modelMs,
      proverMs,
    },
    budget: { ...budget, allowNativeDecide: false },
    model: description,
    prover: options.prover,
  };
}

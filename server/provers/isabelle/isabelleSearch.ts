/**
 * Verified suggestions and proof search for Isabelle, over the same pieces as Lean's: candidates (the decision
 * procedures first, then Sledgehammer's steps when it is on, then the model's; the last two screened by
 * `stepScreen.ts`), each run by Isabelle on the state, and the
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
  ModelDescription,
  ProverInfo,
  ProveTheoremResult,
  SearchBudget,
  SearchProgress,
  SuggestionSourceName,
  SuggestTacticsResult,
  TacticSuggestion,
} from '../../../protocol';
import type { ProposedTactic, TacticSource } from '../../modelHost';
import { bestFirstSearch, type SearchCandidate, type SearchEnvironment } from '../../search/bestFirst';
import type { IsabelleNode, IsabelleSession } from './isabelleSession';
import type { SledgehammerSource } from './sledgehammer';
import { screenStep } from './stepScreen';

/** The score given a decision procedure: above any model candidate's mean log-prob, so they are tried first. */
const procedureScore = 0;

/** A candidate step with the sources it came from, the first the one it is ranked as. */
type IsabelleCandidate = SearchCandidate & { rank: number; sources: SuggestionSourceName[] };

/**
 * Isabelle's decision procedures, then Sledgehammer's screened steps (when it is on), then the model's screened
 * candidates, without repeats (a step two sources propose names both). Only the model's own candidates are taken from
 * the tactic source: its retrieval index and its decision procedures are Lean's. Sledgehammer runs while the model
 * generates.
 */
async function candidatesFor(
  node: IsabelleNode,
  session: IsabelleSession,
  model: TacticSource,
  budget: GenerationBudget,
  sledgehammer: SledgehammerSource | undefined,
  signal?: AbortSignal,
): Promise<{
  candidates: IsabelleCandidate[];
  forbidden: { tactic: string; reason: string }[];
  generated: number;
}> {
  const [proposed, hammered]: [ProposedTactic[], string[]] = await Promise.all([
    model.proposeTactics(
      {
        prover: 'isabelle',
        goals: [renderGoals(node.goals)],
        theorem: session.plan.statementText.trim(),
        tactics: [...session.plan.steps, ...node.path],
      },
      { ...budget, ...(signal ? { signal } : {}) },
    ),
    sledgehammer ? sledgehammer.steps(session, node, signal) : Promise.resolve([]),
  ]);
  const byStep = new Map<string, IsabelleCandidate>();
  const candidates: IsabelleCandidate[] = [];
  const forbidden: { tactic: string; reason: string }[] = [];
  decisionProcedures.forEach((step, rank) => {
    const c: IsabelleCandidate = { tactic: step, score: procedureScore, rank, sources: ['procedures'] };
    byStep.set(step, c);
    candidates.push(c);
  });
  for (const raw of hammered) {
    const screened = screenStep(raw);
    if (!screened.ok) {
      forbidden.push({ tactic: raw.slice(0, 200), reason: screened.reason });
      continue;
    }
    const known = byStep.get(screened.step);
    if (known) {
      if (!known.sources.includes('sledgehammer')) known.sources.push('sledgehammer');
      continue;
    }
    // Sledgehammer's proofs were replayed by Isabelle before it printed them: tried right after the procedures.
    const c: IsabelleCandidate = {
      tactic: screened.step,
      score: procedureScore,
      rank: candidates.length,
      sources: ['sledgehammer'],
    };
    byStep.set(screened.step, c);
    candidates.push(c);
  }
  const modelRanksFrom = candidates.length;
  for (const p of proposed) {
    if (p.source !== 'model') continue;
    const screened = screenStep(p.tactic);
    if (!screened.ok) {
      forbidden.push({ tactic: p.tactic.slice(0, 200), reason: screened.reason });
      continue;
    }
    const known = byStep.get(screened.step);
    if (known) {
      if (!known.sources.includes('model')) known.sources.push('model');
      continue;
    }
    const c: IsabelleCandidate = {
      tactic: screened.step,
      score: Math.min(-1e-6, p.meanLogprob ?? p.score),
      rank: modelRanksFrom + p.rank,
      sources: ['model'],
    };
    byStep.set(screened.step, c);
    candidates.push(c);
  }
  return {
    candidates,
    forbidden,
    generated: proposed.filter((p) => p.source === 'model').length + hammered.length,
  };
}

/**
 * The model line of an Isabelle result: what was asked on the state. The merged generator describes its Lean
 * sources, but on an Isabelle state only its model answers (retrieval's index, the file's pairs and sources.json's
 * procedures are Lean's) and Isabelle's own decision procedures are tried. A single source that is not the merged generator (no
 * `sources`) is a model.
 */
export function isabelleDescription(description: ModelDescription): ModelDescription {
  const listed = description.sources;
  const modelAsked = listed === undefined || listed.includes('model');
  const skipped = [
    ...(description.skippedSources ?? []).filter((s) => !/^(retrieval|file|procedures):/.test(s)),
    ...(['retrieval', 'file'] as const)
      .filter((s) => listed?.includes(s))
      .map((s) => `${s}: it reads Lean goals; it is not asked on Isabelle's`),
  ];
  const out: ModelDescription = {
    ...description,
    sources: [...(modelAsked ? (['model'] as const) : []), 'procedures'],
  };
  if (skipped.length > 0) out.skippedSources = skipped;
  else delete out.skippedSources;
  return out;
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
  options: {
    candidates: number;
    shown: number;
    goalMs: number;
    prover: ProverInfo;
    /** Asked on the state too when given (`isabelle.sledgehammer` on). */
    sledgehammer?: SledgehammerSource;
    signal?: AbortSignal;
  },
): Promise<SuggestTacticsResult> {
  const started = performance.now() - options.goalMs;
  const budget: GenerationBudget = {
    beamWidth: options.candidates,
    candidates: options.candidates,
    maxNewTokens: defaultMaxNewTokens,
  };
  const description = isabelleDescription(await model.describe());
  // The candidates' time: Sledgehammer runs beside the model, so its run is counted here, not as the prover's.
  const modelStarted = performance.now();
  const { candidates, forbidden, generated } = await candidatesFor(
    session.root,
    session,
    model,
    budget,
    options.sledgehammer,
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
      source: c.sources[0] as SuggestionSourceName,
      sources: [...c.sources],
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
    model: options.sledgehammer ? options.sledgehammer.describe(description) : description,
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
    /** Asked at each expansion too when given (`isabelle.sledgehammer` on). */
    sledgehammer?: SledgehammerSource;
    signal?: AbortSignal;
    onProgress?: (p: SearchProgress) => void;
    log?: (line: string) => void;
  },
): Promise<ProveTheoremResult> {
  const { budget } = options;
  const description = isabelleDescription(await model.describe());
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
  const origins = new Map<string, SuggestionSourceName[]>();
  const pathKey = (steps: readonly string[]) => steps.join('\u0000');
  const env: SearchEnvironment<IsabelleNode> = {
    propose: async (node, signal) => {
      const t = performance.now();
      const out = await candidatesFor(node, session, model, generation, options.sledgehammer, signal);
      modelMs += performance.now() - t;
      forbidden += out.forbidden.length;
      for (const c of out.candidates) origins.set(pathKey([...node.path, c.tactic]), [...c.sources]);
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
    model: options.sledgehammer ? options.sledgehammer.describe(description) : description,
    prover: options.prover,
  };
}

/**
 * Proof completion: the Llemma best-first search (bestFirst.ts) over Lean proof states (proofSession.ts), with the
 * candidates (of every source, on one calibrated scale) screened before Lean sees them and every found proof
 * re-checked as a whole (proofCheck.ts). The result carries the edit that writes the proof into the document, the
 * source(s) of each of its tactics, and the model, prover and budget behind it.
 */

import { defaultMaxNewTokens } from '@llemma/model/choices';
import { proofEdit } from '@llemma/prover-text/lean';
import type {
  ModelDescription,
  ProveTheoremResult,
  SearchBudget,
  SearchProgress,
  TacticSourceName,
} from '../../protocol';
import type { TacticSource } from '../modelHost';
import { checkProof } from '../provers/lean/proofCheck';
import type { ProofNode, ProofSession } from '../provers/lean/proofSession';
import { bestFirstSearch, type SearchCandidate, type SearchEnvironment, type StepResult } from './bestFirst';
import { screenTactic } from './tacticFilter';

export interface ProveOptions {
  budget: SearchBudget;
  allowNativeDecide: boolean;
  signal?: AbortSignal;
  onProgress?: (p: SearchProgress) => void;
  log?: (line: string) => void;
}

/** The state's identity for deduplication: its goals as Lean prints them, as the Llemma code compares `state.pp`. */
export function stateKey(goals: readonly string[]): string {
  return goals.join('\n\n');
}

export async function proveTheorem(
  session: ProofSession,
  model: TacticSource,
  text: string,
  options: ProveOptions,
): Promise<ProveTheoremResult> {
  const { budget } = options;
  const log = options.log ?? (() => undefined);
  const description: ModelDescription = await model.describe();
  let modelMs = 0;
  // Wall time with at least one tactic check or re-check running: with several REPL processes checks overlap, and
  // a sum of their times would count the same second more than once.
  let proverMs = 0;
  let proverBusy = 0;
  let proverSince = 0;
  const proverWork = async <T>(work: () => Promise<T>): Promise<T> => {
    if (proverBusy++ === 0) proverSince = performance.now();
    try {
      return await work();
    } finally {
      if (--proverBusy === 0) proverMs += performance.now() - proverSince;
    }
  };
  let forbidden = 0;
  let otherSorries = 0;
  // The sources of each tactic proposed, by the path it was proposed after: read back for the proof's tactics.
  const proposedBy = new Map<string, TacticSourceName[]>();
  const pathKey = (path: readonly string[], tactic: string) => JSON.stringify([...path, tactic]);

  const env: SearchEnvironment<ProofNode> = {
    propose: async (node, signal) => {
      const started = performance.now();
      const candidates = await model.proposeTactics(
        {
          goals: node.goals,
          theorem: session.context.theorem,
          tactics: [...session.context.tactics, ...node.path],
          fileExamples: session.fileExamples,
        },
        {
          beamWidth: budget.candidatesPerExpansion,
          candidates: budget.candidatesPerExpansion,
          maxNewTokens: defaultMaxNewTokens,
          signal,
        },
      );
      modelMs += performance.now() - started;
      const out: SearchCandidate[] = [];
      for (const c of candidates) {
        const screened = screenTactic(c.tactic, { allowNativeDecide: options.allowNativeDecide });
        if (screened.ok) {
          out.push({ tactic: screened.tactic, score: c.score });
          proposedBy.set(pathKey(node.path, screened.tactic), [...(c.sources ?? [c.source])]);
        } else forbidden++;
      }
      return out;
    },
    apply: async (node, tactic, signal): Promise<StepResult<ProofNode>> => {
      const check = await proverWork(() => session.check(node, tactic, signal));
      if (check.kind === 'progress') return { kind: 'progress', state: check.node, key: stateKey(check.node.goals) };
      return check.kind === 'closed' ? { kind: 'closed' } : { kind: 'failed', error: check.error };
    },
    verify: async (tactics, signal) => {
      const verdict = await proverWork(() =>
        checkProof(session.repl, session.plan, tactics, { allowNativeDecide: options.allowNativeDecide, signal }),
      );
      if (!verdict.ok) log(`proof rejected on re-check: ${verdict.reason}\n  ${tactics.join('\n  ')}`);
      else otherSorries = verdict.otherSorries;
      return verdict;
    },
  };

  const result = await bestFirstSearch(session.root, stateKey(session.root.goals), env, {
    maxExpansions: budget.maxExpansions,
    timeLimitMs: budget.timeLimitMs,
    concurrency: session.processes,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });

  const proved = result.outcome === 'proved';
  return {
    outcome: result.outcome,
    declaration: session.plan.declName,
    tactics: [...result.tactics],
    tacticSources: result.tactics.map((t, i) => proposedBy.get(pathKey(result.tactics.slice(0, i), t)) ?? []),
    edit: proved ? proofEdit(text, session.plan, result.tactics) : null,
    axioms: [...result.axioms],
    otherSorries: proved ? otherSorries : 0,
    stats: {
      expansions: result.stats.expansions,
      openNodes: result.stats.openNodes,
      visitedStates: result.stats.visitedStates,
      tacticsRun: result.stats.tacticsRun,
      forbidden,
      rejectedProofs: result.stats.rejectedProofs,
      replRestarts: session.restarts,
      elapsedMs: result.stats.elapsedMs,
      modelMs,
      proverMs,
    },
    budget: { ...budget, allowNativeDecide: options.allowNativeDecide },
    model: description,
    prover: session.prover,
  };
}

/**
 * Verified next tactics for the goal at a position: goal from the REPL → the candidates of every source (retrieval,
 * the model, the decision procedures: one merged, calibrated list) → screened (tacticFilter.ts) → each run by Lean on
 * the goal → failures dropped, goal-closing tactics first, then by score. Each suggestion names its source(s).
 *
 * Two caches: the candidates by (model, provider, prompt format, sources, goals, proof so far, budget) — the sources
 * are functions of the proof state — and Lean's verdict on a tactic by (project, header, preamble, goal, tactic) — everything a tactic's
 * behaviour depends on. Nothing is shown that Lean did not run in this environment.
 */
import { createHash } from 'node:crypto';
import { defaultMaxNewTokens } from '@llemma/model/choices';
import { insertionEdit, type TacticInsertion } from '@llemma/prover-text/lean';
import { LRUCache } from 'lru-cache';
import type { GenerationBudget, LlemmaSettings, SuggestTacticsResult, TacticSuggestion } from '../../protocol';
import type { ProposedTactic, TacticSource } from '../modelHost';
import type { ProofSession } from '../provers/lean/proofSession';
import { screenTactic } from './tacticFilter';

type Verdict = { kind: 'closed' } | { kind: 'progress'; goals: string[] } | { kind: 'failed'; error: string };

export class TacticSuggester {
  private readonly candidateCache = new LRUCache<string, ProposedTactic[]>({ max: 500 });
  private readonly verdictCache = new LRUCache<string, Verdict>({ max: 20_000 });

  constructor(
    private readonly model: TacticSource,
    private readonly settings: () => LlemmaSettings,
  ) {}

  /** Suggestions for the session's goal, each with its edit: the tactic written at `insertion`. */
  async suggest(
    session: ProofSession,
    insertion: TacticInsertion,
    goalMs: number,
    signal?: AbortSignal,
  ): Promise<SuggestTacticsResult> {
    const started = performance.now() - goalMs;
    const settings = this.settings();
    const budget: GenerationBudget = {
      beamWidth: settings['suggest.candidates'],
      candidates: settings['suggest.candidates'],
      maxNewTokens: defaultMaxNewTokens,
    };
    const model = await this.model.describe();
    const goals = [...session.root.goals];
    // The proof so far is part of the prompt for proof-prefix models, so it is part of the key.
    const { theorem, tactics } = session.context;
    const candidateKey = JSON.stringify([
      model.source,
      model.provider,
      model.promptFormat,
      model.sources,
      goals,
      theorem,
      tactics,
      // The file above the proof is asked too (the file source): its digest, not its text, in the key.
      hash([session.plan.preamble]),
      budget,
    ]);
    let candidates = this.candidateCache.get(candidateKey);
    const cached = candidates !== undefined;
    const modelStarted = performance.now();
    if (!candidates) {
      candidates = await this.model.proposeTactics(
        { goals, theorem, tactics, fileExamples: session.fileExamples },
        { ...budget, ...(signal ? { signal } : {}) },
      );
      this.candidateCache.set(candidateKey, candidates);
    }
    const modelMs = performance.now() - modelStarted;

    const forbidden: SuggestTacticsResult['forbidden'] = [];
    const suggestions: TacticSuggestion[] = [];
    let failed = 0;
    const proverStarted = performance.now();
    const envKey = hash([session.project.root, session.plan.header, session.plan.preamble, goals[0] ?? '']);
    // Screened in model order; the survivors are all handed to the session at once, which runs as many as it has
    // REPL processes and queues the rest. The ranking below does not depend on which check finished first.
    const toCheck: { candidate: ProposedTactic; tactic: string }[] = [];
    for (const c of candidates) {
      const screened = screenTactic(c.tactic, { allowNativeDecide: settings['search.allowNativeDecide'] });
      if (screened.ok) toCheck.push({ candidate: c, tactic: screened.tactic });
      else forbidden.push({ tactic: c.tactic.slice(0, 200), reason: screened.reason });
    }
    signal?.throwIfAborted();
    const checked = await Promise.all(
      toCheck.map(async ({ candidate, tactic }) => {
        const verdictKey = `${envKey}\u0000${tactic}`;
        let verdict = this.verdictCache.get(verdictKey);
        let checkMs = 0;
        if (!verdict) {
          const check = await session.check(session.root, tactic, signal);
          checkMs = check.ms;
          verdict =
            check.kind === 'closed'
              ? { kind: 'closed' }
              : check.kind === 'progress'
                ? { kind: 'progress', goals: [...check.node.goals] }
                : { kind: 'failed', error: check.error };
          // A timeout or a dead process says as much about the machine as about the tactic: not cached.
          if (!(check.kind === 'failed' && check.transient)) this.verdictCache.set(verdictKey, verdict);
        }
        return { candidate, tactic, verdict, checkMs };
      }),
    );
    for (const { candidate: c, tactic, verdict, checkMs } of checked) {
      if (verdict.kind === 'failed') {
        failed++;
        continue;
      }
      suggestions.push({
        tactic,
        status: verdict.kind === 'closed' ? 'closes' : 'progress',
        remainingGoals: verdict.kind === 'progress' ? verdict.goals : [],
        score: c.score,
        source: c.source,
        sources: [...(c.sources ?? [c.source])],
        ...(c.meanLogprob !== undefined ? { meanLogprob: c.meanLogprob } : {}),
        modelRank: c.rank,
        checkMs,
        edit: insertionEdit(insertion, tactic),
      });
    }
    const proverMs = performance.now() - proverStarted;
    suggestions.sort(
      (a, b) =>
        Number(b.status === 'closes') - Number(a.status === 'closes') || b.score - a.score || a.modelRank - b.modelRank,
    );
    return {
      goals,
      declaration: session.plan.declName,
      suggestions: suggestions.slice(0, settings['suggest.shown']),
      counts: { generated: candidates.length, forbidden: forbidden.length, failed, verified: suggestions.length },
      forbidden,
      budget,
      model,
      prover: session.prover,
      cached,
      timings: { goalMs, modelMs, proverMs, totalMs: performance.now() - started },
    };
  }

  clear(): void {
    this.candidateCache.clear();
    this.verdictCache.clear();
  }
}

function hash(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex');
}

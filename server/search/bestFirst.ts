/**
 * Best-first proof search as in the Llemma paper's code (wellecks/llemma_formal2formal, `proofsearch.py`): a priority
 * queue of proof states ordered by the sum over their steps of the negative score of each step's tactic (Llemma: the
 * mean log-prob of its tokens; here the merged generator's calibrated log-probability), one call for candidates per
 * expanded state, and every candidate tried in the order given. The first proof that survives a
 * whole-proof check wins.
 *
 * The search is data plus a small step: `SearchNode` is the queue's element, `Search.run` is the loop that owns the
 * budget (expansions, time, cancellation) and `Search.expand` expands one node. Nothing here knows about Lean or the
 * model; both live behind `SearchEnvironment`, so tests drive the search with a fixed table.
 *
 * Two places where this code is more specific than the Python original, on purpose:
 * - Ties in score. Python's `heapq` compares whole tuples, so equal scores fall through to comparing the step lists
 *   (lexicographically) and then the states. We break ties by push order instead (earlier-pushed first), which is
 *   deterministic and does not depend on how tactics or states happen to compare.
 * - Duplicate queue entries. Python checks `visited` only when pushing, so a state pushed twice before its first
 *   expansion is expanded twice, repeating the model call. We also skip a popped state whose key is already in
 *   `visited`; such a skip is not an expansion and costs no budget.
 */
import { MinHeap } from '@llemma/stdx';

/**
 * One tactic proposed for a state, with its score: a log-probability (at most 0; higher is better). In the Llemma
 * search it is the mean log-prob of the model's tokens; with the merged generator it is the calibrated
 * log-probability that the tactic is the one a person would write, on one scale for every source (docs/search.md).
 */
export interface SearchCandidate {
  readonly tactic: string;
  readonly score: number;
}

/** What running one tactic on one state did. `key` identifies the new state for deduplication. */
export type StepResult<S> =
  | { readonly kind: 'closed' }
  | { readonly kind: 'progress'; readonly state: S; readonly key: string }
  | { readonly kind: 'failed'; readonly error: string };

/** The verdict on a whole proof, checked again from scratch once the step-by-step search says it is closed. */
export type VerifyResult =
  | { readonly ok: true; readonly axioms: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * The model and the prover as the search sees them. Each call gets the search's signal and should reject promptly
 * once it is aborted; the search reports that as the outcome `cancelled`.
 */
export interface SearchEnvironment<S> {
  /** Candidates for the state, best first; the search tries them in this order. */
  propose(state: S, signal: AbortSignal): Promise<readonly SearchCandidate[]>;
  apply(state: S, tactic: string, signal: AbortSignal): Promise<StepResult<S>>;
  verify(tactics: readonly string[], signal: AbortSignal): Promise<VerifyResult>;
}

export interface SearchProgress {
  readonly expansions: number;
  readonly openNodes: number;
  readonly elapsedMs: number;
}

export interface BestFirstOptions {
  /** The most states to expand (model calls); `Infinity` for no limit. Llemma's `max_iters`. */
  maxExpansions: number;
  /** Wall-clock budget, checked before each expansion and before each tactic is run; `Infinity` for no limit. */
  timeLimitMs: number;
  signal?: AbortSignal;
  /** The clock in milliseconds; tests inject a fake one. Defaults to `performance.now`. */
  now?: () => number;
  /** Called after each completed expansion. */
  onProgress?: (progress: SearchProgress) => void;
  /**
   * How many of an expansion's candidates may be in `apply` at once (default 1: one after another, as in Llemma).
   * Results are still taken in the model's order, so the outcome, the proof and the queue do not depend on it; only
   * `tacticsRun` may count a few more tactics, started before an earlier one turned out to finish the proof.
   */
  concurrency?: number;
}

export type SearchOutcome = 'proved' | 'exhausted' | 'expansionLimit' | 'timeLimit' | 'cancelled';

export interface SearchStats {
  /** States handed to `propose`, including one cut short by the time limit or cancellation. */
  readonly expansions: number;
  /** Entries left in the queue when the search stopped. */
  readonly openNodes: number;
  /** Distinct state keys expanded. */
  readonly visitedStates: number;
  /** Calls to `apply` (with `concurrency` > 1 this includes ones abandoned because an earlier candidate proved). */
  readonly tacticsRun: number;
  /** Tactics the prover rejected with an error. */
  readonly failedTactics: number;
  /** Proofs the step-by-step search closed but the whole-proof check refused. */
  readonly rejectedProofs: number;
  readonly elapsedMs: number;
}

export interface SearchResult {
  readonly outcome: SearchOutcome;
  /** The proof's tactics in order; empty unless the outcome is `proved`. */
  readonly tactics: readonly string[];
  /** The axioms the verified proof depends on; empty unless the outcome is `proved`. */
  readonly axioms: readonly string[];
  readonly stats: SearchStats;
}

/** An entry of the queue: a state reached from the root by `steps`. */
interface SearchNode<S> {
  /** Sum over `steps` of the negative score of each tactic; 0 for the root. Lower is expanded first. */
  readonly score: number;
  /** Push order, unique per search; among equal scores the smaller `seq` (earlier push) is expanded first. */
  readonly seq: number;
  /** The tactics from the root to `state`, in order; empty for the root. */
  readonly steps: readonly string[];
  readonly state: S;
  /** The state's identity for deduplication; two nodes with the same key are the same proof state. */
  readonly key: string;
}

/** How one expansion ended: a verified proof, a budget spent in the middle of it, or all candidates tried. */
type ExpandResult =
  | { readonly kind: 'proved'; readonly tactics: readonly string[]; readonly axioms: readonly string[] }
  | { readonly kind: 'stopped'; readonly outcome: 'timeLimit' | 'cancelled' }
  | { readonly kind: 'done' };

/** Searches from `root` for a proof; see the module comment for the order, the budget and the outcomes. */
export async function bestFirstSearch<S>(
  root: S,
  rootKey: string,
  env: SearchEnvironment<S>,
  options: BestFirstOptions,
): Promise<SearchResult> {
  return new Search(env, options).run(root, rootKey);
}

class Search<S> {
  private readonly queue = new MinHeap<SearchNode<S>>(
    (a, b) => a.score < b.score || (a.score === b.score && a.seq < b.seq),
  );
  /** Keys of the states expanded so far (Llemma adds a state when it is popped, not when it is pushed). */
  private readonly visited = new Set<string>();
  private readonly signal: AbortSignal;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly concurrency: number;
  private nextSeq = 0;
  private expansions = 0;
  private tacticsRun = 0;
  private failedTactics = 0;
  private rejectedProofs = 0;

  constructor(
    private readonly env: SearchEnvironment<S>,
    private readonly options: BestFirstOptions,
  ) {
    if (!(options.maxExpansions >= 0)) throw new RangeError(`maxExpansions must be >= 0, got ${options.maxExpansions}`);
    if (!(options.timeLimitMs >= 0)) throw new RangeError(`timeLimitMs must be >= 0, got ${options.timeLimitMs}`);
    const concurrency = options.concurrency ?? 1;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    }
    this.concurrency = concurrency;
    // The environment always gets a signal, so its implementations need no "no signal" branch.
    this.signal = options.signal ?? new AbortController().signal;
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
  }

  async run(root: S, rootKey: string): Promise<SearchResult> {
    this.push(0, [], root, rootKey);
    try {
      for (;;) {
        if (this.signal.aborted) return this.finish('cancelled');
        if (this.queue.size === 0) return this.finish('exhausted');
        if (this.expansions >= this.options.maxExpansions) return this.finish('expansionLimit');
        if (this.timeIsUp()) return this.finish('timeLimit');
        const node = this.queue.pop() as SearchNode<S>;
        if (this.visited.has(node.key)) continue;
        const step = await this.expand(node);
        if (step.kind === 'proved') return this.finish('proved', step.tactics, step.axioms);
        if (step.kind === 'stopped') return this.finish(step.outcome);
        this.options.onProgress?.({
          expansions: this.expansions,
          openNodes: this.queue.size,
          elapsedMs: this.elapsed(),
        });
      }
    } catch (err) {
      // An environment call that rejects because we aborted it is the cancellation we asked for, not a failure.
      if (this.signal.aborted) return this.finish('cancelled');
      throw err;
    }
  }

  /**
   * Expands one node: asks for candidates, runs them (up to `concurrency` at a time, each started only while the
   * budget allows), takes the results in the model's order, and queues the new states. Tactics still running when
   * the expansion ends are abandoned through their signal.
   */
  private async expand(node: SearchNode<S>): Promise<ExpandResult> {
    this.visited.add(node.key);
    this.expansions++;
    const candidates = await this.env.propose(node.state, this.signal);
    for (const { tactic, score } of candidates) {
      // A NaN score would silently corrupt the heap order, so it is a broken environment, not a bad candidate.
      if (Number.isNaN(score)) throw new RangeError(`candidate \`${tactic}\` has a NaN score`);
    }
    const expansion = new AbortController();
    const abandon = () => expansion.abort(this.signal.reason);
    this.signal.addEventListener('abort', abandon, { once: true });
    const running: Promise<StepResult<S>>[] = [];
    const startUpTo = (last: number) => {
      while (running.length <= last && running.length < candidates.length) {
        if (this.signal.aborted || this.timeIsUp()) return;
        this.tacticsRun++;
        const { tactic } = candidates[running.length] as SearchCandidate;
        const result = this.env.apply(node.state, tactic, expansion.signal);
        // Awaited below in order, or abandoned; either way its rejection is handled.
        result.catch(() => undefined);
        running.push(result);
      }
    };
    try {
      for (let i = 0; i < candidates.length; i++) {
        startUpTo(i + this.concurrency - 1);
        if (running.length <= i) {
          return { kind: 'stopped', outcome: this.signal.aborted ? 'cancelled' : 'timeLimit' };
        }
        const { tactic, score } = candidates[i] as SearchCandidate;
        const result = await (running[i] as Promise<StepResult<S>>);
        const steps = [...node.steps, tactic];
        if (result.kind === 'closed') {
          const verdict = await this.env.verify(steps, this.signal);
          if (verdict.ok) return { kind: 'proved', tactics: steps, axioms: verdict.axioms };
          this.rejectedProofs++;
        } else if (result.kind === 'progress') {
          if (!this.visited.has(result.key)) this.push(node.score - score, steps, result.state, result.key);
        } else {
          this.failedTactics++;
        }
      }
      return { kind: 'done' };
    } finally {
      this.signal.removeEventListener('abort', abandon);
      expansion.abort(new Error('the expansion ended'));
    }
  }

  private push(score: number, steps: readonly string[], state: S, key: string): void {
    this.queue.push({ score, seq: this.nextSeq++, steps, state, key });
  }

  private elapsed(): number {
    return this.now() - this.startedAt;
  }

  private timeIsUp(): boolean {
    return this.elapsed() >= this.options.timeLimitMs;
  }

  private finish(
    outcome: SearchOutcome,
    tactics: readonly string[] = [],
    axioms: readonly string[] = [],
  ): SearchResult {
    return Object.freeze({
      outcome,
      tactics: Object.freeze([...tactics]),
      axioms: Object.freeze([...axioms]),
      stats: Object.freeze({
        expansions: this.expansions,
        openNodes: this.queue.size,
        visitedStates: this.visited.size,
        tacticsRun: this.tacticsRun,
        failedTactics: this.failedTactics,
        rejectedProofs: this.rejectedProofs,
        elapsedMs: this.elapsed(),
      }),
    });
  }
}

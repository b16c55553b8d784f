/**
 * Sledgehammer as a source of candidate steps, for one connection to the Isabelle server. It is optional twice over:
 * the user turns it on (`isabelle.sledgehammer`, since it runs external provers for seconds a state), and the server
 * must have it. The first time the server cannot run it (an error on its line: no such command in the session, no
 * prover installed), it is set aside until Isabelle is set up again, and every later result says why instead of
 * asking again. Its steps are proposals like the model's: the caller screens them and has Isabelle run each.
 */
import type { ModelDescription } from '../../../protocol';
import type { IsabelleNode, IsabelleSession } from './isabelleSession';

export class SledgehammerSource {
  private unavailable: string | undefined;

  /** `seconds`: its time limit on one state, read when asked (the setting may change between requests). */
  constructor(
    private readonly seconds: () => number,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Why the server cannot run it, once a question showed so; undefined while it may be asked. */
  get skipped(): string | undefined {
    return this.unavailable;
  }

  /** The steps Sledgehammer proposes on a state; none once it is set aside, or when a run gave no answer. */
  async steps(session: IsabelleSession, node: IsabelleNode, signal?: AbortSignal): Promise<string[]> {
    if (this.unavailable !== undefined) return [];
    const answer = await session.sledgehammer(node, this.seconds(), signal);
    if (answer.kind === 'found') return answer.steps;
    if (answer.kind === 'unavailable') {
      this.unavailable ??= answer.reason;
      this.log(`sledgehammer set aside until Isabelle restarts: ${answer.reason}`);
    } else {
      this.log(`sledgehammer gave no answer: ${answer.reason}`);
    }
    return [];
  }

  /** The result's description with Sledgehammer among the sources used, or among those skipped with the reason. */
  describe(description: ModelDescription): ModelDescription {
    if (this.unavailable !== undefined) {
      return {
        ...description,
        skippedSources: [...(description.skippedSources ?? []), `sledgehammer: ${this.unavailable}`],
      };
    }
    return { ...description, sources: [...(description.sources ?? []), 'sledgehammer'] };
  }
}

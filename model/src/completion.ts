// When a generated sequence ends, and what its candidate looks like. Shared by beam search and sampling so both
// apply the same rules: a stop string ends a sequence at the token that completes it (that token counts in the
// score, as in vLLM, which the Llemma search used); EOS ends it and counts; otherwise maxNewTokens does.

import type { Candidate, FinishReason } from './types';

/** Text of generated tokens as they read after the prompt (tokenizer.ts CompletionText). */
export interface CompletionDecoder {
  decode(generated: readonly number[]): string;
}

export interface EndRules {
  eosIds: ReadonlySet<number>;
  stop: readonly string[];
  maxNewTokens: number;
}

export interface Ending {
  reason: FinishReason | null;
  /** The candidate text so far: cut before the earliest stop string, without a final EOS. */
  text: string;
}

export class CompletionTracker {
  constructor(
    private readonly text: CompletionDecoder,
    private readonly rules: EndRules,
  ) {}

  get maxNewTokens(): number {
    return this.rules.maxNewTokens;
  }

  /** Whether (and why) the sequence `ids` of generated tokens has ended. */
  check(ids: readonly number[]): Ending {
    const last = ids.at(-1);
    const eos = last !== undefined && this.rules.eosIds.has(last);
    const text = this.text.decode(eos ? ids.slice(0, -1) : ids);
    let cut = -1;
    for (const s of this.rules.stop) {
      const at = text.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) return { reason: 'stop', text: text.slice(0, cut) };
    if (eos) return { reason: 'eos', text };
    return { reason: ids.length >= this.rules.maxNewTokens ? 'length' : null, text };
  }
}

export function makeCandidate(
  tokenIds: readonly number[],
  tokenLogprobs: readonly number[],
  ending: Ending,
): Candidate {
  const logprob = tokenLogprobs.reduce((a, b) => a + b, 0);
  return {
    text: ending.text,
    logprob,
    meanLogprob: logprob / Math.max(tokenIds.length, 1),
    tokenIds: [...tokenIds],
    tokenLogprobs: [...tokenLogprobs],
    finishReason: ending.reason ?? 'length',
  };
}

/** Finished candidates keyed by text; of two with the same text the better-scoring one stays. */
export class CandidatePool {
  private readonly byText = new Map<string, Candidate>();

  add(c: Candidate): void {
    const old = this.byText.get(c.text);
    if (!old || c.meanLogprob > old.meanLogprob) this.byText.set(c.text, c);
  }

  get size(): number {
    return this.byText.size;
  }

  /** The best `n` by meanLogprob, best first. */
  best(n: number): Candidate[] {
    return [...this.byText.values()].sort((a, b) => b.meanLogprob - a.meanLogprob).slice(0, n);
  }
}

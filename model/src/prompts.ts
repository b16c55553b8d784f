// Prompt formats: the one place that turns a proof state into model input and model output into a tactic.
// Serving and the training workspace's data preparation both use this module, so a model is trained on exactly
// the text it is later shown. A model folder names its format in config.json (`llemma.prompt_format`).

/** What a prompt can be built from: the state of a proof in progress. */
export interface ProofContext {
  /** The theorem statement as Lean source, e.g. `theorem foo (n : ℕ) : n + 0 = n` (without `:= by`). */
  theorem?: string;
  /** Tactics already applied, in order. */
  tactics?: readonly string[];
  /** The current goals, pretty-printed by Lean (hypotheses, then `⊢ target`), one string per goal. */
  goals: readonly string[];
}

export interface PromptFormat {
  name: string;
  /** Stop strings to generate with: the completion ends where one appears. */
  stop: readonly string[];
  /** The prompt text for a proof state. */
  render(ctx: ProofContext): string;
  /** The text a model should generate after `render(ctx)` for `tactic` (a training target). */
  target(tactic: string): string;
  /** The tactic in a generated completion (the completion was already cut at the stop string). */
  parseCompletion(completion: string): string;
}

/**
 * The few-shot prompt of the Llemma paper's Lean 4 search (wellecks/llemma_formal2formal, proofsearch.py
 * `_prompt_fewshot`), verbatim; `%s` is the tactic-state slot. MIT licence and provenance: model/prompts/.
 */
export const llemmaFewshotTemplate = `
Given the Lean 4 tactic state, suggest a next tactic.
Here are some examples:

Tactic state:
---
α : Type u_1
r : α → α → Prop
inst✝¹ : DecidableEq α
inst✝ : IsIrrefl α r
⊢ CutExpand r ≤ InvImage (Finsupp.Lex (rᶜ ⊓ fun x x_1 => x ≠ x_1) fun x x_1 => x < x_1) ↑toFinsupp
---
Next tactic:
---
rintro s t ⟨u, a, hr, he⟩
---

Tactic state:
---
ι : Type u_1
I✝ J✝ : Box ι
x y : ι → ℝ
I J : WithBot (Box ι)
⊢ ↑I = ↑J ↔ I = J
---
Next tactic:
---
simp only [Subset.antisymm_iff, ← le_antisymm_iff, withBotCoe_subset_iff]
---

Tactic state:
---
m n : ℕ
h : Nat.coprime m n
⊢ Nat.gcd m n = 1
---
Next tactic:
---
rw [← h.gcd_eq_one]
---

Tactic state:
---
%s
---
Next tactic:
---`.slice(1);

/** Lean's multi-goal tactic state as LeanDojo prints it (the Llemma prompts' examples): goals separated by a blank line. */
export function tacticState(goals: readonly string[]): string {
  return goals.length === 0 ? 'no goals' : goals.join('\n\n');
}

// Python's `template % state` replaces the slot once and inserts the state verbatim; a replacer function keeps
// `$&`-style patterns in goals from being interpreted by String.prototype.replace.
const llemmaFewshot: PromptFormat = {
  name: 'llemma-fewshot',
  stop: ['---'],
  render: (ctx) => llemmaFewshotTemplate.replace('%s', () => tacticState(ctx.goals)),
  target: (tactic) => `\n${tactic}\n---`,
  parseCompletion: (completion) => completion.trim(),
};

/**
 * Statement, tactics so far and current goals in the same section layout as the few-shot prompt, for models
 * trained by this project (which see the whole proof prefix, not only the goals). Multi-line tactics are fine:
 * only `---` ends a completion.
 */
const proofPrefix: PromptFormat = {
  name: 'proof-prefix',
  stop: ['---'],
  render: (ctx) =>
    [
      'Complete the Lean 4 proof with its next tactic.',
      '',
      'Theorem:',
      '---',
      ctx.theorem ?? '(unknown)',
      '---',
      'Tactics so far:',
      '---',
      ctx.tactics && ctx.tactics.length > 0 ? ctx.tactics.join('\n') : '(none)',
      '---',
      'Tactic state:',
      '---',
      tacticState(ctx.goals),
      '---',
      'Next tactic:',
      '---',
    ].join('\n'),
  target: (tactic) => `\n${tactic}\n---`,
  parseCompletion: (completion) => completion.trim(),
};

const formats: ReadonlyMap<string, PromptFormat> = new Map([llemmaFewshot, proofPrefix].map((f) => [f.name, f]));

export const promptFormatNames: readonly string[] = [...formats.keys()];

export function isPromptFormatName(name: string): boolean {
  return formats.has(name);
}

export function getPromptFormat(name: string): PromptFormat {
  const format = formats.get(name);
  if (!format) throw new Error(`unknown prompt format "${name}" (known: ${promptFormatNames.join(', ')})`);
  return format;
}

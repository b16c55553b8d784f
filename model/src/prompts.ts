// Prompt formats: the one place that turns a proof state into model input and model output into a tactic.
// Serving and the training workspace's data preparation both use this module, so a model is trained on exactly
// the text it is later shown. A model folder names its format in config.json (`llemma.prompt_format`); a state from
// Isabelle is shown in the Isabelle format whatever the folder names (`promptFormatFor`).

import type { RetrievalExample } from './retrieval/buildIndex';

/** What a prompt can be built from: the state of a proof in progress. */
export interface ProofContext {
  /** The theorem statement as Lean source, e.g. `theorem foo (n : ℕ) : n + 0 = n` (without `:= by`). */
  theorem?: string;
  /** Tactics already applied, in order. */
  tactics?: readonly string[];
  /** The current goals, pretty-printed by Lean (hypotheses, then `⊢ target`), one string per goal. */
  goals: readonly string[];
  /**
   * The prover the state comes from; absent: Lean. From Isabelle, `theorem` is the statement as written
   * (`lemma foo: "…"`), `tactics` the proof's steps so far, and `goals` one string: the state as Isabelle prints it
   * (`goal (1 subgoal):` and the numbered subgoals, ASCII symbols such as `\<And>`).
   */
  prover?: 'isabelle';
  /**
   * Lean only: the goal-known (goal, tactic) pairs of the file above the proof (`fileExamples` of
   * @llemma/prover-text/lean: earlier theorems' first tactics, `have`/`show`/`calc` blocks), for the `file` source.
   * Prompts do not show them.
   */
  fileExamples?: readonly RetrievalExample[];
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

/**
 * The Isabelle counterpart of `proof-prefix`: the statement, the proof's steps so far and the state as Isabelle
 * prints it, in the same section layout; a completion is one proof step (`apply …`, `by …`), ended by `---`. Used for
 * every state from Isabelle: the Lean formats' words (tactic, Lean 4) would misname what the model is shown.
 */
export const isabelleProofPrefix: PromptFormat = {
  name: 'isabelle-proof-prefix',
  stop: ['---'],
  render: (ctx) =>
    [
      'Complete the Isabelle proof with its next step.',
      '',
      'Lemma:',
      '---',
      ctx.theorem?.trim() || '(unknown)',
      '---',
      'Steps so far:',
      '---',
      ctx.tactics && ctx.tactics.length > 0 ? ctx.tactics.join('\n') : '(none)',
      '---',
      'Proof state:',
      '---',
      ctx.goals.length === 0 ? 'No subgoals!' : ctx.goals.join('\n\n'),
      '---',
      'Next step:',
      '---',
    ].join('\n'),
  target: (tactic) => `\n${tactic}\n---`,
  parseCompletion: (completion) => completion.trim(),
};

/** The format a context is shown in: the Isabelle one for a state from Isabelle, else the model's own (`name`). */
export function promptFormatFor(name: string, context: Pick<ProofContext, 'prover'>): PromptFormat {
  return context.prover === 'isabelle' ? isabelleProofPrefix : getPromptFormat(name);
}

/**
 * The proof context a prompt of `format` was rendered from, read back, or undefined when `format` does not render
 * it into exactly this prompt. The layout is taken from the format itself (a context of markers rendered, the text
 * between them matched literally), so no prompt text is spelled twice. Empty parts come back empty: tactics written
 * as `(none)` are none. Several tactics come back as one block of lines, which renders the same. The training
 * workspace reads its examples' prompts with it, so that an evaluation shows a model exactly what it was trained on.
 */
export function readPrompt(format: PromptFormat, prompt: string): ProofContext | undefined {
  const marks = ['\u0001', '\u0002', '\u0003'] as const;
  const layout = format.render({ theorem: marks[0], tactics: [marks[1]], goals: [marks[2]] });
  const order: number[] = [];
  let pattern = '^';
  let rest = layout;
  for (;;) {
    const at = marks
      .map((m, i) => ({ i, at: rest.indexOf(m) }))
      .filter((x) => x.at >= 0)
      .sort((a, b) => a.at - b.at)[0];
    if (!at) break;
    pattern += escapeRegExp(rest.slice(0, at.at)) + '([\\s\\S]*)';
    order.push(at.i);
    rest = rest.slice(at.at + 1);
  }
  const m = new RegExp(`${pattern}${escapeRegExp(rest)}$`).exec(prompt);
  if (!m) return undefined;
  const part = (i: number) => {
    const k = order.indexOf(i);
    return k < 0 ? undefined : (m[k + 1] as string);
  };
  const theorem = part(0);
  const tactics = part(1);
  const goals = part(2);
  const candidates: ProofContext[] = [];
  for (const t of tactics === undefined ? [undefined] : [[], [tactics]]) {
    for (const g of goals === undefined ? [[]] : [[], [goals]]) {
      for (const th of theorem === undefined ? [undefined] : [undefined, theorem]) {
        candidates.push({ ...(th !== undefined ? { theorem: th } : {}), ...(t ? { tactics: t } : {}), goals: g });
      }
    }
  }
  return candidates.find((c) => format.render(c) === prompt);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

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

/**
 * The proof context of evaluated steps, for sources that read more than the goal (the neural model): the statement,
 * the tactics so far and the tactic state, read back from the step's training prompt by the prompt module itself
 * (`readPrompt`). A context counts only if the prompt format renders it into exactly that prompt, so the model is
 * shown what it was trained on, and nothing is guessed where the prompt is not in the format's layout.
 */
import { getPromptFormat, type ProofContext, readPrompt } from '@llemma/model';
import { jsonLines } from '../util/jsonLines';
import type { EvalStep } from './steps';

const stepKey = (s: { path: string; theorem: string; line: number; step: number }) =>
  `${s.path}\u0000${s.theorem}\u0000${s.line}\u0000${s.step}`;

/** The context a prompt was rendered from (model/src/prompts.ts reads it back), or undefined. */
export function contextOfPrompt(prompt: string, formatName: string): ProofContext | undefined {
  return readPrompt(getPromptFormat(formatName), prompt);
}

/** The contexts of `steps` (by index), read from the tactics file they came from; a step without one is absent. */
export async function readStepContexts(
  file: string,
  formatName: string,
  steps: readonly EvalStep[],
): Promise<Map<number, ProofContext>> {
  const wanted = new Map<string, number[]>();
  steps.forEach((s, i) => {
    const k = stepKey(s);
    wanted.set(k, [...(wanted.get(k) ?? []), i]);
  });
  const out = new Map<number, ProofContext>();
  for await (const row of jsonLines([file])) {
    if (row['inline'] === true) continue;
    const at = wanted.get(
      stepKey({
        path: String(row['path']),
        theorem: String(row['theorem']),
        line: Number(row['line']),
        step: Number(row['step']),
      }),
    );
    if (!at) continue;
    const context = contextOfPrompt(String(row['prompt']), formatName);
    if (context) for (const i of at) out.set(i, context);
  }
  return out;
}

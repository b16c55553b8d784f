/**
 * `llemma candidates` (formerly `llemma suggest`): the model's ranked next tactics for a tactic state, as they come.
 * Nothing here is screened or run by Lean, and the output says so; `llemma prove` and the editor's suggestions are
 * the checked ones. The model runtime is loaded only when the core first asks it.
 */
import type { CandidatesArgs } from './args';
import { coreFromArgs } from './coreFromArgs';
import { modelLine, printFailure, printJson, printText } from './output';

export async function runCandidates(args: CandidatesArgs, signal: AbortSignal): Promise<number> {
  const core = coreFromArgs(args);
  const budget = {
    n: args.n,
    beamWidth: args.beam ?? args.n,
    temperature: args.temperature,
    maxNewTokens: args.maxTokens,
  };
  try {
    const { n: candidates, ...rest } = budget;
    const { tactics, model, elapsedMs } = await core.candidates(
      { goals: [args.goal] },
      { candidates, ...rest, signal },
    );
    const ranked = tactics.map((t) => ({
      tactic: t.tactic,
      meanLogprob: t.meanLogprob,
      logprob: t.logprob,
      tokens: t.tokens,
      finishReason: t.finishReason,
    }));
    if (args.json) {
      // `checked: false`: no prover has run these.
      printJson({ checked: false, model, promptFormat: model.promptFormat, budget, elapsedMs, candidates: ranked });
      return 0;
    }
    const lines = [
      `model ${modelLine(model)} · prompt ${model.promptFormat}`,
      `${args.temperature === 0 ? `beam ${budget.beamWidth}` : `sampling T=${args.temperature}`}, ${ranked.length} of ${args.n} candidates, ≤ ${args.maxTokens} tokens · ${Math.round(elapsedMs)} ms`,
      'not checked by Lean: mean log-prob, tactic',
      '',
      ...ranked.map(
        (c, i) =>
          `${String(i + 1).padStart(3)}  ${c.meanLogprob.toFixed(3).padStart(7)}  ${c.tactic.replace(/\n/g, '⏎ ')}`,
      ),
    ];
    printText(`${lines.join('\n')}\n`);
    return 0;
  } catch (err) {
    return printFailure(args, err);
  } finally {
    await core.dispose();
  }
}

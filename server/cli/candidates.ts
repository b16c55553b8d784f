/**
 * `llemma candidates` (formerly `llemma suggest`): the ranked next tactics for a tactic state as the generator
 * gives them (retrieval, the model and the decision procedures merged, or the `--sources` chosen), each with its
 * source(s) and calibrated score. Nothing here is screened or run by Lean, and the output says so; `llemma prove`
 * and the editor's suggestions are the checked ones. The model runtime is loaded only when the core first asks it.
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
      source: t.source,
      sources: [...(t.sources ?? [t.source])],
      score: t.score,
      meanLogprob: t.meanLogprob,
      logprob: t.logprob,
      tokens: t.tokens,
      finishReason: t.finishReason,
    }));
    if (args.json) {
      // `checked: false`: no prover has run these.
      printJson({
        checked: false,
        model,
        promptFormat: model.promptFormat,
        sources: model.sources ?? [],
        budget,
        elapsedMs,
        candidates: ranked,
      });
      return 0;
    }
    const beyond =
      ranked.length > args.n ? ` (+${ranked.length - args.n} decision procedures, tried on every goal)` : '';
    const lines = [
      `model ${modelLine(model)}${model.provider === 'none' ? '' : ` · prompt ${model.promptFormat}`} · sources ${(model.sources ?? []).join(', ') || 'none'}`,
      ...(model.skippedSources ?? []).map((s) => `not used: ${s}`),
      // Beam and token limit are the neural model's budget: said only when it was asked.
      `${model.provider === 'none' ? '' : `${args.temperature === 0 ? `beam ${budget.beamWidth}` : `sampling T=${args.temperature}`}, `}${Math.min(ranked.length, args.n)} of ${args.n} candidates${beyond}${model.provider === 'none' ? '' : `, ≤ ${args.maxTokens} tokens`} · ${Math.round(elapsedMs)} ms`,
      'not checked by Lean: score (calibrated log-probability), source, tactic',
      '',
      ...ranked.map(
        (c, i) =>
          `${String(i + 1).padStart(3)}  ${c.score.toFixed(3).padStart(7)}  ${c.sources.join('+').padEnd(10)}  ${c.tactic.replace(/\n/g, '⏎ ')}`,
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

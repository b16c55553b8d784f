/**
 * `llemma suggest`: ranked next tactics for a tactic state, straight from the model. Nothing here is checked by Lean;
 * the output says so. The model runtime is imported lazily so that `llemma goal` never loads ONNX Runtime.
 */
import type { SuggestArgs } from './cliArgs';
import { cliMessage, printError, printJson, printText } from './cliOutput';
import { defaultModelSpec, embeddedModelFolder } from './modelHost';

export async function runSuggest(args: SuggestArgs, signal: AbortSignal): Promise<number> {
  const spec = args.model ?? defaultModelSpec();
  if (!spec) {
    return fail(
      args,
      `No model given and no default model at ${embeddedModelFolder}: pass --model <folder|url> or set LLEMMA_MODEL.`,
    );
  }
  const model = await import('../model/src/index');
  let generator: ReturnType<typeof model.createGenerator>;
  try {
    generator = model.createGenerator(spec, {
      sessionOptions: { executionProviders: args.ep ?? 'auto' },
      ...(args.generationGraph ? { generationGraph: args.generationGraph } : {}),
    });
  } catch (err) {
    return fail(args, (err as Error).message);
  }
  try {
    const info = await generator.info();
    const format = model.getPromptFormat(info.promptFormat);
    const prompt = format.render({ goals: [args.goal] });
    const started = performance.now();
    const candidates = await generator.generate(prompt, {
      n: args.n,
      beamWidth: args.beam ?? args.n,
      temperature: args.temperature,
      maxNewTokens: args.maxTokens,
      stop: format.stop,
      signal,
    });
    const elapsedMs = performance.now() - started;
    const ranked = candidates.map((c) => ({
      tactic: format.parseCompletion(c.text),
      meanLogprob: c.meanLogprob,
      logprob: c.logprob,
      tokens: c.tokenIds.length,
      finishReason: c.finishReason,
    }));
    const budget = {
      n: args.n,
      beamWidth: args.beam ?? args.n,
      temperature: args.temperature,
      maxNewTokens: args.maxTokens,
    };
    if (args.json) {
      // `checked: false`: no prover has run these; `llemma prove` and the editor's suggestions are the checked ones.
      printJson({ checked: false, model: info, promptFormat: format.name, budget, elapsedMs, candidates: ranked });
    } else {
      const where =
        'backend' in info ? `${info.url} (${info.model ?? 'default model'})` : `${info.folder} on ${info.provider}`;
      const skipped =
        'skippedProviders' in info && info.skippedProviders.length
          ? ` (skipped: ${info.skippedProviders.join('; ')})`
          : '';
      const graph = 'generationGraph' in info && info.generationGraph.used ? ` · ${info.generationGraph.reason}` : '';
      const lines = [
        `model ${where}${skipped}${graph} · prompt ${format.name}`,
        `${args.temperature === 0 ? `beam ${budget.beamWidth}` : `sampling T=${args.temperature}`}, ${ranked.length} of ${args.n} candidates, ≤ ${args.maxTokens} tokens · ${Math.round(elapsedMs)} ms`,
        'not checked by Lean: mean log-prob, tactic',
        '',
        ...ranked.map(
          (c, i) =>
            `${String(i + 1).padStart(3)}  ${c.meanLogprob.toFixed(3).padStart(7)}  ${c.tactic.replace(/\n/g, '⏎ ')}`,
        ),
      ];
      printText(`${lines.join('\n')}\n`);
    }
    return 0;
  } catch (err) {
    return fail(args, err instanceof Error ? err.message : String(err));
  } finally {
    await generator.dispose();
  }
}

function fail(args: SuggestArgs, message: string): number {
  if (args.json) printJson({ error: { message: cliMessage(message) } });
  printError(message);
  return 1;
}

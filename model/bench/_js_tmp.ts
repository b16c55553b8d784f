import { LocalGenerator } from '../src/localGenerator';
import { loadModelFolder } from '../src/modelFolder';
import { getPromptFormat } from '../src/prompts';
import { defaultShaped, ensureBenchModel } from './benchModels';
import { TimedDecoder } from './timedDecoder';
async function main() {
  const m = ensureBenchModel('.cache/bench-model', defaultShaped);
  const model = await loadModelFolder(m.dir, { executionProviders: ['cpu'], intraOpThreads: 2 });
  const timed = new TimedDecoder(model.decoder, 32);
  const gen = new LocalGenerator({ ...model, decoder: timed });
  const prompt = getPromptFormat('proof-prefix').render({ theorem: 'theorem x : abs ((120 : ℝ) / 100 * 30 - 130 / 100 * 20) = 10', goals: ['⊢ |120 / 100 * 30 - 130 / 100 * 20| = 10'] });
  await gen.generate(prompt, { n: 32, stop: ['---'], maxNewTokens: 8 });
  for (let r = 0; r < 3; r++) {
    timed.reset();
    const t = performance.now();
    await gen.generate(prompt, { n: 32, stop: ['---'], maxNewTokens: 64 });
    const ms = performance.now() - t; const s = timed.times;
    console.log('total', ms.toFixed(0), 'steps', s.steps, 'model ms/step', (s.stepMs / s.steps).toFixed(1), 'JS ms/step', ((ms - s.stepMs - s.prefillMs) / s.steps).toFixed(2));
  }
}
main();

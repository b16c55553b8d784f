import { LocalGenerator } from '../src/localGenerator';
import { getPromptFormat } from '../src/prompts';
import { defaultShaped, ensureBenchModel } from './benchModels';
async function main() {
  const m = ensureBenchModel('.cache/bench-model', defaultShaped);
  const gen = await LocalGenerator.load(m.dir, { executionProviders: ['cpu'], intraOpThreads: 2 });
  const prompt = getPromptFormat('proof-prefix').render({ theorem: 'theorem x : abs ((120 : ℝ) / 100 * 30 - 130 / 100 * 20) = 10', goals: ['⊢ |120 / 100 * 30 - 130 / 100 * 20| = 10'] });
  await gen.generate(prompt, { n: 32, stop: ['---'], maxNewTokens: 8 });
  const t = performance.now();
  await gen.generate(prompt, { n: 32, stop: ['---'], maxNewTokens: 64 });
  console.log('ms', performance.now() - t);
}
main();

import { LocalGenerator } from '/work/main/model/src/localGenerator';
import { getPromptFormat } from '/work/main/model/src/prompts';
import { tinyModelDir } from '/work/main/model/testing/fixture';
async function main() {
  const gen = await LocalGenerator.load(tinyModelDir, { executionProviders: ['cpu'] });
  const fmt = getPromptFormat('llemma-fewshot');
  const prompt = fmt.render({ goals: ['n : ℕ\nh : 0 < n\n⊢ n + 0 = n'] });
  const ids = gen.model.tokenizer.encode(prompt);
  console.log('prompt tokens', ids.length);
  const d = gen.model.decoder as any;
  let runMs = 0, runs = 0;
  const sess = d.session; const orig = sess.run.bind(sess);
  sess.run = async (f: any) => { const t = performance.now(); const r = await orig(f); runMs += performance.now() - t; runs++; return r; };
  const t0 = performance.now();
  const c = await gen.generate(prompt, { n: 32, stop: fmt.stop });
  const t = performance.now() - t0;
  console.log(`32-beam: ${t.toFixed(0)} ms, runs ${runs}, session.run ${runMs.toFixed(0)} ms, candidates ${c.length}, max tokens ${Math.max(...c.map(x=>x.tokenIds.length))}`);
  console.log(c.slice(0,3).map(x=>[x.finishReason, x.tokenIds.length, x.meanLogprob]));
}
main();

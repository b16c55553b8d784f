import { LocalGenerator } from '../src/localGenerator';
import { getPromptFormat } from '../src/prompts';
import { tinyModelDir } from '../testing/fixture';
async function main() {
  const gen = await LocalGenerator.load(tinyModelDir, { executionProviders: ['cpu'] });
  const fmt = getPromptFormat('llemma-fewshot');
  const prompt = fmt.render({ goals: ['n : ℕ\nh : 0 < n\n⊢ n + 0 = n'] });
  const d = gen.model.decoder as any;
  const times: number[] = [];
  const sess = d.session; const orig = sess.run.bind(sess);
  sess.run = async (f: any, g: any) => { const t = performance.now(); const r = await orig(f, g); times.push(performance.now() - t); return r; };
  const t0 = performance.now();
  await gen.generate(prompt, { n: 32, stop: fmt.stop });
  console.log('total', performance.now() - t0);
  const pr = (a: number[]) => a.map((x) => x.toFixed(0)).join(' ');
  console.log(pr(times.slice(0, 40)));
  console.log(pr(times.slice(200, 257)));
}
main();

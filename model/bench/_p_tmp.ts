import { readFileSync } from 'node:fs';
import { getPromptFormat } from '../src/prompts';
import { TextTokenizer } from '../src/tokenizer';
const tk = TextTokenizer.fromJson(JSON.parse(readFileSync('model/testing/tiny-llama/tokenizer.json', 'utf8')));
const ctx = {
  theorem: 'theorem mathd_algebra_10 : abs ((120 : ℝ) / 100 * 30 - 130 / 100 * 20) = 10',
  tactics: [],
  goals: ['⊢ |120 / 100 * 30 - 130 / 100 * 20| = 10'],
};
for (const f of ['proof-prefix', 'llemma-fewshot']) console.log(f, tk.encode(getPromptFormat(f).render(ctx)).length);

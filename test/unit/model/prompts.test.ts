// Prompt formats: the Llemma few-shot prompt is the paper's text byte for byte, and both formats render and
// parse the way serving and training rely on.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  getPromptFormat,
  isabelleProofPrefix,
  llemmaFewshotTemplate,
  promptFormatFor,
  promptFormatNames,
  readPrompt,
  tacticState,
} from '../../../model/src/prompts';

const root = join(__dirname, '..', '..', '..');
const shippedTemplate = join(root, 'model', 'prompts', 'llemma-fewshot.txt');
// The project's shared data folder sits inside or beside the checkout depending on the machine.
const sharedTemplate = ['shared', join('..', 'shared')]
  .map((d) => join(root, d, 'data', 'llemma-formal2formal', 'fewshot_prompt_template.txt'))
  .find((p) => existsSync(p));

describe('llemma-fewshot', () => {
  const format = getPromptFormat('llemma-fewshot');

  it('embeds model/prompts/llemma-fewshot.txt verbatim (one %s slot, no trailing newline)', () => {
    assert.equal(llemmaFewshotTemplate, readFileSync(shippedTemplate, 'utf8'));
    assert.equal(llemmaFewshotTemplate.split('%s').length, 2);
    assert.ok(llemmaFewshotTemplate.endsWith('Next tactic:\n---'));
    assert.ok(existsSync(join(root, 'model', 'prompts', 'LICENSE-MIT.txt')));
  });

  it('is identical to the shared data copy of proofsearch.py', (t) => {
    if (!sharedTemplate) {
      t.skip('shared/data/llemma-formal2formal is not on this machine');
      return;
    }
    assert.equal(llemmaFewshotTemplate, readFileSync(sharedTemplate, 'utf8'));
  });

  it('fills the slot like Python %-formatting, inserting goals verbatim', () => {
    const goals = ['x : ℕ\nh : x = $& + %s\n⊢ x = 1', '⊢ True'];
    const prompt = format.render({ goals });
    const [before, after] = llemmaFewshotTemplate.split('%s');
    assert.equal(prompt, `${before}x : ℕ\nh : x = $& + %s\n⊢ x = 1\n\n⊢ True${after}`);
    assert.deepEqual(format.stop, ['---']);
  });

  it('makes the training target the examples use, and parses a completion back to the tactic', () => {
    const target = format.target('rw [← h.gcd_eq_one]');
    assert.equal(target, '\nrw [← h.gcd_eq_one]\n---');
    assert.ok(llemmaFewshotTemplate.includes(`Next tactic:\n---${target}`), 'same layout as the few-shot examples');
    // Generation cuts at the stop string, leaving "\n<tactic>\n".
    assert.equal(format.parseCompletion('\n  simp at h\n'), 'simp at h');
  });
});

describe('proof-prefix', () => {
  const format = getPromptFormat('proof-prefix');

  it('shows the statement, the tactics so far and the goals', () => {
    const prompt = format.render({
      theorem: 'theorem t (a b : ℕ) (h : a = b) : b = a',
      tactics: ['subst h', 'skip'],
      goals: ['a : ℕ\n⊢ a = a'],
    });
    assert.equal(
      prompt,
      [
        'Complete the Lean 4 proof with its next tactic.',
        '',
        'Theorem:',
        '---',
        'theorem t (a b : ℕ) (h : a = b) : b = a',
        '---',
        'Tactics so far:',
        '---',
        'subst h\nskip',
        '---',
        'Tactic state:',
        '---',
        'a : ℕ\n⊢ a = a',
        '---',
        'Next tactic:',
        '---',
      ].join('\n'),
    );
    assert.equal(prompt + format.target('rfl'), `${prompt}\nrfl\n---`);
  });

  it('marks an empty proof and no goals explicitly', () => {
    const prompt = format.render({ theorem: 'theorem t : True', goals: [] });
    assert.ok(prompt.includes('Tactics so far:\n---\n(none)\n---'));
    assert.ok(prompt.includes('Tactic state:\n---\nno goals\n---'));
  });
});

describe('prompt format registry', () => {
  it('knows both formats and names the known ones for an unknown name', () => {
    assert.deepEqual([...promptFormatNames], ['llemma-fewshot', 'proof-prefix']);
    assert.throws(
      () => getPromptFormat('chatml'),
      /unknown prompt format "chatml" \(known: llemma-fewshot, proof-prefix\)/,
    );
    assert.equal(tacticState(['⊢ a', '⊢ b']), '⊢ a\n\n⊢ b');
  });
});

describe('isabelle-proof-prefix', () => {
  const state = 'goal (1 subgoal):\n 1. \\<And>x. \\<exists>y. x = y';
  const ctx = {
    prover: 'isabelle' as const,
    theorem: 'lemma exists_equal: "\\<forall>x::nat. \\<exists>y. x = y"',
    tactics: ['apply (rule allI)'],
    goals: [state],
  };

  it('shows the lemma, the steps so far and the state as Isabelle prints it, in Isabelle’s words', () => {
    assert.equal(
      isabelleProofPrefix.render(ctx),
      [
        'Complete the Isabelle proof with its next step.',
        '',
        'Lemma:',
        '---',
        'lemma exists_equal: "\\<forall>x::nat. \\<exists>y. x = y"',
        '---',
        'Steps so far:',
        '---',
        'apply (rule allI)',
        '---',
        'Proof state:',
        '---',
        'goal (1 subgoal):',
        ' 1. \\<And>x. \\<exists>y. x = y',
        '---',
        'Next step:',
        '---',
      ].join('\n'),
    );
    assert.doesNotMatch(isabelleProofPrefix.render(ctx), /Lean|tactic/i);
    assert.match(
      isabelleProofPrefix.render({ prover: 'isabelle', goals: [] }),
      /\(unknown\)[\s\S]*\(none\)[\s\S]*No subgoals!/,
    );
  });

  it('makes the training target and reads a step back, as the Lean formats do', () => {
    assert.equal(isabelleProofPrefix.target('by blast'), '\nby blast\n---');
    assert.equal(isabelleProofPrefix.parseCompletion(' by blast \n'), 'by blast');
    assert.deepEqual(isabelleProofPrefix.stop, ['---']);
    const { prover: _, ...plain } = ctx;
    assert.deepEqual(readPrompt(isabelleProofPrefix, isabelleProofPrefix.render(ctx)), plain);
  });

  it('is the format of every state from Isabelle, whatever format the model names; Lean states keep the model’s', () => {
    for (const name of promptFormatNames) {
      assert.equal(promptFormatFor(name, { prover: 'isabelle' }), isabelleProofPrefix);
      assert.equal(promptFormatFor(name, {}), getPromptFormat(name));
    }
    // It is not a model folder's format: config.json still names one of the Lean formats.
    assert.ok(!promptFormatNames.includes(isabelleProofPrefix.name));
  });
});

describe('readPrompt', () => {
  it('reads back the context a prompt was rendered from, empty parts empty, for either format', () => {
    const prefix = getPromptFormat('proof-prefix');
    const full = { theorem: 'theorem t (n : ℕ) : n = n', tactics: ['intro\n  simp'], goals: ['n : ℕ\n⊢ n = n'] };
    assert.deepEqual(readPrompt(prefix, prefix.render(full)), full);
    assert.deepEqual(readPrompt(prefix, prefix.render({ goals: [] })), { goals: [], tactics: [] });
    // Several tactics come back as one block of lines, which renders the same prompt.
    const two = prefix.render({ ...full, tactics: ['intro', 'simp'] });
    assert.equal(prefix.render(readPrompt(prefix, two)!), two);
    const fewshot = getPromptFormat('llemma-fewshot');
    assert.deepEqual(readPrompt(fewshot, fewshot.render({ goals: ['⊢ a', '⊢ b'] })), { goals: ['⊢ a\n\n⊢ b'] });
    assert.equal(readPrompt(prefix, fewshot.render({ goals: ['⊢ a'] })), undefined);
    assert.equal(readPrompt(prefix, 'Theorem: x'), undefined);
  });
});

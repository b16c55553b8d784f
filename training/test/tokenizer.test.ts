import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextTokenizer } from '@llemma/model';
import { trainBpe } from '../src/tokenizer/bpe';
import { normalize, splitWords } from '../src/tokenizer/pretokenize';
import { chooseAlphabet } from '../src/tokenizer/stage';
import { buildTokenizerJson, leanSymbols, TrainedTokenizer } from '../src/tokenizer/tokenizerJson';

const corpus = [
  'theorem add_zero (n : ℕ) : n + 0 = n := by\n  simp',
  'theorem foo (a b : ℝ) (h : a ≤ b) : a - b ≤ 0 := by\n  linarith',
  'lemma bar (s : Finset ℕ) : ∑ i ∈ s, 0 = 0 := by\n  simp only [Finset.sum_const_zero]',
  'example (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  exact ⟨hp, hq⟩',
  'theorem baz : ∀ ε > 0, ∃ δ > 0, δ < ε := by\n  intro ε hε\n  exact ⟨ε / 2, by positivity, by linarith⟩',
  'Complete the Lean 4 proof with its next tactic.\n\nTheorem:\n---\ntheorem t (x : ℤ) : x ≠ x + 1\n---\nNext tactic:\n---',
];

function wordCounts(texts: readonly string[], copies = 20): Map<string, number> {
  const words = new Map<string, number>();
  for (let i = 0; i < copies; i++) {
    for (const t of texts) for (const w of splitWords(normalize(t))) words.set(w, (words.get(w) ?? 0) + 1);
  }
  return words;
}

function trained(vocabSize = 700) {
  const words = wordCounts(corpus);
  const alphabet = chooseAlphabet(words, 0.9999);
  return buildTokenizerJson(trainBpe(words, { alphabet, maxPieces: vocabSize - 259, minPairCount: 2 }));
}

describe('pre-tokenizer', () => {
  it('splits normalised text into Lean-shaped words that cover it', () => {
    const text = '  simp only [Nat.succ_le_iff, h₁] at h ⊢\n\n  exact ⟨_, rfl⟩';
    const words = splitWords(normalize(text));
    assert.equal(words.join(''), normalize(text));
    // The normaliser's leading ▁ and two spaces: the last ▁ stays with the word.
    assert.deepEqual(words.slice(0, 6), ['▁▁', '▁simp', '▁only', '▁[', 'Nat.succ_le_iff', ',']);
    assert.ok(words.includes('\n\n'));
    assert.ok(words.includes('▁⟨'));
  });
});

describe('BPE training', () => {
  it('merges the most frequent pair first, ties by the pieces’ order', () => {
    const words = new Map([
      ['abab', 3],
      ['cd', 3],
      ['ab', 1],
    ]);
    const { merges, pieces } = trainBpe(words, { alphabet: ['a', 'b', 'c', 'd'], maxPieces: 7, minPairCount: 2 });
    assert.deepEqual(merges, [
      ['a', 'b'],
      ['ab', 'ab'],
      ['c', 'd'],
    ]);
    assert.deepEqual(pieces.slice(4), ['ab', 'abab', 'cd']);
  });

  it('is deterministic', () => {
    assert.deepEqual(trained().json, trained().json);
  });
});

describe('tokenizer.json', () => {
  const file = trained();
  const tok = new TrainedTokenizer(file.json);

  it('has the Llama 2 layout and at most the requested size', () => {
    // A corpus this small runs out of pairs seen twice before 700 ids.
    assert.ok(file.vocabSize > 600 && file.vocabSize <= 700, String(file.vocabSize));
    assert.equal(tok.tokenId('<unk>'), 0);
    assert.equal(tok.tokenId('<s>'), 1);
    assert.equal(tok.tokenId('</s>'), 2);
    assert.equal(tok.tokenId('<0x00>'), 3);
    assert.equal(tok.tokenId('<0xFF>'), 258);
    assert.equal(tok.encode('x')[0], 1, 'the post-processor puts <s> first');
  });

  it('loads in the runtime’s tokenizer and round-trips Lean text, including unseen characters', () => {
    const runtime = TextTokenizer.fromJson(file.json);
    for (const text of [...corpus, '  rw [← h₂] at h₃ -- 🎉 unseen emoji', ' leading space', 'h .1 ▸ rfl']) {
      const ids = runtime.encode(text);
      assert.deepEqual(ids, tok.encode(text));
      assert.equal(runtime.decode(ids), text);
    }
    assert.ok(
      tok.tokens('🎉').some((p) => p.startsWith('<0x')),
      'unknown characters fall back to bytes',
    );
  });

  it('encodes every common Lean/Mathlib symbol as one whole token', () => {
    for (const symbol of [...new Set(leanSymbols)]) {
      const pieces = tok.tokens(symbol).filter((p) => p !== '▁');
      assert.equal(pieces.length, 1, `${symbol} → ${pieces.join(' ')}`);
      assert.ok(!pieces[0]?.startsWith('<0x'), `${symbol} is not a byte fallback`);
      assert.equal(tok.decode(tok.encode(symbol)), symbol);
      const inContext = tok.tokens(`(h : a ${symbol} b)`).filter((p) => p.includes(symbol));
      assert.equal(inContext.length, 1, `${symbol} in context`);
    }
  });

  it('encodes a prompt as a prefix of prompt + target (the seam the pack stage relies on)', () => {
    const prompt = corpus[5] as string;
    for (const target of ['\nsimp\n---', '\nexact ⟨hp, hq⟩\n---', '\n  intro x\n  simp\n---']) {
      const whole = tok.encode(prompt + target);
      const promptIds = tok.encode(prompt);
      assert.deepEqual(whole.slice(0, promptIds.length), promptIds);
      assert.deepEqual([...promptIds, ...tok.encodeContinuation(target)], whole);
    }
  });
});

// Normalised tokens, exact keys, MinHash + LSH (training/src/data/tokens.ts, dedup.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { estimatedJaccard, exactKey, LshIndex, minHasher } from '../src/data/dedup';
import { ngramHashes, tokenHashes, tokenStrings } from '../src/data/tokens';
import { mathlibLike } from './helpers';

describe('normalised tokens', () => {
  test('lowercase, no whitespace or brackets, one word per unit with the symbols after it; Unicode kept', () => {
    const text = 'theorem Foo (n : ℕ) (h₀ : 0 < n) : Nat.succ n ≠ 0 := by\n  simp [h₀]; 𝓝 x';
    assert.deepEqual(tokenStrings(text).tokens, [
      'theorem',
      'foo',
      'n :',
      'ℕ',
      'h₀ :',
      '0 <',
      'n :',
      'nat.succ',
      'n ≠',
      '0 : =',
      'by',
      'simp',
      'h₀ ;',
      '𝓝',
      'x',
    ]);
  });

  test('unit hashes are equal up to case, whitespace and brackets, and differ otherwise', () => {
    const a = tokenHashes('(x  y : ℝ)\n\t: x + y = y + x');
    const b = tokenHashes('{X y:ℝ} : (x+y) = Y+x');
    const c = tokenHashes('(x y : ℝ) : x - y = y + x');
    assert.equal(a.count, tokenStrings('(x y : ℝ) : x + y = y + x').tokens.length);
    assert.deepEqual([...a.a], [...b.a]);
    assert.deepEqual([...a.b], [...b.b]);
    assert.notDeepEqual([...a.a], [...c.a]);
  });

  test('exact keys are equal up to case and the amount of whitespace, and differ otherwise', () => {
    const key = (t: string) => exactKey(tokenHashes(t));
    const text = '(x  y : ℝ)\n\t: x + y = y + x';
    assert.equal(key(text), key(' (X Y : ℝ) : X + Y = Y + X\n\n'));
    assert.notEqual(key(text), key('(x y:ℝ) : x + y = y + x'));
    assert.notEqual(key(text), key('x y : ℝ : x + y = y + x'));
  });

  test('rolling n-gram hashes equal hashing each window on its own', () => {
    const text = 'a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f';
    const whole = ngramHashes(tokenHashes(text), 13);
    const words = text.split(' ');
    for (let i = 0; i + 13 <= words.length; i++) {
      const alone = ngramHashes(tokenHashes(words.slice(i, i + 13).join(' ')), 13);
      assert.equal(whole.hi[i], alone.hi[0]);
      assert.equal(whole.lo[i], alone.lo[0]);
    }
    assert.equal(whole.count, words.length - 12);
  });
});

describe('MinHash and LSH', () => {
  const hasher = minHasher(128, 5, 42);
  const base = mathlibLike('Widget', 12, 1);
  const sig = (text: string) => hasher.signature(tokenHashes(text)) as Uint32Array;

  test('signatures are deterministic for a seed and differ between seeds', () => {
    assert.deepEqual([...sig(base)], [...sig(base)]);
    assert.notDeepEqual([...sig(base)], [...(minHasher(128, 5, 43).signature(tokenHashes(base)) as Uint32Array)]);
    assert.equal(hasher.signature(tokenHashes('too short')), undefined);
  });

  test('the estimate tracks the true Jaccard similarity of the shingle sets', () => {
    const edited = base.replace('Widget_add_105', 'Gadget_add_105').replace(/omega/, 'linarith');
    const other = mathlibLike('Sprocket', 12, 7);
    assert.equal(estimatedJaccard(sig(base), sig(base)), 1);
    assert.ok(estimatedJaccard(sig(base), sig(edited)) > 0.85);
    assert.ok(estimatedJaccard(sig(base), sig(other)) < 0.5);
  });

  test('the index finds a near duplicate of an indexed document and nothing for a different one', () => {
    const lsh = new LshIndex(128, 32, 0.8);
    lsh.add(0, sig(base));
    lsh.add(1, sig(mathlibLike('Sprocket', 12, 7)));
    const edited = base.replace('Widget_add_103', 'Widget_add_one_hundred_three');
    const match = lsh.query(sig(edited));
    assert.equal(match?.of, 0);
    assert.ok((match?.similarity ?? 0) >= 0.8);
    assert.equal(lsh.query(sig(mathlibLike('Cog', 12, 3))), undefined);
  });
});

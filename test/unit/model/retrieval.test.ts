// Retrieval over a tiny handmade index: goals are read as Lean prints them, tactics travel to the query's binder
// names, neighbours vote, and the file format round-trips and refuses damaged files.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildRetrievalIndex, type RetrievalExample } from '../../../model/src/retrieval/buildIndex';
import { goalTerms, parseGoal, targetConstants, targetShape, tokens } from '../../../model/src/retrieval/goalText';
import {
  decodeRetrievalIndex,
  encodeRetrievalIndex,
  RetrievalFileError,
  retrievalFileName,
} from '../../../model/src/retrieval/indexFile';
import { LazyRetrieval } from '../../../model/src/retrieval/loadRetrieval';
import { binderProfiles, instantiate, matchSlots, templateOf } from '../../../model/src/retrieval/renaming';
import { defaultRetrievalParams, RetrievalIndex } from '../../../model/src/retrieval/retrievalIndex';

describe('goals as Lean prints them', () => {
  it('reads grouped binders, continuation lines, case tags and only the first goal', () => {
    const goal = parseGoal('case succ\nx y : ℕ\nh : x <\n  y + 1\n⊢ x ≤\n  y\n\nz : ℤ\n⊢ z = z');
    assert.deepEqual(goal.hyps, [
      { names: ['x', 'y'], type: 'ℕ' },
      { names: ['h'], type: 'x < y + 1' },
    ]);
    assert.equal(goal.target, 'x ≤ y');
  });

  it('splits identifiers (dotted names whole), numbers and single symbols', () => {
    assert.deepEqual(tokens('Nat.succ_le_iff h₀.le (x⁻¹ ≤ 10)'), [
      'Nat.succ_le_iff',
      'h₀.le',
      '(',
      'x',
      '⁻',
      '¹',
      '≤',
      '10',
      ')',
    ]);
  });

  it('weights the target, abstracts binder names and leaves out brackets', () => {
    const terms = goalTerms(parseGoal('n : ℕ\n⊢ f (n + 0) = n'), { targetWeight: 2, shapeWeight: 0, stepWeight: 0 });
    assert.deepEqual(Object.fromEntries(terms), { ℕ: 1, f: 2, '·': 4, '+': 2, '0': 2, '=': 2 });
  });
});

describe('goal shape, step and constants', () => {
  it('names the first token, the loosest top-level connective and the head of its right side', () => {
    assert.deepEqual(targetShape(tokens('a ∧ b ↔ (c ↔ d)')), ['⊢^a', '⊢~↔', '⊢>(']);
    assert.deepEqual(targetShape(tokens('∀ x, f x = 0')), ['⊢^∀', '⊢~∀']);
    assert.deepEqual(targetShape(tokens('Continuous f')), ['⊢^Continuous', '⊢~atom']);
    const terms = goalTerms(parseGoal('⊢ p ∧ q'), { targetWeight: 1, shapeWeight: 3, stepWeight: 10 }, 'first');
    assert.equal(terms.get('⊢~∧'), 3);
    assert.equal(terms.get('⊢#first'), 10);
  });

  it('lists the target constants a tactic may name, not binders or short bound names', () => {
    const goal = parseGoal('s : Set α\n⊢ ∀ x ∈ s, edist x (Nat.succ x) ≤ infEdist x s');
    assert.deepEqual(targetConstants(goal), ['edist', 'Nat.succ', 'infEdist']);
  });

  it('carries an unfolded constant over to the query target’s constant in the same place', () => {
    const index = buildRetrievalIndex([{ goal: 'a b : ℕ\n⊢ dist a b = dist b a', tactic: 'simp [dist, a]' }], {
      ...defaultRetrievalParams,
      neighbours: 1,
    });
    assert.deepEqual(
      index.query('x y : ℕ\n⊢ edist x y = edist y x', 1).map((c) => c.tactic),
      ['simp [edist, x]'],
    );
  });

  it('prefers neighbours of the same step when the caller says which', () => {
    const index = buildRetrievalIndex(
      [
        { goal: 'n : ℕ\n⊢ 0 < n + 1', tactic: 'omega', step: 'later' },
        { goal: 'n : ℕ\n⊢ 0 < n + 1', tactic: 'intro', step: 'first' },
      ],
      { ...defaultRetrievalParams, neighbours: 1 },
    );
    assert.equal(index.query('m : ℕ\n⊢ 0 < m + 1', 1, { step: 'later' })[0]?.tactic, 'omega');
    assert.equal(index.query('m : ℕ\n⊢ 0 < m + 1', 1, { step: 'first' })[0]?.tactic, 'intro');
  });
});

describe('renaming', () => {
  it('turns references to the goal binders into slots, dotted heads included, other names untouched', () => {
    const t = templateOf('rw [h₀, h₀.le, hx, Nat.add_comm x]', ['h₀', 'x']);
    assert.deepEqual(t.names, ['h₀', 'x']);
    assert.equal(instantiate(t.text, ['ha', 'a'], t.names), 'rw [ha, ha.le, hx, Nat.add_comm a]');
    assert.equal(instantiate(t.text, [undefined, 'a'], t.names), 'rw [h₀, h₀.le, hx, Nat.add_comm a]');
  });

  it('fills each slot with the query binder of the most similar type, each used once while possible', () => {
    const entry = binderProfiles(parseGoal('a b : ℝ\nha : 0 < a\nhb : b ≠ 0\n⊢ a / b > 0'));
    const query = binderProfiles(parseGoal('x y : ℝ\nhy : y ≠ 0\nhx : 0 < x\n⊢ x / y > 0'));
    const slots = ['ha', 'hb', 'a', 'b'].map((n) => entry.find((p) => p.name === n)!);
    assert.deepEqual(matchSlots(slots, query), ['hx', 'hy', 'x', 'y']);
  });

  it('prefers a binder of the same name and leaves a slot with nothing alike unfilled', () => {
    const entry = binderProfiles(parseGoal('h : p ∧ q\n⊢ q'));
    assert.deepEqual(matchSlots(entry, binderProfiles(parseGoal('h : r ∨ s\nh₂ : p ∧ q\n⊢ q'))), ['h₂']);
    assert.deepEqual(matchSlots(entry, binderProfiles(parseGoal('g : ℕ → ℕ\n⊢ q'))), [undefined]);
  });
});

const examples: RetrievalExample[] = [
  { goal: 'n : ℕ\n⊢ n + 0 = n', tactic: 'simp' },
  { goal: 'm : ℕ\n⊢ 0 + m = m', tactic: 'simp' },
  { goal: 'a b : ℕ\nhab : a = b\n⊢ b = a', tactic: 'rw [hab]' },
  { goal: 'x y : ℤ\nh : x = y\n⊢ y = x', tactic: 'exact h.symm' },
  { goal: 'p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q', tactic: 'exact ⟨hp, hq⟩' },
  { goal: 's : Set ℕ\n⊢ s ∩ s = s', tactic: 'ext x' },
];

describe('queries', () => {
  const index = buildRetrievalIndex(examples, { ...defaultRetrievalParams, neighbours: 3 });

  it('ranks the tactics of the nearest goals first, renamed to the query', () => {
    const got = index.query('u v : ℕ\nhuv : u = v\n⊢ v = u', 3, { neighbours: 1 });
    assert.deepEqual(got, [{ tactic: 'rw [huv]', share: 1, score: 0 }]);
    const wider = index.query('u v : ℕ\nhuv : u = v\n⊢ v = u', 8, { neighbours: 6 });
    assert.ok(wider.some((c) => c.tactic === 'exact huv.symm'));
    assert.ok(Math.abs(got.reduce((s, c) => s + c.share, 0) - 1) < 1e-9);
  });

  it('adds up the votes for the same tactic and answers nothing for a goal with no known token', () => {
    assert.equal(index.query('k : ℕ\n⊢ k + 0 = k', 1)[0]?.tactic, 'simp');
    assert.deepEqual(index.query('⊢ ⨆ ⨅', 5), []);
  });

  it('keeps the most frequent tactics for filling up', () => {
    assert.equal(index.tables.frequent[0], 'simp');
  });

  it('can drop a tactic whose binders have no counterpart in the query', () => {
    const got = index.query('f : ℕ → ℕ\n⊢ p ∧ q', 5, { unmatched: 'drop' });
    assert.ok(!got.some((c) => c.tactic.includes('hp')));
  });

  it('uses a calibration table for the score', () => {
    const calibrated = new RetrievalIndex({
      ...index.tables,
      calibration: { shares: [0.5, 1], logProbabilities: [-3, -1] },
    });
    const got = calibrated.query('u v : ℕ\nhuv : u = v\n⊢ v = u', 2);
    assert.equal(got.length, 2);
    for (const c of got) assert.equal(c.score, c.share <= 0.5 ? -3 : -1);
  });
});

describe('retrieval.bin', () => {
  const index = buildRetrievalIndex(examples, defaultRetrievalParams, { shares: [1], logProbabilities: [-2] });

  it('round-trips: the decoded index answers exactly as the built one', () => {
    const bytes = encodeRetrievalIndex(index.tables, { examples: examples.length });
    const { tables, provenance } = decodeRetrievalIndex(bytes);
    assert.deepEqual(provenance, { examples: examples.length });
    const decoded = new RetrievalIndex(tables);
    for (const ex of examples) assert.deepEqual(decoded.query(ex.goal, 8), index.query(ex.goal, 8));
    // A copy at an odd offset (as inside a larger buffer) still decodes.
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    assert.deepEqual(new RetrievalIndex(decodeRetrievalIndex(shifted.subarray(1)).tables).query('n : ℕ\n⊢ n = n', 2), [
      ...index.query('n : ℕ\n⊢ n = n', 2),
    ]);
  });

  it('refuses other files, other versions and inconsistent tables', () => {
    const bytes = encodeRetrievalIndex(index.tables);
    assert.throws(() => decodeRetrievalIndex(new TextEncoder().encode('{"not": "an index"}')), RetrievalFileError);
    const version = bytes.slice();
    new DataView(version.buffer).setUint32(4, 99, true);
    assert.throws(() => decodeRetrievalIndex(version), /format 99/);
    const broken = encodeRetrievalIndex({ ...index.tables, entryTemplate: Uint32Array.from([0, 0, 0, 0, 0, 999]) });
    assert.throws(() => decodeRetrievalIndex(broken), /entryTemplate has 999/);
  });

  it('is optional in a model folder and loaded once, on the first query', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llemma-retrieval-'));
    try {
      assert.deepEqual(await new LazyRetrieval(dir).query('⊢ True', 4), []);
      writeFileSync(join(dir, retrievalFileName), encodeRetrievalIndex(index.tables));
      const lazy = new LazyRetrieval(dir);
      assert.equal((await lazy.query('k : ℕ\n⊢ k + 0 = k', 1))[0]?.tactic, 'simp');
      assert.equal(await lazy.index(), await lazy.index());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

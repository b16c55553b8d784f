// The key/value cache's rows reordered in place (beam forks, the batch shrinking) against plain gathers, and the
// ONNX decoder's cache rules on the tiny model: exact after reordering, never reused once consumed.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mulberry32 } from '@llemma/stdx';
import { placeRows } from '../../../model/src/beamSearch';
import { type LoadedModel, loadModelFolder } from '../../../model/src/modelFolder';
import { inPlaceMoves, type KvCache, type StepOutput } from '../../../model/src/onnxDecoder';
import { testSessionOptions, tinyModelDir, tinyWeights } from '../../../model/testing/fixture';
import { referenceLogits } from '../../../model/testing/referenceForward';

const _close = (a: number, b: number, eps: number, what = '') =>
  assert.ok(Math.abs(a - b) <= eps, `${what} ${a} vs ${b} (|diff| ${Math.abs(a - b)})`);

describe('in-place reordering of cache rows', () => {
  /** Applies moves to an array of row labels in order, as copyWithin would. */
  const applyMoves = (labels: number[], moves: Array<[number, number]>) => {
    const out = [...labels];
    for (const [dst, src] of moves) out[dst] = out[src]!;
    return out;
  };

  const hasCycle = (rows: number[]) =>
    rows.some((_, start) => {
      let j = start;
      for (let steps = 0; steps <= rows.length; steps++) {
        const src = rows[j]!;
        if (src === j || src >= rows.length) return false;
        j = src;
        if (j === start) return true;
      }
      return false;
    });

  it('inPlaceMoves reproduces every gather it accepts and refuses only cycles', () => {
    const rand = mulberry32(3);
    let accepted = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const old = 1 + Math.floor(rand() * 9);
      const m = 1 + Math.floor(rand() * old);
      const rows = Array.from({ length: m }, () => Math.floor(rand() * old));
      const moves = inPlaceMoves(rows);
      if (moves === null) {
        // A refusal must be a real cycle of moves (j reads rows[j], which is itself overwritten, ... back to j).
        assert.ok(hasCycle(rows), `refused ${rows}`);
        continue;
      }
      accepted++;
      const labels = Array.from({ length: old }, (_, i) => i);
      assert.deepEqual(applyMoves(labels, moves).slice(0, m), rows, `rows ${rows}`);
      assert.equal(moves.length, rows.filter((s, j) => s !== j).length, 'each moved row is copied once');
    }
    assert.ok(accepted > 1000);
    assert.equal(inPlaceMoves([1, 0]), null);
    assert.deepEqual(inPlaceMoves([0, 1, 2]), []);
  });

  it('placeRows keeps first children in their parent row and never needs a second buffer', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 2000; trial++) {
      const old = 1 + Math.floor(rand() * 12);
      const count = 1 + Math.floor(rand() * 12);
      const parentRows = Array.from({ length: count }, () => Math.floor(rand() * old));
      const { source, rowOf } = placeRows(parentRows);
      assert.equal(source.length, count);
      assert.deepEqual(
        [...rowOf].sort((a, b) => a - b),
        [...source.keys()],
        'a bijection beams → rows',
      );
      parentRows.forEach((p, i) => {
        assert.equal(source[rowOf[i]!], p, 'each beam reads its parent');
        if (p < count && parentRows.indexOf(p) === i) assert.equal(rowOf[i], p, 'first child stays in place');
      });
      if (count <= old) {
        const moves = inPlaceMoves(source);
        assert.ok(moves, `in place for ${parentRows}`);
        const forks = parentRows.filter((p, i) => !(p < count && parentRows.indexOf(p) === i)).length;
        assert.equal(moves.length, forks, 'only forked (or displaced) beams are copied');
      }
    }
  });
});

describe('OnnxDecoder cache handling', () => {
  let model: LoadedModel;
  before(async () => {
    model = await loadModelFolder(tinyModelDir, testSessionOptions);
  });
  after(async () => {
    await model.release();
  });
  const prompts = [
    [1, 40, 41, 42, 43, 44],
    [1, 300, 301, 302, 303, 304, 305, 306],
    [1, 99],
  ];

  function check(out: StepOutput<KvCache>, sequences: number[][]): void {
    sequences.forEach((seq, row) => {
      const want = referenceLogits(tinyWeights(), seq).at(-1)!;
      let d = 0;
      want.forEach((v, j) => {
        d = Math.max(d, Math.abs(v - out.logits[row]![j]!));
      });
      assert.ok(d < 1e-3, `row ${row}: max |onnx - reference| = ${d}`);
    });
  }

  it('reorders rows in place (fork, then shrink) and stays exact', async () => {
    const d = model.decoder;
    let out = await d.prefill(prompts);
    // [0, 0, 1]: row 0 forks into row 1, row 1 moves to row 2; no cycle, so no second buffer.
    assert.ok(inPlaceMoves([0, 0, 1]));
    out = await d.step(d.selectRows(out.cache, [0, 0, 1]), [7, 8, 9]);
    check(out, [
      [...prompts[0]!, 7],
      [...prompts[0]!, 8],
      [...prompts[1]!, 9],
    ]);
    // Shrink to [2, 0]: three rows become two.
    out = await d.step(d.selectRows(out.cache, [2, 0]), [10, 11]);
    check(out, [
      [...prompts[1]!, 9, 10],
      [...prompts[0]!, 7, 11],
    ]);
    // A swap is a cycle: gathered into a second buffer.
    out = await d.step(d.selectRows(out.cache, [1, 0]), [12, 13]);
    check(out, [
      [...prompts[0]!, 7, 11, 12],
      [...prompts[1]!, 9, 10, 13],
    ]);
    // Growing (one row to several) copies too.
    out = await d.step(d.selectRows(out.cache, [1, 1, 1]), [14, 15, 16]);
    check(out, [
      [...prompts[1]!, 9, 10, 13, 14],
      [...prompts[1]!, 9, 10, 13, 15],
      [...prompts[1]!, 9, 10, 13, 16],
    ]);
  });

  it('refuses a cache that step() or selectRows() already consumed', async () => {
    const d = model.decoder;
    const first = await d.prefill([prompts[0]!]);
    const second = await d.step(first.cache, [5]);
    await assert.rejects(d.step(first.cache, [5]), /consumed/);
    const selected = d.selectRows(second.cache, [0, 0]);
    assert.throws(() => d.selectRows(second.cache, [0]), /consumed/);
    assert.throws(() => d.selectRows(selected, [2]), RangeError);
  });

  it('the prompt split into (all but the last token) + one step gives the logits of one full run', async () => {
    // prefill of one unpadded prompt runs without fetching the prompt's logits, then steps its last token.
    const seq = [1, 300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310];
    const out = await model.decoder.prefill([seq]);
    assert.equal(out.cache.length, seq.length);
    assert.deepEqual(out.cache.nextPosition, [seq.length]);
    assert.equal(out.cache.mask, null);
    check(out, [seq]);
  });
});

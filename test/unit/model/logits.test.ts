// The runtime's table-driven exp, log-sum-exp and top-k against straightforward versions of the same thing.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '@llemma/stdx';
import { argmaxRow, expNonPositive, logSumExp, logSumExpMathExp, rowMax, topK } from '../../../model/src/logits';

const close = (a: number, b: number, eps: number, what = '') =>
  assert.ok(Math.abs(a - b) <= eps, `${what} ${a} vs ${b} (|diff| ${Math.abs(a - b)})`);

describe('logits helpers (fast paths)', () => {
  it('the table exp agrees with Math.exp to 1e-14 relative where terms matter', () => {
    for (let x = -60; x <= 0; x += 0.000731) {
      const e = Math.exp(x);
      assert.ok(Math.abs(expNonPositive(x) - e) <= 2e-15 * e + 1e-300, `exp(${x})`);
    }
    for (let x = -700; x <= -60; x += 0.0917) {
      const e = Math.exp(x);
      assert.ok(Math.abs(expNonPositive(x) - e) <= 2e-13 * e, `exp(${x})`);
    }
    assert.equal(expNonPositive(0), 1);
  });

  it('logSumExp equals the Math.exp version to 1e-13 on rows of every shape', () => {
    const rand = mulberry32(5);
    for (const [size, scale] of [
      [1, 1],
      [7, 3],
      [456, 20],
      [32000, 8],
      [32000, 200],
    ] as const) {
      const row = Float32Array.from({ length: size }, () => (rand() * 2 - 1) * scale);
      close(logSumExp(row, rowMax(row)), logSumExpMathExp(row), 1e-13, `size ${size} scale ${scale}`);
    }
    const withNaN = Float32Array.from([1, Number.NaN, 2]);
    assert.ok(Number.isNaN(logSumExp(withNaN, rowMax(withNaN))));
    const masked = Float32Array.from([Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY]);
    assert.equal(logSumExp(masked, rowMax(masked)), 0);
  });

  it('topK returns the k largest, largest first, ties in index order, for float32 rows and other arrays', () => {
    const rand = mulberry32(9);
    for (let trial = 0; trial < 200; trial++) {
      const size = 1 + Math.floor(rand() * 60);
      // Few distinct values, so that ties are common.
      const values = Array.from({ length: size }, () => Math.floor(rand() * 8) - 4);
      const k = Math.floor(rand() * (size + 3));
      const expected = [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b).slice(0, k);
      assert.deepEqual(topK(Float32Array.from(values), k), expected);
      assert.deepEqual(topK(Float64Array.from(values), k), expected);
    }
    assert.deepEqual(topK(Float32Array.from([1, 2]), 0), []);
    assert.equal(argmaxRow(Float32Array.from([3, 9, 9, 1])), 1);
  });
});

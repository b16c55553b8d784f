import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flagSegmentStart, flagTarget, RowPacker, ShardWriter } from '../src/pack/packer';
import type { PackIndex } from '../src/pack/packIndex';
import { runPackStage } from '../src/pack/stage';
import type { RunConfig } from '../src/run/config';
import { loadRunConfig } from '../src/run/loadConfig';
import { TrainedTokenizer } from '../src/tokenizer/tokenizerJson';
import { jsonLines } from '../src/util/jsonLines';
import { packedTinyRun } from './smokeFixture';

const segment = (n: number, first: number) => ({
  ids: Array.from({ length: n }, (_, i) => first + i),
  flags: Uint8Array.from({ length: n }, (_, i) => (i === 0 ? flagSegmentStart : flagTarget)),
});

describe('RowPacker', () => {
  it('places each segment whole, best fit, and pads the rest of a row', () => {
    const rows: number[][] = [];
    const flags: number[][] = [];
    const packer = new RowPacker(10, 99, (ids, f) => {
      rows.push([...ids]);
      flags.push([...f]);
    });
    packer.add(segment(6, 10)); // row A: 6
    packer.add(segment(5, 20)); // does not fit A: row B: 5
    packer.add(segment(4, 30)); // fits A exactly (room 4) rather than B (room 5): A is full and closed
    packer.add(segment(3, 40)); // B: 8
    packer.finish();
    assert.deepEqual(rows, [
      [10, 11, 12, 13, 14, 15, 30, 31, 32, 33],
      [20, 21, 22, 23, 24, 40, 41, 42, 99, 99],
    ]);
    assert.deepEqual(flags[1], [2, 1, 1, 1, 1, 2, 1, 1, 0, 0]);
    assert.equal(packer.wastedTokens, 2);
    assert.throws(() => packer.add(segment(11, 0)), RangeError);
  });
});

describe('ShardWriter', () => {
  it('writes little-endian uint16 tokens and uint8 flags, shardRows rows per file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'llemma-shards-'));
    try {
      const w = new ShardWriter(dir, 'train', 3, 2);
      for (let r = 0; r < 3; r++) w.write(Uint16Array.of(r, 256 + r, 65535), Uint8Array.of(2, 1, 0));
      const shards = w.close();
      assert.deepEqual(
        shards.map((s) => s.rows),
        [2, 1],
      );
      const bytes = readFileSync(path.join(dir, shards[1]?.tokens as string));
      assert.deepEqual([...bytes], [2, 0, 2, 1, 255, 255]);
      assert.deepEqual([...readFileSync(path.join(dir, shards[0]?.flags as string))], [2, 1, 0, 2, 1, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pack stage', () => {
  let dir: string;
  let run: RunConfig;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'llemma-pack-'));
    run = await packedTinyRun(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('packs every example as <s> prompt target </s>, with the loss on target and </s> only', async () => {
    const index = JSON.parse(readFileSync(path.join(run.runDir, 'pack', 'index.json'), 'utf8')) as PackIndex;
    const tok = new TrainedTokenizer(JSON.parse(readFileSync(path.join(run.runDir, 'tokenizer.json'), 'utf8')));
    assert.equal(index.row_len, 193);
    assert.equal(index.seam_mismatches, 0);
    const { shards, examples } = index.splits.train;
    const tokens: number[] = [];
    const flags: number[] = [];
    for (const s of shards) {
      const b = readFileSync(path.join(run.runDir, 'pack', s.tokens));
      for (let i = 0; i < b.length; i += 2) tokens.push(b.readUInt16LE(i));
      flags.push(...readFileSync(path.join(run.runDir, 'pack', s.flags)));
    }
    // Cut the rows back into segments (a start flag to the next, padding trimmed) and decode them.
    const packed: string[] = [];
    for (let row = 0; row < tokens.length; row += index.row_len) {
      const starts: number[] = [];
      for (let i = row; i < row + index.row_len; i++) if (flags[i] === flagSegmentStart) starts.push(i);
      starts.forEach((s, k) => {
        let end = starts[k + 1] ?? row + index.row_len;
        while (flags[end - 1] === 0) end--;
        const ids = tokens.slice(s, end);
        const f = flags.slice(s, end);
        const firstTarget = f.indexOf(flagTarget);
        assert.equal(ids[0], tok.bosId);
        assert.equal(ids.at(-1), tok.eosId);
        assert.ok(
          f.slice(1, firstTarget).every((x) => x === 0),
          'no loss on the prompt',
        );
        assert.ok(
          f.slice(firstTarget).every((x) => x === flagTarget),
          'the loss on the target and </s>',
        );
        packed.push(`${tok.decode(ids.slice(0, firstTarget))}|${tok.decode(ids.slice(firstTarget))}`);
      });
    }
    const expected: string[] = [];
    for await (const row of jsonLines([path.join(run.runDir, 'tactics-train.jsonl')])) {
      expected.push(`${row['prompt']}|${row['target']}`);
    }
    assert.equal(packed.length, examples);
    assert.equal(examples + index.splits.train.tooLong, expected.length);
    assert.deepEqual(packed.sort(), expected.filter((e) => packed.includes(e)).sort());
  });

  it('draws pack.goalKnownShare of the sample from first steps (tactic state known), the rest from the others', async () => {
    const rows: Record<string, unknown>[] = [];
    for await (const row of jsonLines([path.join(run.runDir, 'tactics-train.jsonl')])) rows.push(row);
    const known = rows.filter((r) => r['goalKnown'] === true).length;
    assert.ok(known > 0 && known < rows.length, 'the fixture has both kinds');
    const packWith = async (goalKnownShare: number | null, maxTrainExamples: number) => {
      run.stages.pack = { ...run.stages.pack, goalKnownShare, maxTrainExamples };
      return (await runPackStage(run)).splits.train;
    };
    try {
      const onlyKnown = await packWith(1, rows.length);
      assert.equal(onlyKnown.goalKnownExamples, onlyKnown.examples);
      assert.equal(onlyKnown.examples + onlyKnown.tooLong, known);
      const noneKnown = await packWith(0, rows.length);
      assert.equal(noneKnown.goalKnownExamples, 0);
      assert.equal(noneKnown.examples + noneKnown.tooLong, rows.length - known);
      // Half of a sample of ~known examples: about known/2 of each kind (a seeded draw, so allow the spread).
      const half = await packWith(0.5, known);
      const drawnKnown = half.goalKnownExamples;
      const drawnOther = half.examples - half.goalKnownExamples;
      assert.ok(Math.abs(drawnKnown - known / 2) < known / 4, `${drawnKnown} first steps of ${known} wanted ~half`);
      assert.ok(Math.abs(drawnOther - known / 2) < known / 4, `${drawnOther} other steps, ~${known / 2} wanted`);
    } finally {
      run.stages.pack = { ...run.stages.pack, goalKnownShare: null, maxTrainExamples: 0 };
    }
  });

  it('leaves out training examples whose target is longer than pack.maxTargetTokens, and counts them', async () => {
    /** Target tokens (flagged for the loss) of every packed segment of a split. */
    const targetLengths = (index: PackIndex, split: 'train' | 'heldout') => {
      const lengths: number[] = [];
      for (const s of index.splits[split].shards) {
        for (const f of readFileSync(path.join(run.runDir, 'pack', s.flags))) {
          if (f & flagSegmentStart) lengths.push(0);
          if (f & flagTarget) lengths[lengths.length - 1]!++;
        }
      }
      return lengths;
    };
    const packWith = async (maxTargetTokens: number) => {
      run.stages.pack = { ...run.stages.pack, maxTargetTokens };
      return runPackStage(run);
    };
    try {
      const all = await packWith(0);
      const lengths = targetLengths(all, 'train').sort((a, b) => a - b);
      assert.equal(all.max_target_tokens, 0);
      assert.equal(all.splits.train.targetTooLong, 0);
      const cap = lengths[Math.floor(lengths.length / 2)]!;
      const longer = lengths.filter((n) => n > cap).length;
      assert.ok(longer > 0 && cap > 0, 'the fixture has targets on both sides of the median');
      const capped = await packWith(cap);
      assert.equal(capped.max_target_tokens, cap);
      assert.ok(targetLengths(capped, 'train').every((n) => n <= cap));
      assert.equal(capped.splits.train.targetTooLong, longer);
      assert.equal(capped.splits.train.examples, all.splits.train.examples - longer);
      // The held-out split keeps every example, so its loss means the same with and without the cap.
      assert.equal(capped.splits.heldout.targetTooLong, 0);
      assert.deepEqual(targetLengths(capped, 'heldout'), targetLengths(all, 'heldout'));
    } finally {
      run.stages.pack = { ...run.stages.pack, maxTargetTokens: 0 };
    }
  });

  it('refuses a target cap that is not a whole number ≥ 0', () => {
    const bad = path.join(dir, 'bad-cap.json');
    for (const value of [-1, 2.5]) {
      writeFileSync(bad, JSON.stringify({ pack: { maxTargetTokens: value } }));
      assert.throws(() => loadRunConfig(bad), /pack\.maxTargetTokens: a whole number ≥ 0/);
    }
    writeFileSync(bad, JSON.stringify({ pack: { maxTargetTokens: 'short' } }));
    assert.throws(() => loadRunConfig(bad), /pack\.maxTargetTokens: expected number/);
    writeFileSync(bad, JSON.stringify({ pack: { maxTargetTokens: 24 } }));
    assert.equal(loadRunConfig(bad).stages.pack.maxTargetTokens, 24);
  });

  it('refuses a goal-known share outside 0–1', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ pack: { goalKnownShare: 1.5 } }));
    assert.throws(() => loadRunConfig(bad), /pack\.goalKnownShare: a number from 0 to 1/);
    writeFileSync(bad, JSON.stringify({ pack: { goalKnownShare: 'half' } }));
    assert.throws(() => loadRunConfig(bad), /pack\.goalKnownShare: expected a number or null/);
    writeFileSync(bad, JSON.stringify({ pack: { goalKnownShare: 0.5 } }));
    assert.equal(loadRunConfig(bad).stages.pack.goalKnownShare, 0.5);
  });
});

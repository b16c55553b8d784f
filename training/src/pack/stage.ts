/**
 * `llemma-train pack`: the run's tactic examples (and optionally mixture text) as packed token rows for the
 * trainer, in out/<run>/pack/: shards of `seqLen + 1` tokens per row (packer.ts) and index.json, which
 * llemma_train/data.py memory-maps.
 *
 * An example is `<s>` + prompt + target + `</s>`, the prompt encoded exactly as the runtime encodes it (with
 * `<s>`), the loss on the target and `</s>` only. Examples longer than a row are left out and counted: the model
 * never sees a prompt it could not be given at its context length.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../run/config';
import { dataOutputs, runFiles } from '../run/layout';
import { TrainedTokenizer } from '../tokenizer/tokenizerJson';
import { jsonLines } from '../util/jsonLines';
import { seeded } from '../util/seeded';
import { flagSegmentStart, flagTarget, RowPacker, ShardWriter } from './packer';
import { type PackIndex, packFormat, type SplitStats } from './packIndex';

/** Line counts of the run's tactic files, from the data stage's report. */
function exampleCounts(runDir: string): { train: number; heldOut: number } {
  const report = JSON.parse(readFileSync(runFiles(runDir).dataReport, 'utf8'));
  let train = 0;
  let heldOut = 0;
  for (const s of report.sources as { tactics: { train: number; heldOut: number } }[]) {
    train += s.tactics.train;
    heldOut += s.tactics.heldOut;
  }
  return { train, heldOut };
}

/**
 * The chance that each example of a split is kept: max / total for every example, or, with a goal-known share, that
 * share of max from the goal-known examples and the rest from the others (counted in one pass over the file).
 */
async function keepProbabilities(
  file: string,
  total: number,
  max: number,
  goalKnownShare: number | null,
): Promise<{ known: number; unknown: number }> {
  if (max <= 0 || total <= 0) return { known: 1, unknown: 1 };
  if (goalKnownShare === null) {
    const p = Math.min(1, max / total);
    return { known: p, unknown: p };
  }
  let known = 0;
  let unknown = 0;
  for await (const row of jsonLines([file])) {
    if (row['goalKnown'] === true) known++;
    else unknown++;
  }
  const p = (want: number, have: number) => (have > 0 ? Math.min(1, want / have) : 0);
  return { known: p(max * goalKnownShare, known), unknown: p(max * (1 - goalKnownShare), unknown) };
}

export async function runPackStage(run: RunConfig, log: (line: string) => void = () => {}): Promise<PackIndex> {
  const started = performance.now();
  const cfg = run.stages.pack;
  const outputs = dataOutputs(run.runDir);
  const tokenizerText = readFileSync(runFiles(run.runDir).tokenizer, 'utf8');
  const tok = new TrainedTokenizer(JSON.parse(tokenizerText));
  const dir = runFiles(run.runDir).pack;
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (/\.(bin|json)$/.test(f)) rmSync(path.join(dir, f));
  const rowLen = cfg.seqLen + 1;
  const counts = exampleCounts(run.runDir);
  let seamMismatches = 0;
  let seen = 0;

  const encodeExample = (prompt: string, target: string) => {
    const promptIds = tok.encode(prompt);
    let ids = [...promptIds, ...tok.encodeContinuation(target)];
    // Every 64th example is checked against the whole text encoded at once (the seam must not change the ids).
    if (seen++ % 64 === 0) {
      const whole = tok.encode(prompt + target);
      if (whole.length !== ids.length || whole.some((id, i) => id !== ids[i])) {
        seamMismatches++;
        ids = whole;
      }
    }
    ids.push(tok.eosId);
    const flags = new Uint8Array(ids.length);
    const firstTarget = Math.min(promptIds.length, ids.length - 1);
    flags.fill(flagTarget, firstTarget);
    flags[0] = flagSegmentStart;
    return { ids, flags, targetTokens: ids.length - firstTarget };
  };

  const packSplit = async (name: 'train' | 'heldout', file: string, total: number, max: number) => {
    const stats: SplitStats = {
      shards: [],
      rows: 0,
      examples: 0,
      goalKnownExamples: 0,
      tooLong: 0,
      targetTooLong: 0,
      tokens: 0,
      targetTokens: 0,
      mixtureTokens: 0,
      paddingTokens: 0,
    };
    const writer = new ShardWriter(dir, name, rowLen, cfg.shardRows);
    const packer = new RowPacker(rowLen, tok.eosId, (ids, flags) => writer.write(ids, flags));
    const random = seeded(run.data.seed ^ (name === 'train' ? 0x7061636b : 0x68656c64));
    const keep = await keepProbabilities(file, total, max, name === 'train' ? cfg.goalKnownShare : null);
    const targetCap = name === 'train' ? cfg.maxTargetTokens : 0;
    for await (const row of jsonLines([file])) {
      const known = row['goalKnown'] === true;
      if (random() >= (known ? keep.known : keep.unknown)) continue;
      const { ids, flags, targetTokens } = encodeExample(String(row['prompt']), String(row['target']));
      if (ids.length > rowLen) {
        stats.tooLong++;
        continue;
      }
      if (targetCap > 0 && targetTokens > targetCap) {
        stats.targetTooLong++;
        continue;
      }
      packer.add({ ids, flags });
      stats.examples++;
      if (known) stats.goalKnownExamples++;
      stats.tokens += ids.length;
      for (const f of flags) if (f & flagTarget) stats.targetTokens++;
    }
    if (name === 'train' && cfg.mixtureTokens > 0) {
      for await (const doc of jsonLines(outputs.mixture)) {
        if (stats.mixtureTokens >= cfg.mixtureTokens) break;
        const ids = [...tok.encode(String(doc['text'])), tok.eosId];
        for (let at = 0; at < ids.length; at += rowLen) {
          const piece = ids.slice(at, at + rowLen);
          const flags = new Uint8Array(piece.length).fill(flagTarget);
          flags[0] = flagSegmentStart | flagTarget;
          packer.add({ ids: piece, flags });
          stats.mixtureTokens += piece.length;
        }
      }
      stats.tokens += stats.mixtureTokens;
    }
    packer.finish();
    stats.shards = writer.close();
    stats.rows = writer.rows;
    stats.paddingTokens = packer.wastedTokens;
    log(
      `pack ${name}: ${stats.examples} examples (${stats.goalKnownExamples} with the tactic state known; ${stats.tooLong} longer than ${rowLen} tokens` +
        (targetCap > 0 ? `, ${stats.targetTooLong} with a target longer than ${targetCap} tokens` : '') +
        ` left out) in ${stats.rows} rows`,
    );
    return stats;
  };

  const train = await packSplit('train', outputs.tacticsTrain, counts.train, cfg.maxTrainExamples);
  const heldout = await packSplit('heldout', outputs.tacticsHeldOut, counts.heldOut, cfg.maxHeldOutExamples);
  const index: PackIndex = {
    format: packFormat,
    seq_len: cfg.seqLen,
    max_target_tokens: cfg.maxTargetTokens,
    row_len: rowLen,
    vocab_size: tok.vocabSize,
    bos_id: tok.bosId,
    eos_id: tok.eosId,
    pad_id: tok.eosId,
    tokenizer_sha256: createHash('sha256').update(tokenizerText).digest('hex'),
    seam_mismatches: seamMismatches,
    splits: { train, heldout },
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  writeFileSync(runFiles(run.runDir).packIndex, `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

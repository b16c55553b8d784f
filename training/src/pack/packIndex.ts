/**
 * The pack index, out/<run>/pack/index.json: the format the pack stage writes and llemma_train/data.py memory-maps,
 * and the record the train stage and the model card read.
 */
import type { ShardInfo } from './packer';

export const packFormat = 'llemma-pack-1';

export interface SplitStats {
  shards: ShardInfo[];
  rows: number;
  examples: number;
  /** Of them, examples whose tactic state is known (a theorem's first step or a goal the proof text states). */
  goalKnownExamples: number;
  tooLong: number;
  /** Left out because the target alone is longer than pack.maxTargetTokens (training split only). */
  targetTooLong: number;
  tokens: number;
  targetTokens: number;
  mixtureTokens: number;
  paddingTokens: number;
}

export interface PackIndex {
  format: typeof packFormat;
  seq_len: number;
  row_len: number;
  vocab_size: number;
  bos_id: number;
  eos_id: number;
  pad_id: number;
  tokenizer_sha256: string;
  /** Examples whose prompt/target seam was re-encoded as one text and differed (they are packed as one text). */
  seam_mismatches: number;
  /** pack.maxTargetTokens of the run (0: no limit; absent in indexes written before it existed). */
  max_target_tokens?: number;
  splits: { train: SplitStats; heldout: SplitStats };
  seconds: number;
}

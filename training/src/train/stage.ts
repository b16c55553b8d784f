/**
 * `llemma-train train`: writes the trainer's config (out/<run>/train/run.json: the model and train sections of
 * the run config, plus what the earlier stages decided: vocabulary size, context length, special ids, the pack
 * index) and runs llemma_train.train on it, then draws out/<run>/train/loss.png from loss.jsonl.
 *
 * Running the stage again continues the run from its newest checkpoint when nothing it depends on changed (the
 * trainer's config and the packed data); otherwise it starts over in an emptied folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PackIndex } from '../pack/packIndex';
import type { RunConfig } from '../run/config';
import { runFiles } from '../run/layout';
import { drawLossPng } from './lossCurve';
import { lastJson, runPythonModule } from './python';

export interface TrainSummary {
  steps: number;
  max_steps: number;
  stopped_early: boolean;
  parameters: number;
  tokens: number;
  target_tokens: number;
  wall_s: number;
  device: string;
  /** The GPU's name, or the CPU's as Python's platform module reports it. */
  device_name?: string;
  cpu_count?: number;
  processes: number;
  threads: number;
  torch: string;
  rows_per_step: number;
  row_len: number;
  checkpoint: string;
}

export interface TrainStageOptions {
  log?: (line: string) => void;
  /** Stop after this step (with a checkpoint), as if interrupted; 0: run to the end. */
  stopAt?: number;
  /** Start over even when a checkpoint of the same run exists. */
  fresh?: boolean;
}

/** The trainer's config for this run, from the run config and the pack index. */
export function trainerConfig(run: RunConfig): Record<string, unknown> {
  const files = runFiles(run.runDir);
  const indexFile = files.packIndex;
  if (!existsSync(indexFile)) throw new Error(`${indexFile} is missing: run "llemma-train pack" first`);
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as PackIndex;
  const { nice: _nice, ...train } = run.stages.train.train;
  return {
    seed: run.data.seed,
    ...train,
    model: {
      ...run.stages.train.model,
      vocab_size: index.vocab_size,
      max_position_embeddings: index.seq_len,
      bos_token_id: index.bos_id,
      eos_token_id: index.eos_id,
    },
    data: indexFile,
    out_dir: files.train,
  };
}

export async function runTrainStage(run: RunConfig, options: TrainStageOptions = {}): Promise<TrainSummary> {
  const log = options.log ?? (() => {});
  const dir = runFiles(run.runDir).train;
  const config = trainerConfig(run);
  const indexText = readFileSync(config['data'] as string, 'utf8');
  const fingerprint = createHash('sha256').update(JSON.stringify(config)).update(indexText).digest('hex');
  const fingerprintFile = path.join(dir, 'inputs.sha256');
  const resume =
    !options.fresh &&
    existsSync(fingerprintFile) &&
    readFileSync(fingerprintFile, 'utf8').trim() === fingerprint &&
    existsSync(path.join(dir, 'checkpoints'));
  if (!resume) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(fingerprintFile, `${fingerprint}\n`);
  }
  const configFile = runFiles(run.runDir).trainerConfig;
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const args = ['--config', configFile];
  if (resume) args.push('--resume');
  if (options.stopAt) args.push('--stop-at', String(options.stopAt));
  log(`train: ${resume ? 'continuing' : 'starting'} ${dir}`);
  const nice = Number(run.stages.train.train.nice ?? 0);
  const result = await runPythonModule('train', args, { nice, onLine: (line) => log(describe(line)), onError: log });
  const summary = lastJson<TrainSummary>(result.lines, 'done');
  if (!summary) throw new Error('the trainer finished without a summary');
  drawLossPng(run.runDir);
  return summary;
}

/** One trainer line for people: JSON progress records become a short summary, anything else passes through. */
function describe(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const r = JSON.parse(line);
    if (r.split === 'train') {
      const rate = r.elapsed_s > 0 ? Math.round(r.tokens / r.elapsed_s) : 0;
      return `step ${r.step}: loss ${r.loss.toFixed(4)}, lr ${r.lr.toExponential(2)}, ${r.tokens} tokens (${rate}/s), ${r.elapsed_s} s`;
    }
    if ('heldout_loss' in r) return `step ${r.step}: held-out loss ${r.heldout_loss.toFixed(4)}`;
    if ('done' in r) return `train: done after ${r.done.steps} steps, ${r.done.wall_s} s`;
  } catch {
    // Not JSON: shown as it is.
  }
  return line;
}

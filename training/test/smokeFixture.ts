/**
 * A tiny, fully synthetic training run for the tests: a data folder with Mathlib-like and compfiles-like Lean files
 * (one compfiles file plants a miniF2F statement, which the data stage must drop and report), a one-item miniF2F
 * benchmark, and a run config whose every stage is small enough to finish in seconds on two cores.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runDataStage } from '../src/data/pipeline';
import { runPackStage } from '../src/pack/stage';
import type { RunConfig } from '../src/run/config';
import { loadRunConfig } from '../src/run/loadConfig';
import { runTokenizerStage } from '../src/tokenizer/stage';
import { pythonCommand } from '../src/train/python';

export const plantedItem = 'mathd_algebra_999';
export const plantedStatement =
  `theorem ${plantedItem} (x : ℝ) (h₀ : 3 * x + 2 = 11) (h₁ : x ≠ 0) :\n` +
  '    x = 3 ∧ x * x * x - 2 * x + 7 = 28 ∧ 5 * x - 4 = 11 := by';

const tactics = [
  ['rw [Nat.add_comm a b]'],
  ['simp'],
  ['omega'],
  ['intro h', 'exact h'],
  ['constructor', '· exact hp', '· exact hq'],
  ['induction n with', '| zero => simp', '| succ k ih => omega'],
  ['norm_num'],
  ['linarith'],
];

function leanFile(i: number, namespace: string): string {
  const lines = [`import Mathlib`, '', `namespace ${namespace}${i}`, ''];
  for (let j = 0; j < 5; j++) {
    const t = tactics[(i * 5 + j) % tactics.length] as string[];
    const k = i * 10 + j;
    const statement =
      j % 2 === 0
        ? `theorem add_${k} (a b n : ℕ) (p q : Prop) (hp : p) (hq : q) : a + b + ${k} = b + a + ${k}`
        : `lemma le_${k} (x y : ℝ) (h : x ≤ y) (n : ℕ) (p q : Prop) (hp : p) (hq : q) : x + ${k} ≤ y + ${k} ∨ ∀ ε > 0, ε ≠ ${k}`;
    lines.push(`/-- Lemma ${k} about ℕ and ℝ. -/`, `${statement} := by`, ...t.map((s) => `  ${s}`), '');
  }
  lines.push(`end ${namespace}${i}`, '');
  return lines.join('\n');
}

/** Writes the data folder: mathlib4/, compfiles/ (with the planted statement) and minif2f-lean4/. */
export function writeTinyData(dataDir: string): void {
  const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  mkdirSync(path.join(dataDir, 'mathlib4'), { recursive: true });
  mkdirSync(path.join(dataDir, 'compfiles'), { recursive: true });
  mkdirSync(path.join(dataDir, 'minif2f-lean4'), { recursive: true });
  const mathlib = Array.from({ length: 40 }, (_, i) => ({
    path: `Mathlib/Smoke/File${i}.lean`,
    text: leanFile(i, 'Smoke'),
  }));
  writeFileSync(path.join(dataDir, 'mathlib4', 'mathlib4_lean_files.jsonl'), jsonl(mathlib));
  const compfiles = Array.from({ length: 6 }, (_, i) => ({
    path: `Compfiles/Olympiad${i}.lean`,
    text: leanFile(100 + i, 'Olympiad'),
  }));
  compfiles.push({
    path: 'Compfiles/SmokePlanted.lean',
    text: `import Mathlib\n\n${plantedStatement}\n  constructor\n  · linarith\n  · constructor <;> nlinarith\n`,
  });
  writeFileSync(path.join(dataDir, 'compfiles', 'compfiles_lean_files.jsonl'), jsonl(compfiles));
  const item = { name: plantedItem, split: 'test', formal_statement: `${plantedStatement}\n  sorry` };
  writeFileSync(path.join(dataDir, 'minif2f-lean4', 'smoke_minif2f.jsonl'), jsonl([item]));
}

/** The run config of the tiny run; `overrides` replace top-level sections. */
export function tinyConfig(dir: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    run: 'smoke',
    outDir: path.join(dir, 'out'),
    dataDir: path.join(dir, 'data'),
    seed: 7,
    data: {
      sources: [
        { name: 'mathlib4', kind: 'jsonl', path: 'mathlib4/mathlib4_lean_files.jsonl', weight: 1, tactics: true },
        { name: 'compfiles', kind: 'jsonl', path: 'compfiles/compfiles_lean_files.jsonl', weight: 2, tactics: true },
      ],
      decontamination: {
        benchmarks: [
          {
            name: 'minif2f-lean4/smoke',
            kind: 'jsonl',
            path: 'minif2f-lean4/smoke_minif2f.jsonl',
            splitField: 'split',
            textFields: ['formal_statement'],
          },
        ],
      },
      tactics: { heldOutFraction: 0.25 },
    },
    tokenizer: { vocabSize: 800, sampleMB: 1 },
    pack: { seqLen: 192, maxTrainExamples: 0, maxHeldOutExamples: 0, shardRows: 64 },
    model: {
      hidden_size: 48,
      intermediate_size: 96,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
    },
    train: {
      batch_size: 4,
      max_steps: 20,
      warmup_steps: 5,
      lr: 0.003,
      log_every: 1,
      eval_every: 10,
      eval_rows: 8,
      ckpt_every: 10,
      threads: 2,
    },
    export: { folder: '', tolerance: 1e-3 },
    eval: { maxTheorems: 8, sources: [], n: 4, maxNewTokens: 12, probabilityBeamWidth: 6 },
    ...overrides,
  };
}

/** Writes the data folder and the config file under `dir` and loads the run config. */
export function tinyRun(dir: string, overrides: Record<string, unknown> = {}): RunConfig {
  writeTinyData(path.join(dir, 'data'));
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(tinyConfig(dir, overrides), null, 2));
  return loadRunConfig(file);
}

/** A tiny run with data, tokenizer and pack done. */
export async function packedTinyRun(dir: string, overrides: Record<string, unknown> = {}): Promise<RunConfig> {
  const run = tinyRun(dir, overrides);
  await runDataStage(run.data);
  await runTokenizerStage(run);
  await runPackStage(run);
  return run;
}

/** Fails with what to install when the Python half cannot run here. */
export function assertPythonReady(): void {
  const python = pythonCommand();
  const r = spawnSync(python, ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `${python} cannot import torch, onnx and numpy (install python3-torch python3-onnx python3-numpy, ` +
        `or set LLEMMA_PYTHON): ${r.stderr ?? r.error}`,
    );
  }
}

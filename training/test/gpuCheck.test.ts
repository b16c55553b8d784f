// scripts/gpu-check.sh is meant for a machine with an NVIDIA GPU, which the tests do not have. Its --cpu-dry-run
// takes every step of the GPU run on a tiny float32 model and the CPU provider: the random model folder and its
// generation.onnx, one 32-beam expansion through the product's runtime stepping in JavaScript and inside
// generation.onnx, the parser of nvidia-smi's samples (on a made-up log with known sums), the PyTorch reference
// and the device probe. This keeps the script from rotting unseen between GPU runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoDir } from '../src/run/layout';
import { pythonCommand } from '../src/train/python';
import { assertPythonReady } from './smokeFixture';

test('scripts/gpu-check.sh --cpu-dry-run takes every step on the CPU', () => {
  assertPythonReady();
  const work = mkdtempSync(path.join(tmpdir(), 'llemma-gpu-check-'));
  try {
    const r = spawnSync('bash', [path.join(repoDir, 'scripts/gpu-check.sh'), '--cpu-dry-run'], {
      cwd: repoDir,
      env: { ...process.env, LLEMMA_GPU_CHECK_DIR: work, LLEMMA_PYTHON: pythonCommand() },
      encoding: 'utf8',
      timeout: 300_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /model folder: .*dry-tiny built in \d+ s/);
    assert.match(out, /dmon parser: checked on a made-up sample/);
    assert.match(out, /step by step \(KV cache via host\)\s+cpu: [\d.]+ ms for 32 beams × 8 tokens/);
    assert.match(out, /generation\.onnx \(one run\)\s+cpu: [\d.]+ ms for 32 beams × 32 tokens/);
    assert.doesNotMatch(out, /run failed|broken/);
    assert.match(out, /"baseline": \{/);
    assert.match(out, /"device": \{"cuda": false\}|"device": \{"cuda": true/);
    for (const mode of ['off', 'on']) {
      const [row] = JSON.parse(readFileSync(path.join(work, `expansion-${mode}.json`), 'utf8'));
      assert.equal(row.beams, 32);
      assert.equal(row.provider, 'cpu');
      assert.ok(row.candidates > 0 && row.candidates <= 32, JSON.stringify(row));
      assert.ok(row.endedAtMs >= row.startedAtMs, JSON.stringify(row));
      assert.equal(row.generationGraph.used, mode === 'on', JSON.stringify(row.generationGraph));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

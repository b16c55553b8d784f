import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadModelFolder, parseModelConfig } from '@llemma/model';
import { type ExportReport, runExportStage } from '../src/export/stage';
import type { RunConfig } from '../src/run/config';
import { runTrainStage } from '../src/train/stage';
import { assertPythonReady, packedTinyRun } from './smokeFixture';

describe('export stage', () => {
  let dir: string;
  let run: RunConfig;
  let report: ExportReport;
  before(async () => {
    assertPythonReady();
    dir = mkdtempSync(path.join(tmpdir(), 'llemma-export-'));
    run = await packedTinyRun(dir, {
      train: { batch_size: 4, max_steps: 6, warmup_steps: 2, eval_every: 6, eval_rows: 4, ckpt_every: 6, threads: 2 },
    });
    await runTrainStage(run);
    report = await runExportStage(run);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a folder of the model/ contract whose logits match PyTorch', () => {
    assert.equal(report.folder, path.join(run.runDir, 'model'));
    assert.ok(
      report.maxAbsDiff.prompt <= 1e-4 && report.maxAbsDiff.cachedStep <= 1e-4,
      JSON.stringify(report.maxAbsDiff),
    );
    assert.ok(report.sameArgmax);
    const raw = JSON.parse(readFileSync(path.join(report.folder, 'config.json'), 'utf8'));
    assert.equal(raw.model_type, 'llama');
    assert.deepEqual(raw.architectures, ['LlamaForCausalLM']);
    assert.deepEqual(raw.llemma, { format_version: 1, prompt_format: 'proof-prefix', context_length: 192 });
    const config = parseModelConfig(JSON.stringify(raw));
    assert.equal(config.numKvHeads, 2);
    assert.equal(config.headDim, 12);
  });

  it('masks left padding: a padded batch row gives the logits of the prompt alone', async () => {
    const model = await loadModelFolder(report.folder, { executionProviders: ['cpu'] });
    try {
      const long = model.tokenizer.encode('theorem t (n : ℕ) : n + 0 = n := by');
      const short = model.tokenizer.encode('example : True := by');
      const both = await model.decoder.prefill([long, short]);
      const rows = [
        Float32Array.from(both.logits[0] as Float32Array),
        Float32Array.from(both.logits[1] as Float32Array),
      ];
      for (const [i, ids] of [long, short].entries()) {
        const alone = (await model.decoder.prefill([ids])).logits[0] as Float32Array;
        let diff = 0;
        for (let j = 0; j < alone.length; j++)
          diff = Math.max(diff, Math.abs((alone[j] as number) - (rows[i]?.[j] as number)));
        assert.ok(diff < 1e-4, `row ${i}: ${diff}`);
      }
    } finally {
      await model.release();
    }
  });
});

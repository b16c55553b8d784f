/**
 * The whole model-producing pipeline on a tiny synthetic corpus, on CPU: data (a planted miniF2F statement must be
 * dropped and reported) → tokenizer → pack → 10 training steps, interrupted and resumed for 10 more (the loss
 * curve must equal an uninterrupted run's) → export → the product's runtime loads the folder and generates
 * candidates → first-tactic evaluation. `npm run -w training smoke`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getPromptFormat, LocalGenerator } from '@llemma/model';
import { runDataStage } from '../src/data/pipeline';
import { normalizeTactic } from '../src/eval/firstTactics';
import { runPackStage } from '../src/pack/stage';
import { evaluateModel, exportModel } from '../src/run/all';
import type { RunConfig } from '../src/run/config';
import { runFiles } from '../src/run/layout';
import { runTokenizerStage } from '../src/tokenizer/stage';
import { readLossLog } from '../src/train/lossCurve';
import { runTrainStage } from '../src/train/stage';
import { assertPythonReady, plantedItem, tinyRun } from './smokeFixture';

describe('smoke: data → tokenizer → pack → train (with resume) → export → runtime → eval', () => {
  let dir: string;
  let run: RunConfig;

  before(() => {
    assertPythonReady();
    dir = mkdtempSync(path.join(tmpdir(), 'llemma-smoke-'));
    run = tinyRun(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('data: drops and reports the planted miniF2F statement', async () => {
    const report = await runDataStage(run.data);
    const planted = report.overlaps.filter((o) => o.item === plantedItem);
    assert.ok(planted.length > 0, 'the planted statement is reported');
    assert.ok(planted.every((o) => o.dropped && o.path.startsWith('Compfiles/SmokePlanted.lean')));
    const compfiles = report.sources.find((s) => s.name === 'compfiles');
    assert.equal(compfiles?.contaminated, 1);
    const examples = readFileSync(path.join(run.runDir, 'tactics-train.jsonl'), 'utf8');
    assert.ok(!examples.includes(plantedItem), 'no example shows the planted theorem');
    assert.ok(examples.length > 0);
  });

  it('tokenizer and pack', async () => {
    const tok = await runTokenizerStage(run);
    assert.ok(tok.vocabSize > 500 && tok.vocabSize <= 800);
    assert.equal(tok.leanSymbolsWhole, tok.leanSymbols);
    const pack = await runPackStage(run);
    assert.equal(pack.seam_mismatches, 0);
    assert.ok(pack.splits.train.rows > 0 && pack.splits.heldout.rows > 0);
  });

  it('train: 10 steps, resume, 10 more = 20 steps straight', async () => {
    const stopped = await runTrainStage(run, { stopAt: 10 });
    assert.equal(stopped.steps, 10);
    assert.ok(stopped.stopped_early);
    const resumed = await runTrainStage(run);
    assert.equal(resumed.steps, 20);
    const curve = readLossLog(runFiles(run.runDir).lossLog);
    const steps = curve.filter((r) => r.split === 'train').map((r) => r.step);
    assert.deepEqual(
      steps,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      curve.filter((r) => r.split === 'heldout').map((r) => r.step),
      [10, 20],
    );

    // The same data in another run folder, trained 20 steps without interruption: the curves must be equal.
    const straight: RunConfig = { ...run, runDir: path.join(dir, 'straight') };
    cpSync(path.join(run.runDir, 'pack'), path.join(straight.runDir, 'pack'), { recursive: true });
    await runTrainStage(straight, { fresh: true });
    const straightCurve = readLossLog(runFiles(straight.runDir).lossLog);
    const strip = (records: typeof curve) => records.map((r) => ({ step: r.step, split: r.split, loss: r.loss }));
    assert.deepEqual(strip(curve), strip(straightCurve));
    assert.ok(existsSync(runFiles(run.runDir).lossPng));
  });

  it('export: the folder loads in model/ and generates candidates', async () => {
    const report = await exportModel(run);
    assert.ok(Math.max(report.maxAbsDiff.prompt, report.maxAbsDiff.cachedStep) <= 1e-3);
    assert.deepEqual(readdirSync(report.folder).sort(), [
      'MODEL_CARD.md',
      'config.json',
      'loss-curve.png',
      'model.onnx',
      'tokenizer.json',
    ]);
    const generator = await LocalGenerator.load(report.folder, { executionProviders: ['cpu'] });
    try {
      const info = generator.info();
      assert.equal(info.promptFormat, 'proof-prefix');
      assert.equal(info.contextLength, 192);
      const format = getPromptFormat(info.promptFormat);
      const prompt = format.render({ theorem: 'theorem t (n : ℕ) : n + 0 = n', goals: ['n : ℕ\n⊢ n + 0 = n'] });
      const candidates = await generator.generate(prompt, { n: 4, stop: format.stop, maxNewTokens: 12 });
      assert.ok(candidates.length >= 1);
      for (const c of candidates) assert.ok(Number.isFinite(c.meanLogprob));
    } finally {
      await generator.release();
    }
  });

  // The product's CLI, when it has been built with `suggest` (npm run build at the repository root).
  const cli = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli.js');
  const hasSuggest = existsSync(cli) && readFileSync(cli, 'utf8').includes('suggest --goal');
  it('the llemma CLI suggests tactics with the exported folder', {
    skip: !hasSuggest && 'dist/cli.js has no suggest',
  }, () => {
    const folder = path.join(run.runDir, 'model');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'suggest',
        '--goal',
        'n : ℕ\n⊢ n + 0 = n',
        '--model',
        folder,
        '--n',
        '2',
        '--max-tokens',
        '8',
        '--ep',
        'cpu',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.trim().length > 0);
  });

  it('eval: first-tactic accuracy against the frequency baseline', async () => {
    const report = await evaluateModel(run);
    assert.ok(report.counts.evaluated > 0);
    assert.ok(report.model.top1 <= report.model.topN && report.model.topN <= report.counts.evaluated);
    // The second ranking: the fixture's beam (probabilityBeamWidth 6) re-ranked by total log-probability.
    assert.equal(report.byProbability?.beamWidth, 6);
    for (const p of report.predictions) {
      assert.ok(p.byProbability && p.byProbability.length <= 4 && p.byProbability.length > 0);
    }
    const hits = report.predictions.filter(
      (p) => normalizeTactic(p.byProbability?.[0] ?? '') === normalizeTactic(p.gold),
    ).length;
    assert.equal(report.byProbability?.top1, hits);
    assert.equal(report.baseline.tactics.length, Math.min(4, report.counts.trainTheorems));
    // The paired counts differ exactly as the two totals do (theorems both get right, or both miss, cancel out).
    const paired = report.paired;
    assert.ok(paired?.byProbability);
    assert.equal(paired.model.modelOnly - paired.model.baselineOnly, report.model.topN - report.baseline.topN);
    assert.equal(
      paired.byProbability.modelOnly - paired.byProbability.baselineOnly,
      (report.byProbability?.topN ?? 0) - report.baseline.topN,
    );
    const card = readFileSync(path.join(report.folder, 'MODEL_CARD.md'), 'utf8');
    assert.match(card, /first-tactic exact match/i);
    assert.match(card, /\| this model, beam 6, ranked by total log-probability \|/);
    assert.match(card, /CPU only/);
    assert.match(card, /Paired over the same theorems at top-4, .* sign test p = /);
  });
});

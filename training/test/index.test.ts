import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { buildRetrievalIndex, readRetrievalIndex } from '@llemma/model';
import { runDataStage } from '../src/data/pipeline';
import { isHeldAside } from '../src/data/tacticExamples';
import { fitCalibration } from '../src/index/calibration';
import { type GoalExample, readGoalExamples, retrievalExample } from '../src/index/goalExamples';
import { type IndexReport, runIndexStage } from '../src/index/stage';
import type { RunConfig } from '../src/run/config';
import { modelFolder } from '../src/run/layout';
import { tempDir } from './helpers';
import { tinyRun } from './smokeFixture';

describe('calibration', () => {
  it('turns the share of votes into a smoothed, non-decreasing log-probability of being right', () => {
    const obs = [
      ...Array.from({ length: 100 }, (_, i) => ({ share: 0.004, right: i < 10 })),
      ...Array.from({ length: 100 }, (_, i) => ({ share: 0.008, right: i < 2 })),
      ...Array.from({ length: 10 }, (_, i) => ({ share: 0.9, right: i < 9 })),
    ];
    const { calibration, bins } = fitCalibration(obs);
    assert.equal(bins[0]?.candidates, 100);
    // The first two bins disagree with the order of shares, so they are pooled, weighted by their sizes.
    assert.equal(bins[0]?.probability, bins[1]?.probability);
    assert.ok(Math.abs((bins[0]?.probability ?? 0) - (10.5 / 101 + 2.5 / 101) / 2) < 1e-12);
    assert.ok(Math.abs((bins.at(-1)?.probability ?? 0) - 9.5 / 11) < 1e-12);
    // An empty bin between them takes the value of the filled bin below it.
    assert.equal(bins[5]?.candidates, 0);
    assert.equal(bins[5]?.probability, bins[1]?.probability);
    const p = calibration.logProbabilities;
    assert.ok(p.every((x, i) => i === 0 || x >= (p[i - 1] as number)));
    assert.equal(calibration.shares.at(-1), 1);
  });
});

describe('index stage', () => {
  let run: RunConfig;
  let report: IndexReport;
  let train: GoalExample[];
  const dir = tempDir();
  before(async () => {
    run = tinyRun(dir, { index: { heldAsideFraction: 0.3, modelFolder: true } });
    await runDataStage(run.data);
    report = await runIndexStage(run);
    train = await readGoalExamples(path.join(run.runDir, 'tactics-train.jsonl'), 'proof-prefix', []);
  });

  it('indexes every goal-known training example and writes the same file to the run and the model folder', () => {
    assert.ok(train.length > 10);
    assert.equal(report.counts.examples, train.length);
    assert.equal(report.modelFolderFile, path.join(modelFolder(run), 'retrieval.bin'));
    assert.deepEqual(readFileSync(report.file), readFileSync(report.modelFolderFile as string));
    const aside = train.filter((e) => isHeldAside(e, 0.3, run.data.seed)).length;
    assert.equal(report.calibration.heldAsideExamples, aside);
    assert.equal(report.calibration.indexedExamples, train.length - aside);
  });

  it('writes an index that the runtime loads and that answers as the one built in memory', async () => {
    const loaded = await readRetrievalIndex(modelFolder(run));
    assert.ok(loaded);
    assert.equal(loaded.index.size, train.length);
    assert.equal(loaded.provenance['examples'], train.length);
    const params = run.stages.index.retrieval;
    const built = buildRetrievalIndex(train.map(retrievalExample), params, report.calibration.calibration);
    for (const e of train.slice(0, 20)) {
      const step = retrievalExample(e).step;
      assert.deepEqual(loaded.index.query(e.goal, 8, { step }), built.query(e.goal, 8, { step }));
    }
    // The nearest goal of a training goal is itself (or an identical one), so its own tactic comes first.
    for (const e of train) {
      const top = loaded.index.query(e.goal, 1, { neighbours: 1 })[0]?.tactic;
      const same = train.filter((o) => o.goal === e.goal).map((o) => o.tactic);
      assert.ok(top !== undefined && same.includes(top), `${e.goal} → ${top}`);
    }
    assert.ok(loaded.index.query(train[0]?.goal ?? '', 1)[0]!.score <= 0);
  });
});

/**
 * `llemma-train eval`: first-tactic exact match of the exported model on held-out theorems, through the product's
 * own runtime (model/src's LocalGenerator: ONNX Runtime, beam search, the prompt format's stop strings), against a
 * frequency baseline that always proposes the training split's most common first tactics. The model is ranked two
 * ways: its beam-n candidates by mean log-probability (the search's order) and, unless probabilityBeamWidth is 0, all
 * finished candidates of a wider beam by total log-probability (the order comparable with the baseline's). Writes
 * out/<run>/eval.json (with every prediction); the command then refreshes the model card (run/modelCard.ts).
 */
import { writeFileSync } from 'node:fs';
import { getPromptFormat, LocalGenerator } from '@llemma/model';
import type { RunConfig } from '../run/config';
import { dataOutputs, modelFolder, runFiles } from '../run/layout';
import { seeded } from '../util/seeded';
import { type Hits, mostFrequent, type PairedComparison, pairedTopN, readFirstTactics, score } from './firstTactics';

export interface EvalReport {
  folder: string;
  data: { run: string; heldOut: string; train: string };
  sources: string[];
  budget: { n: number; beamWidth: number; maxNewTokens: number; maxTheorems: number };
  counts: { heldOutTheorems: number; sampled: number; evaluated: number; tooLong: number; trainTheorems: number };
  /** Beam search of width n, candidates ranked by mean log-probability (as the product's search ranks them). */
  model: Hits;
  /** Beam search of a wider beam, its candidates ranked by total log-probability; absent when not run. */
  byProbability?: Hits & { beamWidth: number };
  baseline: Hits & { tactics: { tactic: string; count: number }[] };
  /**
   * Each ranking against the baseline at top-n on the same theorems (absent in reports written before it was
   * added): how many only one side gets right, and the sign test's p-value of that split.
   */
  paired?: { model: PairedComparison; byProbability?: PairedComparison };
  seconds: number;
  predictions: {
    theorem: string;
    path: string;
    gold: string;
    candidates: string[];
    /** The best n of the wider beam by total log-probability. */
    byProbability?: string[];
  }[];
}

export async function runEvalStage(run: RunConfig, log: (line: string) => void = () => {}): Promise<EvalReport> {
  const started = performance.now();
  const cfg = run.stages.eval;
  const outputs = dataOutputs(run.runDir);
  const folder = modelFolder(run);
  const generator = await LocalGenerator.load(folder, { executionProviders: ['cpu'] });
  const formatName = generator.info().promptFormat;
  const format = getPromptFormat(formatName);
  const heldOut = await readFirstTactics(outputs.tacticsHeldOut, formatName, cfg.sources);
  const train = await readFirstTactics(outputs.tacticsTrain, formatName, cfg.sources);
  const baselineTactics = mostFrequent(
    train.map((t) => t.tactic),
    cfg.n,
  );
  const random = seeded(run.data.seed ^ 0x6576616c);
  const order = heldOut.map((t, i) => ({ t, key: random(), i })).sort((a, b) => a.key - b.key || a.i - b.i);
  const sample = order.slice(0, cfg.maxTheorems).map((o) => o.t);

  const model: Hits = { top1: 0, topN: 0 };
  const byProbability: Hits = { top1: 0, topN: 0 };
  const wide = cfg.probabilityBeamWidth;
  const baseline: Hits = { top1: 0, topN: 0 };
  const predictions: EvalReport['predictions'] = [];
  let tooLong = 0;
  try {
    for (const [i, item] of sample.entries()) {
      let candidates: string[];
      let ranked: string[] | undefined;
      try {
        const out = await generator.generate(item.prompt, {
          n: cfg.n,
          stop: format.stop,
          maxNewTokens: cfg.maxNewTokens,
        });
        candidates = out.map((c) => format.parseCompletion(c.text));
        if (wide > 0) {
          const all = await generator.finishedBeamCandidates(item.prompt, {
            n: cfg.n,
            beamWidth: wide,
            stop: format.stop,
            maxNewTokens: cfg.maxNewTokens,
          });
          ranked = [...all]
            .sort((a, b) => b.logprob - a.logprob)
            .slice(0, cfg.n)
            .map((c) => format.parseCompletion(c.text));
        }
      } catch (e) {
        if (e instanceof RangeError) {
          tooLong++;
          continue;
        }
        throw e;
      }
      const m = score(item.tactic, candidates, cfg.n);
      const b = score(
        item.tactic,
        baselineTactics.map((t) => t.tactic),
        cfg.n,
      );
      model.top1 += m.top1;
      model.topN += m.topN;
      if (ranked) {
        const r = score(item.tactic, ranked, cfg.n);
        byProbability.top1 += r.top1;
        byProbability.topN += r.topN;
      }
      baseline.top1 += b.top1;
      baseline.topN += b.topN;
      predictions.push({
        theorem: item.theorem,
        path: item.path,
        gold: item.tactic,
        candidates,
        ...(ranked ? { byProbability: ranked } : {}),
      });
      if ((i + 1) % 50 === 0) {
        log(
          `eval: ${i + 1}/${sample.length}: model top-1 ${model.top1}, top-${cfg.n} ${model.topN}; baseline ${baseline.top1}, ${baseline.topN}`,
        );
      }
    }
  } finally {
    await generator.release();
  }
  const gold = predictions.map((p) => p.gold);
  const baselineRanked = predictions.map(() => baselineTactics.map((t) => t.tactic));
  const pairedWith = (ranked: readonly (readonly string[])[]) => pairedTopN(gold, ranked, baselineRanked, cfg.n);
  const paired: NonNullable<EvalReport['paired']> = {
    model: pairedWith(predictions.map((p) => p.candidates)),
    ...(wide > 0 ? { byProbability: pairedWith(predictions.map((p) => p.byProbability ?? [])) } : {}),
  };
  const report: EvalReport = {
    folder,
    data: { run: run.data.run, heldOut: outputs.tacticsHeldOut, train: outputs.tacticsTrain },
    sources: cfg.sources,
    budget: { n: cfg.n, beamWidth: cfg.n, maxNewTokens: cfg.maxNewTokens, maxTheorems: cfg.maxTheorems },
    counts: {
      heldOutTheorems: heldOut.length,
      sampled: sample.length,
      evaluated: predictions.length,
      tooLong,
      trainTheorems: train.length,
    },
    model,
    ...(wide > 0 ? { byProbability: { ...byProbability, beamWidth: wide } } : {}),
    baseline: { ...baseline, tactics: baselineTactics },
    paired,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    predictions,
  };
  writeFileSync(runFiles(run.runDir).evalReport, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** The numbers with what they were measured on, for people. */
export function describeEval(r: EvalReport): string {
  const n = r.counts.evaluated;
  const pct = (k: number) => (n > 0 ? `${((100 * k) / n).toFixed(1)} %` : 'n/a');
  return [
    `model: ${r.folder}`,
    `data: held-out first tactics of run "${r.data.run}" (${r.sources.join(', ') || 'all sources'}): ${r.counts.heldOutTheorems} theorems, ` +
      `${r.counts.sampled} sampled, ${r.counts.evaluated} evaluated, ${r.counts.tooLong} skipped (prompt longer than the context)`,
    `budget: beam search, n = beam width = ${r.budget.n}, at most ${r.budget.maxNewTokens} new tokens; ${r.seconds} s`,
    `model:    top-1 ${pct(r.model.top1)} (${r.model.top1}/${n}), top-${r.budget.n} ${pct(r.model.topN)} (${r.model.topN}/${n}) — ranked by mean log-probability, as the search ranks`,
    ...(r.byProbability
      ? [
          `model:    top-1 ${pct(r.byProbability.top1)} (${r.byProbability.top1}/${n}), top-${r.budget.n} ${pct(r.byProbability.topN)} (${r.byProbability.topN}/${n}) — beam ${r.byProbability.beamWidth}, ranked by total log-probability`,
        ]
      : []),
    `baseline: top-1 ${pct(r.baseline.top1)} (${r.baseline.top1}/${n}), top-${r.budget.n} ${pct(r.baseline.topN)} (${r.baseline.topN}/${n}) ` +
      `— the ${r.budget.n} most frequent first tactics of ${r.counts.trainTheorems} training theorems: ${r.baseline.tactics.map((t) => t.tactic).join(' | ')}`,
    ...(r.paired
      ? [
          `paired, top-${r.budget.n}: ${describePaired(r.paired.model)} (mean log-probability)` +
            (r.paired.byProbability ? `; ${describePaired(r.paired.byProbability)} (total log-probability)` : ''),
        ]
      : []),
  ].join('\n');
}

/** "the model alone right on 12, the baseline alone on 5, sign test p = 0.14". */
export function describePaired(c: PairedComparison): string {
  const p = c.p < 0.001 ? c.p.toExponential(1) : c.p.toFixed(3);
  return `the model alone right on ${c.modelOnly}, the baseline alone on ${c.baselineOnly}, sign test p = ${p}`;
}

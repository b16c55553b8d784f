/**
 * `llemma-train data`: corpora in, training data out. Every document is analysed on its own (analyze.ts, in worker
 * threads), then decided on in document order: an exact duplicate of an earlier document, a document contaminated by
 * the benchmark, or a near duplicate of an earlier one is dropped; the rest is kept, and a kept Lean file contributes
 * its tactic examples (less any proof whose prompt text overlaps the benchmark). Kept documents become the weighted
 * mixture; report.json and report.md say what happened to every document that did not survive. The run is a pure
 * function of the config, the input files and the seed, whatever the number of workers.
 */
import { availableParallelism } from 'node:os';
import type { DataConfig, TrainingConfig } from '../run/config';
import { resolveDataDir, resolveIn, runDirOf } from '../run/layout';
import type { AnalysisSetup } from './analyze';
import { analyzeInOrder } from './analyzerPool';
import { type BenchmarkItem, readBenchmark } from './benchmarks';
import { LshIndex } from './dedup';
import { type Document, readSource } from './documents';
import { JsonlWriter, prepareRunDir, writeMixture } from './output';
import { type DataReport, emptySourceStats, type SourceStats, writeReport } from './report';

export interface RunOptions {
  /** Progress lines (stderr in the CLI); silent by default. */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function runDataStage(config: TrainingConfig, options: RunOptions = {}): Promise<DataReport> {
  const log = options.log ?? (() => {});
  const data: DataConfig = config.data;
  const timings: Record<string, number> = {};
  const started = performance.now();
  let t0 = started;
  const lap = (stage: string) => {
    const now = performance.now();
    timings[stage] = Math.round(now - t0);
    t0 = now;
  };
  const dataDir = resolveDataDir(config, options.env);
  const runDir = runDirOf(config);

  const items: BenchmarkItem[] = [];
  const benchmarks: DataReport['benchmarks'] = [];
  for (const spec of [...data.decontamination.benchmarks, ...data.decontamination.extraBenchmarks]) {
    const read = await readBenchmark(spec, dataDir);
    items.push(...read);
    benchmarks.push({
      name: spec.name,
      path: spec.path,
      texts: read.length,
      items: new Set(read.map((i) => i.name)).size,
    });
  }
  log(`benchmarks: ${items.length} texts of ${new Set(items.map((i) => i.name)).size} problems`);
  const docs: Document[] = [];
  const stats = new Map<string, SourceStats>();
  for (const source of data.sources) {
    const read = await readSource({
      name: source.name,
      kind: source.kind,
      path: resolveIn(dataDir, source.path),
      extensions: source.extensions ?? ['.lean', '.thy', '.tex', '.md'],
    });
    const s = emptySourceStats(source.name, source.weight);
    s.read = read.length;
    s.bytes = read.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
    stats.set(source.name, s);
    docs.push(...read);
    log(`read ${source.name}: ${read.length} documents`);
  }
  lap('read');

  const { dedup, decontamination: dc } = data;
  const setup: AnalysisSetup = {
    seed: config.seed,
    items,
    ngramSizes: dc.ngramSizes,
    dropAtNgram: dc.dropAtNgram,
    problemIds: dc.problemIds,
    problemIdAliases: dc.problemIdAliases,
    near: { enabled: dedup.near, numPerm: dedup.numPerm, shingleSize: dedup.shingleSize },
    tacticSources: data.sources.filter((s) => s.tactics).map((s) => s.name),
    tactics: data.tactics,
  };
  const workers = data.workers === 'auto' ? availableParallelism() : data.workers;
  const lsh = new LshIndex(dedup.numPerm, dedup.bands, dedup.threshold);
  const exactSeen = new Map<string, number>();
  const report: Pick<DataReport, 'overlaps' | 'exactDuplicates' | 'nearDuplicates'> = {
    overlaps: [],
    exactDuplicates: [],
    nearDuplicates: [],
  };
  const kept: Document[] = [];
  prepareRunDir(runDir);
  const train = new JsonlWriter(runDir, 'tactics-train');
  const heldOut = new JsonlWriter(runDir, 'tactics-heldout');
  const ref = (d: Document) => ({ source: d.source, path: d.path });

  const ngramsIndexed = await analyzeInOrder(docs, setup, workers, (i, a) => {
    const doc = docs[i] as Document;
    const s = stats.get(doc.source) as SourceStats;
    if (dedup.exact) {
      const first = exactSeen.get(a.exactKey);
      if (first !== undefined) {
        s.exactDuplicates++;
        report.exactDuplicates.push({ ...ref(doc), of: ref(docs[first] as Document) });
        return;
      }
      exactSeen.set(a.exactKey, i);
    }
    // Contamination is decided before near duplicates, so that every benchmark overlap is reported, including a
    // copy's. A contaminated document still enters the LSH index: a near copy of it without the overlapping text
    // (an edited statement, say) is dropped as its near duplicate instead of slipping through.
    for (const o of a.overlaps) report.overlaps.push({ ...o, dropped: a.contaminated });
    if (a.contaminated) {
      s.contaminated++;
      if (a.signature) lsh.add(i, a.signature);
      return;
    }
    if (a.signature) {
      const match = lsh.query(a.signature);
      if (match) {
        s.nearDuplicates++;
        report.nearDuplicates.push({ ...ref(doc), of: ref(docs[match.of] as Document), similarity: match.similarity });
        return;
      }
      lsh.add(i, a.signature);
    }
    s.kept++;
    s.keptBytes += Buffer.byteLength(doc.text);
    kept.push(doc);
    for (const o of a.proofOverlaps) report.overlaps.push({ ...o, dropped: true });
    const t = s.tactics;
    for (const key of [
      'proofs',
      'incomplete',
      'withGoal',
      'statedGoals',
      'inline',
      'termProofs',
      'examples',
      'tooLong',
    ] as const)
      t[key] += a.counts[key];
    t.contaminatedProofs += a.contaminatedProofs;
    (a.heldOut ? heldOut : train).writeEncoded(a.examples, a.exampleCount);
    if (a.heldOut) t.heldOut += a.exampleCount;
    else t.train += a.exampleCount;
  });
  train.close();
  heldOut.close();
  lap('analyze');
  log(`kept ${kept.length} of ${docs.length} documents; ${train.lines} train and ${heldOut.lines} held-out examples`);

  const weights = new Map(data.sources.map((s) => [s.name, s.weight]));
  const mixture = writeMixture(runDir, kept, weights, config.seed, data.mixture.shardBytes);
  for (const s of stats.values()) {
    s.mixtureCopies = mixture.copies[s.name] ?? 0;
    s.mixtureBytes = mixture.bytes[s.name] ?? 0;
  }
  lap('mixture');
  timings['total'] = Math.round(performance.now() - started);
  const full: DataReport = {
    run: config.run,
    seed: config.seed,
    dataDir,
    runDir,
    config: data,
    sources: [...stats.values()],
    benchmarks,
    ngramsIndexed,
    ...report,
    outputs: { mixture: mixture.files, tacticsTrain: train.files[0] ?? '', tacticsHeldOut: heldOut.files[0] ?? '' },
    workers,
    timingsMs: timings,
  };
  writeReport(runDir, full);
  log(`wrote ${runDir}`);
  return full;
}

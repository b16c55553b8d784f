/**
 * `llemma-train data`: corpora in, training data out. Documents are read in config order and pass, one at a time, four
 * filters: exact duplicate, near duplicate, benchmark contamination, then tactic-example extraction from the kept Lean
 * files (whose proofs are checked for contamination once more, as the prompts will show them). What survives becomes
 * the weighted mixture and the train/held-out tactic examples; report.json and report.md say what happened to
 * every document that did not survive. The run is a pure function of the config, the input files and the seed.
 */
import * as path from 'node:path';
import { getPromptFormat } from '../../../model/src/prompts';
import { type DataConfig, resolveDataDir, resolveIn, type TrainingConfig, workspaceDir } from '../config';
import { type BenchmarkItem, readBenchmark } from './benchmarks';
import { ContaminationIndex, type Overlap } from './decontaminate';
import { exactKey, LshIndex, minHasher } from './dedup';
import { type Document, readSource } from './documents';
import { JsonlWriter, prepareRunDir, writeMixture } from './output';
import { type DataReport, emptySourceStats, type SourceStats, writeReport } from './report';
import { examplesOf, isHeldOut } from './tacticExamples';
import { tacticProofs } from './tacticProofs';
import { tokenHashes } from './tokens';

export interface RunOptions {
  /** Progress lines (stderr in the CLI); silent by default. */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function runDataStage(config: TrainingConfig, options: RunOptions = {}): Promise<DataReport> {
  const log = options.log ?? (() => {});
  const data: DataConfig = config.data;
  const timings: Record<string, number> = {};
  const timed = <T>(stage: string, f: () => T): T => {
    const t0 = performance.now();
    try {
      return f();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + performance.now() - t0;
    }
  };
  const started = performance.now();
  const dataDir = resolveDataDir(config, options.env);
  const runDir = path.join(resolveIn(workspaceDir, config.outDir), config.run);
  const format = getPromptFormat(data.tactics.promptFormat);

  const t0 = performance.now();
  const benchmarkSpecs = [...data.decontamination.benchmarks, ...data.decontamination.extraBenchmarks];
  const items: BenchmarkItem[] = [];
  const benchmarks: DataReport['benchmarks'] = [];
  for (const spec of benchmarkSpecs) {
    const read = await readBenchmark(spec, dataDir);
    items.push(...read);
    benchmarks.push({ name: spec.name, path: spec.path, texts: read.length, items: new Set(read.map((i) => i.name)).size });
  }
  const aliases = data.decontamination.problemIdAliases;
  const index = new ContaminationIndex(items, data.decontamination.ngramSizes, aliases);
  timings['benchmarks'] = performance.now() - t0;
  log(`benchmarks: ${items.length} texts of ${new Set(items.map((i) => i.name)).size} problems`);

  const docs: Document[] = [];
  const stats = new Map<string, SourceStats>();
  for (const source of data.sources) {
    const t1 = performance.now();
    const read = await readSource({
      name: source.name,
      kind: source.kind,
      path: resolveIn(dataDir, source.path),
      extensions: source.extensions ?? ['.lean', '.thy', '.tex', '.md'],
    });
    timings['read'] = (timings['read'] ?? 0) + performance.now() - t1;
    const s = emptySourceStats(source.name, source.weight);
    s.read = read.length;
    s.bytes = read.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
    stats.set(source.name, s);
    docs.push(...read);
    log(`read ${source.name}: ${read.length} documents`);
  }

  const { dedup, decontamination: dc } = data;
  const hasher = minHasher(dedup.numPerm, dedup.shingleSize, config.seed);
  const lsh = new LshIndex(dedup.numPerm, dedup.bands, dedup.threshold);
  const exactSeen = new Map<string, number>();
  const keywords = new Set(data.tactics.keywords);
  const tacticSources = new Set(data.sources.filter((s) => s.tactics).map((s) => s.name));
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

  docs.forEach((doc, i) => {
    const s = stats.get(doc.source) as SourceStats;
    const hashes = timed('tokenize', () => tokenHashes(doc.text));
    if (dedup.exact) {
      const key = timed('exactDedup', () => exactKey(hashes));
      const first = exactSeen.get(key);
      if (first !== undefined) {
        s.exactDuplicates++;
        report.exactDuplicates.push({ ...ref(doc), of: ref(docs[first] as Document) });
        return;
      }
      exactSeen.set(key, i);
    }
    if (dedup.near) {
      const sig = timed('nearDedup', () => hasher.signature(hashes));
      if (sig) {
        const match = timed('nearDedup', () => lsh.query(sig));
        if (match) {
          s.nearDuplicates++;
          const of = ref(docs[match.of] as Document);
          report.nearDuplicates.push({ ...ref(doc), of, similarity: match.similarity });
          return;
        }
        lsh.add(i, sig);
      }
    }
    const overlaps = timed('decontaminate', () => index.scan(doc, hashes));
    const named = dc.problemIds === 'off' ? undefined : index.problemMatch(doc);
    if (named) overlaps.push(named);
    const drops = (o: Overlap) => (o.kind === 'ngram' ? o.n >= dc.dropAtNgram : dc.problemIds === 'drop');
    const contaminated = overlaps.some(drops);
    for (const o of overlaps) report.overlaps.push({ ...o, dropped: contaminated });
    if (contaminated) {
      s.contaminated++;
      return;
    }
    s.kept++;
    s.keptBytes += Buffer.byteLength(doc.text);
    kept.push(doc);
    if (!doc.isLean || !tacticSources.has(doc.source)) return;
    const proofs = timed('tactics', () => tacticProofs(doc.text, keywords)).filter((p) => {
      // The prompts show the statement, the rendered goal and the proof without comments: check that text too.
      const shown = `${p.statement}\n${p.goal ?? ''}\n${p.text}`;
      const found = timed('decontaminate', () => index.scan({ ...ref(doc), text: shown }, tokenHashes(shown)));
      const hit = found.filter(drops);
      for (const o of hit) report.overlaps.push({ ...o, path: `${doc.path}#${p.name}`, dropped: true });
      if (hit.length > 0) s.tactics.contaminatedProofs++;
      return hit.length === 0;
    });
    const examples = timed('tactics', () => examplesOf(doc, proofs, format, data.tactics, s.tactics));
    const toHeldOut = isHeldOut(doc, data.tactics.heldOutFraction, config.seed);
    const writer = toHeldOut ? heldOut : train;
    timed('write', () => {
      for (const e of examples) writer.write(e);
    });
    if (toHeldOut) s.tactics.heldOut += examples.length;
    else s.tactics.train += examples.length;
  });
  train.close();
  heldOut.close();
  log(`kept ${kept.length} of ${docs.length} documents; ${train.lines} train and ${heldOut.lines} held-out examples`);

  const weights = new Map(data.sources.map((s) => [s.name, s.weight]));
  const mixture = timed('write', () => writeMixture(runDir, kept, weights, config.seed, data.mixture.shardBytes));
  for (const s of stats.values()) {
    s.mixtureCopies = mixture.copies[s.name] ?? 0;
    s.mixtureBytes = mixture.bytes[s.name] ?? 0;
  }
  timings['total'] = performance.now() - started;
  const full: DataReport = {
    run: config.run,
    seed: config.seed,
    dataDir,
    runDir,
    config: data,
    sources: [...stats.values()],
    benchmarks,
    ngramsIndexed: index.sizes(),
    ...report,
    outputs: { mixture: mixture.files, tacticsTrain: train.files[0] ?? '', tacticsHeldOut: heldOut.files[0] ?? '' },
    timingsMs: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])),
  };
  writeReport(runDir, full);
  log(`wrote ${runDir}`);
  return full;
}

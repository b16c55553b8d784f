/**
 * Everything the pipeline computes about one document on its own, before any decision that depends on other
 * documents: its exact-duplicate key, its MinHash signature, its benchmark overlaps, and (for Lean sources) its
 * tactic examples already serialised as JSONL. Being a pure function of the document and a serialisable setup, it
 * runs the same in worker threads as in the main thread, and the decisions taken afterwards in document order
 * (pipeline.ts) make the output independent of how many workers there were.
 */
import { getPromptFormat, type PromptFormat } from '@llemma/model/prompts';
import { tacticProofs } from '@llemma/prover-text/lean';
import type { DataConfig } from '../run/config';
import type { BenchmarkItem } from './benchmarks';
import { ContaminationIndex, type Overlap } from './decontaminate';
import { exactKey, type MinHasher, minHasher } from './dedup';
import type { Document } from './documents';
import { type ExampleCounts, emptyExampleCounts, examplesOf, isHeldOut } from './tacticExamples';
import { tokenHashes } from './tokens';

/** What a worker needs to analyse documents: plain data, copied to each worker once. */
export interface AnalysisSetup {
  seed: number;
  items: BenchmarkItem[];
  ngramSizes: number[];
  dropAtNgram: number;
  problemIds: 'drop' | 'report' | 'off';
  problemIdAliases: Record<string, string>;
  near: { enabled: boolean; numPerm: number; shingleSize: number };
  /** Sources whose Lean documents yield tactic examples. */
  tacticSources: string[];
  tactics: DataConfig['tactics'];
}

export interface DocAnalysis {
  exactKey: string;
  signature: Uint32Array | undefined;
  /** Document-level overlaps (n-gram and problem name). */
  overlaps: Overlap[];
  /** Whether the overlaps drop the document. */
  contaminated: boolean;
  /** Overlaps found in single proofs as the prompts show them; those proofs gave no examples. */
  proofOverlaps: Overlap[];
  contaminatedProofs: number;
  counts: ExampleCounts;
  /** The examples as UTF-8 JSONL, for the held-out file or the train file. */
  examples: Uint8Array;
  exampleCount: number;
  heldOut: boolean;
}

export interface Analyzer {
  index: ContaminationIndex;
  analyze(doc: Document): DocAnalysis;
}

export function createAnalyzer(setup: AnalysisSetup): Analyzer {
  const index = new ContaminationIndex(setup.items, setup.ngramSizes, setup.problemIdAliases);
  const hasher: MinHasher | undefined = setup.near.enabled
    ? minHasher(setup.near.numPerm, setup.near.shingleSize, setup.seed)
    : undefined;
  const format: PromptFormat = getPromptFormat(setup.tactics.promptFormat);
  const keywords = new Set(setup.tactics.keywords);
  const tacticSources = new Set(setup.tacticSources);
  const encoder = new TextEncoder();
  const drops = (o: Overlap) => (o.kind === 'ngram' ? o.n >= setup.dropAtNgram : setup.problemIds === 'drop');

  return {
    index,
    analyze(doc) {
      const hashes = tokenHashes(doc.text);
      const overlaps = index.scan(doc, hashes);
      const named = setup.problemIds === 'off' ? undefined : index.problemMatch(doc);
      if (named) overlaps.push(named);
      const contaminated = overlaps.some(drops);
      const result: DocAnalysis = {
        exactKey: exactKey(hashes),
        signature: hasher?.signature(hashes),
        overlaps,
        contaminated,
        proofOverlaps: [],
        contaminatedProofs: 0,
        counts: emptyExampleCounts(),
        examples: new Uint8Array(0),
        exampleCount: 0,
        heldOut: isHeldOut(doc, setup.tactics.heldOutFraction, setup.seed),
      };
      // A contaminated document is dropped whole; its proofs are not even read.
      if (contaminated || !doc.isLean || !tacticSources.has(doc.source)) return result;
      const proofs = tacticProofs(doc.text, keywords).filter((p) => {
        // The prompts show the statement, the rendered goal and the proof without comments: check that text too.
        const shown = `${p.statement}\n${p.goal ?? ''}\n${p.text}`;
        const hit = index.scan({ source: doc.source, path: doc.path, text: shown }, tokenHashes(shown)).filter(drops);
        for (const o of hit) result.proofOverlaps.push({ ...o, path: `${doc.path}#${p.name}` });
        if (hit.length > 0) result.contaminatedProofs++;
        return hit.length === 0;
      });
      const examples = examplesOf(doc, proofs, format, setup.tactics, result.counts);
      result.exampleCount = examples.length;
      result.examples = encoder.encode(examples.map((e) => `${JSON.stringify(e)}\n`).join(''));
      return result;
    },
  };
}

/**
 * A worker thread that analyses documents (analyze.ts). It builds its own benchmark index from the setup it is
 * started with, then answers each batch of documents with their analyses, transferring the example bytes instead of
 * copying them. Started through analyzeWorker.mjs, which loads TypeScript.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type AnalysisSetup, createAnalyzer, type DocAnalysis } from './analyze';
import type { Document } from './documents';

export interface BatchRequest {
  batch: number;
  docs: Document[];
}

/** First the benchmark index's size (once, when ready), then one answer per batch. */
export type WorkerMessage = { sizes: Record<number, number> } | { batch: number; results: DocAnalysis[] };

const port = parentPort;
if (!port) throw new Error('analyzeWorker.ts runs only as a worker thread');
const analyzer = createAnalyzer(workerData as AnalysisSetup);
port.postMessage({ sizes: analyzer.index.sizes() } satisfies WorkerMessage);
port.on('message', ({ batch, docs }: BatchRequest) => {
  const results = docs.map((d) => analyzer.analyze(d));
  port.postMessage(
    { batch, results } satisfies WorkerMessage,
    results.map((r) => r.examples.buffer as ArrayBuffer),
  );
});

/**
 * Runs `analyze` over all documents, on worker threads or in this thread, and hands the results back strictly in
 * document order, so the caller's order-dependent decisions (keep the first copy) come out the same either way.
 */
import { Worker } from 'node:worker_threads';
import { type AnalysisSetup, createAnalyzer, type DocAnalysis } from './analyze';
import type { BatchRequest, WorkerMessage } from './analyzeWorker';
import type { Document } from './documents';

/** Batches of about this much text keep workers busy without holding many results out of order. */
const batchChars = 512 * 1024;
/** Batches in flight per worker: one being worked on, one waiting, so a worker never idles for a round trip. */
const inFlightPerWorker = 2;

/**
 * Calls `onResult(i, analysis)` for every document in order. `workers` 0 analyses in this thread (no start-up cost,
 * simplest to debug); otherwise that many worker threads share the work. Returns the benchmark index's size.
 */
export async function analyzeInOrder(
  docs: readonly Document[],
  setup: AnalysisSetup,
  workers: number,
  onResult: (index: number, analysis: DocAnalysis) => void,
): Promise<Record<number, number>> {
  const batches = batchesOf(docs);
  if (workers <= 0 || batches.length === 0) {
    const analyzer = createAnalyzer(setup);
    for (const [i, d] of docs.entries()) onResult(i, analyzer.analyze(d));
    return analyzer.index.sizes();
  }
  const pool = Array.from(
    { length: Math.min(workers, batches.length) },
    () => new Worker(new URL('./analyzeWorker.mjs', import.meta.url), { workerData: setup }),
  );
  let nextToSend = 0;
  let nextToDeliver = 0;
  const done = new Map<number, DocAnalysis[]>();
  let sizes: Record<number, number> = {};
  try {
    await new Promise<void>((resolve, reject) => {
      const send = (w: Worker) => {
        if (nextToSend >= batches.length) return;
        const batch = nextToSend++;
        const [from, to] = batches[batch] as [number, number];
        w.postMessage({ batch, docs: docs.slice(from, to) } satisfies BatchRequest);
      };
      const deliver = () => {
        for (let results = done.get(nextToDeliver); results; results = done.get(nextToDeliver)) {
          done.delete(nextToDeliver);
          const from = (batches[nextToDeliver] as [number, number])[0];
          for (const [k, r] of results.entries()) onResult(from + k, r);
          nextToDeliver++;
        }
        if (nextToDeliver === batches.length) resolve();
      };
      for (const w of pool) {
        w.on('message', (message: WorkerMessage) => {
          if ('sizes' in message) {
            sizes = message.sizes;
            return;
          }
          const { batch, results } = message;
          try {
            done.set(batch, results);
            send(w);
            deliver();
          } catch (e) {
            reject(e);
          }
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (nextToDeliver < batches.length)
            reject(new Error(`an analysis worker exited (code ${code}) before the end`));
        });
        for (let k = 0; k < inFlightPerWorker; k++) send(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return sizes;
}

/** Consecutive index ranges [from, to) of about `batchChars` characters each (at least one document). */
function batchesOf(docs: readonly Document[]): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  let chars = 0;
  docs.forEach((d, i) => {
    chars += d.text.length;
    if (chars >= batchChars) {
      out.push([from, i + 1]);
      from = i + 1;
      chars = 0;
    }
  });
  if (from < docs.length) out.push([from, docs.length]);
  return out;
}

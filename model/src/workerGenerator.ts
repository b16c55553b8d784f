// TacticGenerator that runs the model in a worker thread, so the caller's event loop (the language server)
// keeps answering while tokens are decoded. Nothing starts until the first request: the worker is spawned and
// the model loaded lazily. If the worker dies, pending requests fail and the next request starts a new one.

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SessionOptions } from './executionProviders';
import type { GenerationGraphMode } from './modelChoices';
import { abortError, type Candidate, type GenerateOptions, type ModelInfo, type TacticGenerator } from './types';
import { deserializeError, type HostMessage, type WorkerConfig, type WorkerMessage } from './workerProtocol';

export interface WorkerGeneratorOptions {
  /** The model folder (docs/model-format.md). */
  folder: string;
  sessionOptions?: SessionOptions;
  /** When beam search runs in generation.onnx (LocalGenerator.load); default "auto". */
  generationGraph?: GenerationGraphMode;
  /** The worker's script; default: defaultWorkerFile(). */
  workerFile?: string;
}

/**
 * The worker script beside this module: `worker.ts` when running from source (tsx), `modelWorker.js` when this
 * module was bundled (the build must emit model/src/worker.ts as modelWorker.js next to the bundle).
 */
export function defaultWorkerFile(): string {
  return __filename.endsWith('.ts') ? join(__dirname, 'worker.ts') : join(__dirname, 'modelWorker.js');
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class WorkerGenerator implements TacticGenerator {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly options: WorkerGeneratorOptions) {}

  generate(prompt: string, opts: GenerateOptions): Promise<Candidate[]> {
    const { signal, ...rest } = opts;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return this.request<Candidate[]>((id) => ({ type: 'generate', id, prompt, opts: rest }), signal);
  }

  /** LocalGenerator.generateBatch in the worker: the prompts' beam searches share one decoder batch. */
  generateBatch(prompts: readonly string[], opts: GenerateOptions): Promise<Candidate[][]> {
    const { signal, ...rest } = opts;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return this.request<Candidate[][]>(
      (id) => ({ type: 'generateBatch', id, prompts: [...prompts], opts: rest }),
      signal,
    );
  }

  /** Loads the model (if not yet loaded) and describes it. */
  info(): Promise<ModelInfo> {
    return this.request<ModelInfo>((id) => ({ type: 'info', id }));
  }

  /** Stops the worker; pending requests reject. A later request starts a new worker. */
  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('the model worker was disposed'));
    if (worker) await worker.terminate();
  }

  private request<T>(make: (id: number) => HostMessage, signal?: AbortSignal): Promise<T> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => worker.postMessage({ type: 'cancel', id } satisfies HostMessage);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v as T);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err.name === 'AbortError' && signal ? abortError(signal) : err);
        },
      });
      worker.ref();
      worker.postMessage(make(id));
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const file = this.options.workerFile ?? defaultWorkerFile();
    const workerData: WorkerConfig = {
      folder: this.options.folder,
      sessionOptions: this.options.sessionOptions ?? {},
      generationGraph: this.options.generationGraph ?? 'auto',
    };
    // From TypeScript source (tests, development) the worker registers tsx's require hook before loading the
    // entry file; a bundled build points at plain JavaScript.
    const worker = file.endsWith('.ts')
      ? new Worker(
          `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(file)});`,
          {
            eval: true,
            workerData,
          },
        )
      : new Worker(file, { workerData });
    worker.on('message', (m: WorkerMessage) => this.settle(m));
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`the model worker exited with code ${code}`)));
    // An idle worker must not keep the process alive; it is referenced only while requests are pending.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(m: WorkerMessage): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (m.type === 'error') p.reject(deserializeError(m.error));
    else if (m.type === 'result' || m.type === 'batchResult') p.resolve(m.candidates);
    else p.resolve(m.info);
  }

  private lost(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(err);
  }

  private failAll(err: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}

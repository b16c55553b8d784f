// Entry point of the model's worker thread (started by WorkerGenerator; bundle it as its own file). The model
// is loaded on the first request and kept; a failed load is retried by the next request, so a user who fixes
// the folder does not have to restart. Requests run concurrently and interleave step by step; ONNX Runtime's
// run() yields to the event loop between steps, which is when `cancel` messages are handled.

import { parentPort, workerData } from 'node:worker_threads';
import { LocalGenerator } from './localGenerator';
import type { HostMessage, WorkerConfig, WorkerMessage } from './workerProtocol';
import { serializeError } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('model/src/worker.ts must run in a worker thread (see WorkerGenerator)');
const config = workerData as WorkerConfig;

let loading: Promise<LocalGenerator> | null = null;
const running = new Map<number, AbortController>();

function generator(): Promise<LocalGenerator> {
  if (!loading) {
    loading = LocalGenerator.load(config.folder, config.sessionOptions, config.generationGraph);
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

function reply(message: WorkerMessage): void {
  port!.postMessage(message);
}

async function handle(message: HostMessage): Promise<void> {
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  const { id } = message;
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const g = await generator();
    if (message.type === 'info') {
      reply({ type: 'info', id, info: g.info() });
    } else if (message.type === 'generateBatch') {
      const candidates = await g.generateBatch(message.prompts, { ...message.opts, signal: controller.signal });
      reply({ type: 'batchResult', id, candidates });
    } else {
      const candidates = await g.generate(message.prompt, { ...message.opts, signal: controller.signal });
      reply({ type: 'result', id, candidates });
    }
  } catch (err) {
    reply({ type: 'error', id, error: serializeError(err) });
  } finally {
    running.delete(id);
  }
}

port.on('message', (message: HostMessage) => {
  void handle(message);
});

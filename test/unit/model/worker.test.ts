// The model in a worker thread: same results as in-thread generation, lazy loading, errors that keep their
// class across the thread boundary, cancellation, and recovery after dispose.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalGenerator } from '../../../model/src/localGenerator';
import { ModelFolderError } from '../../../model/src/modelFolder';
import { WorkerGenerator } from '../../../model/src/workerGenerator';
import { testSessionOptions, tinyModelDir } from '../../../model/testing/fixture';

const prompt = 'Tactic state:\n---\nx y : ℕ\n⊢ x + y = y + x\n---\nNext tactic:\n---';
const sessionOptions = testSessionOptions;

describe('WorkerGenerator', () => {
  let worker: WorkerGenerator;
  before(() => {
    worker = new WorkerGenerator({ folder: tinyModelDir, sessionOptions });
  });
  after(async () => {
    await worker.dispose();
  });

  it('generates exactly what the in-thread generator generates', async () => {
    const local = await LocalGenerator.load(tinyModelDir, sessionOptions);
    try {
      const opts = { n: 4, maxNewTokens: 10, stop: ['---'] };
      const expected = await local.generate(prompt, opts);
      assert.deepEqual(await worker.generate(prompt, opts), expected);
      const sampled = { n: 3, temperature: 0.8, seed: 5, maxNewTokens: 6 };
      assert.deepEqual(await worker.generate(prompt, sampled), await local.generate(prompt, sampled));
      const prompts = [prompt, '⊢ True'];
      assert.deepEqual(await worker.generateBatch(prompts, opts), await local.generateBatch(prompts, opts));
    } finally {
      await local.release();
    }
  });

  it('describes the loaded model', async () => {
    const info = await worker.info();
    assert.equal(info.provider, 'cpu');
    assert.equal(info.promptFormat, 'llemma-fewshot');
    assert.equal(info.contextLength, 2048);
    assert.equal(info.folder, tinyModelDir);
  });

  it('cancels a running generation and keeps serving', async () => {
    await worker.info(); // the model is loaded, so the abort below lands mid-generation
    const controller = new AbortController();
    const started = Date.now();
    const long = worker.generate(prompt, { n: 16, maxNewTokens: 256, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(long, (err: Error) => err.name === 'AbortError');
    assert.ok(Date.now() - started < 5000, 'the abort was honoured promptly');
    const after = await worker.generate(prompt, { n: 1, maxNewTokens: 3 });
    assert.equal(after.length, 1);
    const batchAbort = new AbortController();
    const batch = worker.generateBatch([prompt, prompt], { n: 16, maxNewTokens: 256, signal: batchAbort.signal });
    setTimeout(() => batchAbort.abort(), 30);
    await assert.rejects(batch, (err: Error) => err.name === 'AbortError');
  });

  it('rejects at once for a signal that is already aborted', async () => {
    await assert.rejects(
      worker.generate(prompt, { n: 1, signal: AbortSignal.abort() }),
      (err: Error) => err.name === 'AbortError',
    );
  });

  it('passes option errors back as RangeError', async () => {
    await assert.rejects(worker.generate(prompt, { n: 2, beamWidth: 1 }), RangeError);
  });

  it('starts a new worker after dispose', async () => {
    const w = new WorkerGenerator({ folder: tinyModelDir, sessionOptions });
    await w.info();
    await w.dispose();
    const [c] = await w.generate(prompt, { n: 1, maxNewTokens: 2 });
    assert.equal(c!.tokenIds.length, 2);
    await w.dispose();
  });
});

describe('WorkerGenerator with a broken folder', () => {
  it('loads lazily and reports folder problems as ModelFolderError', async () => {
    const folder = join(tinyModelDir, 'missing');
    const w = new WorkerGenerator({ folder, sessionOptions }); // constructing does not touch the folder
    try {
      await assert.rejects(w.generate(prompt, { n: 1 }), (err: Error) => {
        assert.ok(err instanceof ModelFolderError);
        assert.deepEqual(err.problems, ['the folder does not exist']);
        assert.equal(err.folder, folder);
        return true;
      });
    } finally {
      await w.dispose();
    }
  });
});

// The checkpoint's own PyTorch forward pass as a model-runtime decoder: `llemma_train.reference serve` answers each
// batch of rows with their next-token logits (no cache: every step recomputes each row in full, fine for tiny
// models), and the runtime's own beam search, completion rules and TacticModel run on those numbers. Comparing its
// tactics with a converted folder's compares the two models and nothing else.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { type LoadedModel, LocalGenerator, loadModelFolder, TacticModel } from '@llemma/model';
import { pythonCommand, pythonDir } from '../src/train/python';

type Rows = number[][];

export class PyTorchReference {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly answers: ((line: string) => void)[] = [];
  private stderr = '';

  constructor(checkpoint: string) {
    this.child = spawn(pythonCommand(), ['-m', 'llemma_train.reference', 'serve', checkpoint, '--threads', '1'], {
      cwd: pythonDir,
      env: { ...process.env, PYTHONPATH: pythonDir },
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.answers.shift()?.(line));
    this.child.stderr.on('data', (d) => {
      this.stderr += String(d);
    });
  }

  /** Next-token logits of each row, cut to the first `vocab` ids (the folder's vocabulary). */
  async logits(rows: Rows, vocab: number): Promise<Float32Array[]> {
    const line = await new Promise<string>((resolve, reject) => {
      this.answers.push(resolve);
      this.child.once('exit', (code) => reject(new Error(`the reference exited with ${code}: ${this.stderr}`)));
      this.child.stdin.write(`${JSON.stringify({ rows })}\n`);
    });
    return (JSON.parse(line).logits as number[][]).map((l) => Float32Array.from(l.slice(0, vocab)));
  }

  /**
   * A TacticModel whose decoder is this reference, with the tokenizer, config (prompt format, EOS, vocabulary) of
   * a converted `folder`: what `llemma candidates` would answer if the folder computed exactly PyTorch's logits.
   */
  async tacticModel(folder: string): Promise<TacticModel> {
    const loaded = await loadModelFolder(folder, { executionProviders: ['cpu'] });
    await loaded.release();
    const vocab = loaded.config.vocabSize;
    const decoder = {
      vocabSize: vocab,
      prefill: async (prompts: readonly (readonly number[])[]) => {
        const rows = prompts.map((p) => [...p]);
        return { logits: await this.logits(rows, vocab), cache: rows };
      },
      step: async (cache: Rows, tokens: readonly number[]) => {
        const rows = cache.map((r, i) => [...r, tokens[i] as number]);
        return { logits: await this.logits(rows, vocab), cache: rows };
      },
      selectRows: (cache: Rows, rows: readonly number[]) => rows.map((i) => cache[i] as number[]),
    };
    const model = {
      ...loaded,
      folder: path.resolve(folder),
      decoder,
      release: async () => {},
    } as unknown as LoadedModel;
    const generator = new LocalGenerator(model);
    return new TacticModel({
      generate: (prompt, opts) => generator.generate(prompt, opts),
      info: async () => generator.info(),
      dispose: async () => {},
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

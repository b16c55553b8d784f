// A Decoder that times the one it wraps: how long the model (prefill, step, selectRows) takes and how big each
// batch was, so the bench can split a generation into model time and search (JavaScript) time.

import type { Decoder, StepOutput } from '../src/onnxDecoder';

export interface DecoderTimes {
  prefillMs: number;
  steps: number;
  /** step() plus selectRows(), milliseconds. */
  stepMs: number;
  /** Sum of the batch sizes of all steps (mean batch = rowSteps / steps). */
  rowSteps: number;
  /** Steps at full batch `fullRows` and their time. */
  fullSteps: number;
  fullStepMs: number;
}

export class TimedDecoder<C> implements Decoder<C> {
  times: DecoderTimes = { prefillMs: 0, steps: 0, stepMs: 0, rowSteps: 0, fullSteps: 0, fullStepMs: 0 };

  constructor(
    private readonly inner: Decoder<C>,
    private readonly fullRows: number,
  ) {}

  get vocabSize(): number {
    return this.inner.vocabSize;
  }

  reset(): void {
    this.times = { prefillMs: 0, steps: 0, stepMs: 0, rowSteps: 0, fullSteps: 0, fullStepMs: 0 };
  }

  async prefill(prompts: readonly (readonly number[])[]): Promise<StepOutput<C>> {
    const t = performance.now();
    const out = await this.inner.prefill(prompts);
    this.times.prefillMs += performance.now() - t;
    return out;
  }

  async step(cache: C, tokens: readonly number[]): Promise<StepOutput<C>> {
    const t = performance.now();
    const out = await this.inner.step(cache, tokens);
    const ms = performance.now() - t;
    this.times.steps++;
    this.times.stepMs += ms;
    this.times.rowSteps += tokens.length;
    if (tokens.length === this.fullRows) {
      this.times.fullSteps++;
      this.times.fullStepMs += ms;
    }
    return out;
  }

  selectRows(cache: C, rows: readonly number[]): C {
    const t = performance.now();
    const out = this.inner.selectRows(cache, rows);
    const ms = performance.now() - t;
    this.times.stepMs += ms;
    if (rows.length === this.fullRows) this.times.fullStepMs += ms;
    return out;
  }
}

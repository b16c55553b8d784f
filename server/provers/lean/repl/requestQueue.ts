/**
 * The request queue of one REPL process. The REPL reads a request, answers it, then reads the next, and its answers
 * carry no request id: the only thing tying an answer to its request is order. So exactly one request is on the wire at
 * a time, and nothing may ever be sent that is not answered in turn.
 *
 * Cancellation follows from that. A request still waiting here is dropped and never sent. A request already sent
 * cannot be taken back: its caller is rejected at once, but the request keeps its place on the wire, its answer is
 * read and thrown away, and only then does the next request go out. Killing the process instead would be simpler, but
 * would throw away every environment the REPL holds, `import Mathlib` included, which costs far more than waiting.
 * An abandoned request keeps its timeout, so one that hangs still ends in a restart.
 */
import { ReplError } from './replApi';

export interface QueueOptions {
  /** Writes one encoded request to the process. */
  write(payload: string): void;
  /**
   * The request on the wire got no answer in time. Returns the error its caller gets. From then on the queue sends
   * nothing: the owner must kill the process (the late answer would be taken for the next request's) and call `failAll`.
   */
  onTimeout(request: EnqueueOptions): Error;
  /** Called whenever the number of requests sent or waiting changes, so the owner can report busy and ready. */
  onLoad?(count: number): void;
}

export interface EnqueueOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Background work (rebuilding environments after a restart) yields its turn to every request not yet sent. */
  background?: boolean | undefined;
  /** Names the request in messages, e.g. "the command `import Mathlib`". */
  label?: string | undefined;
  /** For the owner's timeout message: which setting bounds this request. */
  hint?: 'requestTimeoutMs' | 'importTimeoutMs' | 'tacticTimeoutMs' | undefined;
}

interface Entry {
  payload: string;
  opts: EnqueueOptions;
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** The caller gave up on it after it was sent; its answer is to be discarded. */
  abandoned: boolean;
  timer?: NodeJS.Timeout;
  dropAbortListener?: () => void;
}

export type Delivery = 'delivered' | 'discarded' | 'unsolicited';

export class RequestQueue {
  readonly #opts: QueueOptions;
  readonly #waiting: Entry[] = [];
  #onWire: Entry | undefined;
  /** Set once a timeout or `failAll` happened: the process is going away, nothing more is sent. */
  #closed = false;
  /** What requests queued after `failAll` are rejected with. */
  #closedError: Error = new ReplError('crashed', 'The Lean REPL is being stopped.');

  constructor(opts: QueueOptions) {
    this.#opts = opts;
  }

  /** Requests sent (abandoned ones included, since they still block the wire) or waiting. */
  get load(): number {
    return this.#waiting.length + (this.#onWire ? 1 : 0);
  }

  /** The label of the request on the wire, for messages about its answer. */
  get onWireLabel(): string | undefined {
    return this.#onWire?.opts.label;
  }

  /** Queues `payload`; resolves with the parsed answer the process gives to it. */
  enqueue(payload: string, opts: EnqueueOptions): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closedError);
    if (opts.signal?.aborted) return Promise.reject(cancelled(opts.label));
    return new Promise<unknown>((resolve, reject) => {
      const entry: Entry = { payload, opts, resolve, reject, abandoned: false };
      if (opts.signal) {
        const signal = opts.signal;
        const onAbort = () => this.#cancel(entry);
        signal.addEventListener('abort', onAbort, { once: true });
        entry.dropAbortListener = () => signal.removeEventListener('abort', onAbort);
      }
      // Normal requests overtake background ones that are not sent yet; among equals the order is kept.
      const firstBackground = opts.background ? -1 : this.#waiting.findIndex((e) => e.opts.background);
      if (firstBackground < 0) this.#waiting.push(entry);
      else this.#waiting.splice(firstBackground, 0, entry);
      this.#opts.onLoad?.(this.load);
      this.#pump();
    });
  }

  /** Hands the answer that just arrived to the request on the wire. */
  deliver(value: unknown): Delivery {
    return this.#finish((entry) => entry.resolve(value));
  }

  /** Fails the request on the wire (its answer was unusable) and goes on with the next one. */
  reject(err: Error): Delivery {
    return this.#finish((entry) => entry.reject(err));
  }

  /** The process is gone: fails the request on the wire and every waiting one, and refuses new ones. */
  failAll(errorFor: (sent: boolean) => Error): void {
    this.#closed = true;
    this.#closedError = errorFor(false);
    const entry = this.#onWire;
    this.#onWire = undefined;
    if (entry) this.#settle(entry, () => entry.reject(errorFor(true)));
    for (const waiting of this.#waiting.splice(0)) this.#settle(waiting, () => waiting.reject(errorFor(false)));
    this.#opts.onLoad?.(0);
  }

  #finish(settle: (entry: Entry) => void): Delivery {
    const entry = this.#onWire;
    if (!entry) return 'unsolicited';
    this.#onWire = undefined;
    const delivery = entry.abandoned ? 'discarded' : 'delivered';
    this.#settle(entry, settle);
    this.#opts.onLoad?.(this.load);
    this.#pump();
    return delivery;
  }

  #settle(entry: Entry, settle: (entry: Entry) => void): void {
    clearTimeout(entry.timer);
    entry.dropAbortListener?.();
    if (!entry.abandoned) settle(entry);
  }

  #cancel(entry: Entry): void {
    const index = this.#waiting.indexOf(entry);
    if (index >= 0) {
      this.#waiting.splice(index, 1);
      this.#settle(entry, () => entry.reject(cancelled(entry.opts.label)));
      this.#opts.onLoad?.(this.load);
    } else if (entry === this.#onWire && !entry.abandoned) {
      entry.reject(cancelled(entry.opts.label));
      entry.abandoned = true;
    }
  }

  #pump(): void {
    if (this.#onWire || this.#closed) return;
    const entry = this.#waiting.shift();
    if (!entry) return;
    this.#onWire = entry;
    entry.timer = setTimeout(() => this.#timeout(entry), entry.opts.timeoutMs);
    this.#opts.write(entry.payload);
  }

  #timeout(entry: Entry): void {
    if (entry !== this.#onWire) return;
    this.#closed = true;
    entry.dropAbortListener?.();
    // Marked first: the owner may call `failAll` from `onTimeout`, and this caller is to hear "timeout", not "crashed".
    const alreadyAbandoned = entry.abandoned;
    entry.abandoned = true;
    const err = this.#opts.onTimeout(entry.opts);
    if (!alreadyAbandoned) entry.reject(err);
  }
}

function cancelled(label: string | undefined): ReplError {
  return new ReplError('cancelled', `The request${label ? ` (${label})` : ''} was cancelled.`);
}

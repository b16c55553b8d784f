/**
 * The Lean REPL client: one REPL process at a time, started on first use and replaced after a crash, a hang or
 * unreadable output. Around the process it keeps the environment cache (`envFor`), so that a file's header such as
 * `import Mathlib` is elaborated once per process, and rebuilds that cache in the background after a restart.
 */
import { LRUCache } from 'lru-cache';
import { encodeRequest, type Frame } from './framing';
import { type LeanRepl, ReplError, type ReplLaunch, type ReplLifecycle, type RequestOptions } from './replApi';
import { say } from './replMessages';
import { type ReplExit, ReplProcess } from './replProcess';
import {
  type CommandResponse,
  parseResponse,
  type ReplRequest,
  responseKindOf,
  SchemaError,
  type TacticOutcome,
  type TacticResponse,
  tacticOutcome,
} from './replSchema';
import { type EnqueueOptions, RequestQueue } from './requestQueue';

export interface ReplClientOptions {
  launch: ReplLaunch;
  requestTimeoutMs: number;
  /** Timeout of the first command of an `envFor` chain and of env-less commands that import. */
  importTimeoutMs: number;
  onLifecycle?(state: ReplLifecycle, message?: string): void;
  log?(line: string): void;
  /** The restart-loop guard: this many failed starts in a row (each within `restartWindowMs` of the one before) stop restarts. */
  maxFailedStarts?: number;
  restartWindowMs?: number;
  /** Overrides the bound on one answer's size (`maxFrameBytes` in framing.ts), for tests. */
  maxFrameBytes?: number;
}

/** One process with its queue. `retired` is set the moment the client stops using it, before the process is gone. */
interface Running {
  process: ReplProcess;
  queue: RequestQueue;
  generation: number;
  answered: boolean;
  retired: boolean;
}

interface SendOptions extends RequestOptions {
  /** Bounded by the import timeout rather than the request timeout (headers, env-less commands that import). */
  imports?: boolean;
  background?: boolean;
}

/** An envFor step created by the background rebuild failed; the user's request gets one fresh try instead. */
class RebuildFailure extends Error {}

export class ReplClient implements LeanRepl {
  readonly launch: ReplLaunch;
  readonly #opts: ReplClientOptions;
  #running: Running | undefined;
  #generation = 0;
  #lifecycle: ReplLifecycle = 'stopped';
  /** Env id per chain prefix, for the current process only: cleared whenever the process is retired. */
  readonly #envCache = new LRUCache<string, Promise<number>>({ max: 512 });
  /** Steps started by the background rebuild, so that their failure is not passed on to users. */
  readonly #rebuildSteps = new WeakSet<Promise<number>>();
  /** Chains that completed at least once: what a restart rebuilds. A chain that fails is dropped, so no rebuild loops. */
  readonly #knownChains = new LRUCache<string, readonly string[]>({ max: 4 });
  #failedStarts: number[] = [];
  /** Set by the restart-loop guard: every request fails fast with it until `restart` or `dispose`. */
  #failure: ReplError | undefined;
  #disposed = false;

  constructor(opts: ReplClientOptions) {
    this.launch = opts.launch;
    this.#opts = opts;
  }

  get generation(): number {
    return this.#generation;
  }

  holds(generation: number): boolean {
    return this.#running !== undefined && !this.#running.retired && this.#running.generation === generation;
  }

  get lifecycle(): ReplLifecycle {
    return this.#lifecycle;
  }

  get pid(): number | undefined {
    return this.#running?.process.pid;
  }

  async envFor(commands: readonly string[], opts: RequestOptions = {}): Promise<number> {
    return (await this.#envForUser(commands, opts)).env;
  }

  command(cmd: string, env: number | undefined, opts: RequestOptions = {}): Promise<CommandResponse> {
    const imports = env === undefined && /^\s*import\s/m.test(cmd);
    return this.#send(env === undefined ? { cmd } : { cmd, env }, { ...opts, imports }) as Promise<CommandResponse>;
  }

  tactic(tactic: string, proofState: number, opts: RequestOptions = {}): Promise<TacticResponse> {
    return this.#send({ tactic, proofState }, opts) as Promise<TacticResponse>;
  }

  async commandIn(envChain: readonly string[], cmd: string, opts: RequestOptions = {}) {
    for (let attempt = 0; ; attempt++) {
      try {
        const { env, generation } = await this.#envForUser(envChain, opts);
        const response = (await this.#send({ cmd, env }, { ...opts, generation })) as CommandResponse;
        return { response, generation };
      } catch (err) {
        // A crash (of this command or of anything before it) invalidates the env: rebuild it and try once more.
        if (attempt > 0 || !(err instanceof ReplError) || err.kind !== 'crashed' || this.#failure) throw err;
        this.#log(`Retrying a command after a restart: ${err.message}`);
      }
    }
  }

  /** Saves environment `env` to `path` (an .olean); answers with the same env id. */
  pickleEnv(env: number, path: string, opts: RequestOptions = {}): Promise<CommandResponse> {
    return this.#send({ pickleTo: path, env }, opts) as Promise<CommandResponse>;
  }

  /** Loads an environment saved by `pickleEnv`; answers with its new env id. */
  unpickleEnv(path: string, opts: RequestOptions = {}): Promise<CommandResponse> {
    return this.#send({ unpickleEnvFrom: path }, opts) as Promise<CommandResponse>;
  }

  /** Saves proof state `proofState` to `path`; the REPL answers like a tactic, with a new proof state id. */
  pickleProofState(proofState: number, path: string, opts: RequestOptions = {}): Promise<TacticResponse> {
    return this.#send({ pickleTo: path, proofState }, opts) as Promise<TacticResponse>;
  }

  /** Loads a proof state saved by `pickleProofState`, into environment `env` when given. */
  unpickleProofState(path: string, env?: number, opts: RequestOptions = {}): Promise<TacticResponse> {
    const req = env === undefined ? { unpickleProofStateFrom: path } : { unpickleProofStateFrom: path, env };
    return this.#send(req, opts) as Promise<TacticResponse>;
  }

  /** Stops the process and forgets the restart-loop guard (after the user fixed the REPL); known headers are rebuilt. */
  restart(): void {
    this.#failure = undefined;
    this.#failedStarts = [];
    if (this.#running) this.#retire(this.#running, say.restartedOnRequest(this.launch));
    this.#afterLoss(say.restartedOnRequest(this.launch).message);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const running = this.#running;
    if (running) {
      this.#retire(running, new ReplError('disposed', 'The Lean REPL was stopped.'));
      await Promise.race([running.process.whenExited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    }
    this.#setLifecycle('stopped');
  }

  // ---- Requests.

  async #send(req: ReplRequest, opts: SendOptions): Promise<CommandResponse | TacticResponse> {
    const label = say.describe(req);
    if (opts.generation !== undefined && this.#running?.generation !== opts.generation) {
      throw new ReplError('crashed', say.staleIds(this.launch, label));
    }
    const running = this.#ensureRunning();
    await running.process.started;
    const raw = await running.queue.enqueue(encodeRequest(req), {
      timeoutMs: opts.timeoutMs ?? (opts.imports ? this.#opts.importTimeoutMs : this.#opts.requestTimeoutMs),
      signal: opts.signal,
      background: opts.background,
      label,
      hint: opts.imports ? 'importTimeoutMs' : 'requestTimeoutMs',
    });
    try {
      const parsed = parseResponse(raw, responseKindOf(req));
      if (parsed.kind === 'error') throw new ReplError('rejected', parsed.value.message);
      return parsed.value;
    } catch (err) {
      if (err instanceof SchemaError) throw new ReplError('protocol', say.schemaMismatch(this.launch, label, err));
      throw err;
    }
  }

  async #envForUser(commands: readonly string[], opts: RequestOptions): Promise<{ env: number; generation: number }> {
    try {
      return await this.#envFor(commands, opts, false);
    } catch (err) {
      if (!(err instanceof RebuildFailure)) throw err;
      return await this.#envFor(commands, opts, false);
    }
  }

  async #envFor(commands: readonly string[], opts: RequestOptions, background: boolean) {
    if (commands.length === 0) throw new TypeError('envFor needs at least one command.');
    const generation = this.#ensureRunning().generation;
    let env: number | undefined;
    for (let i = 0; i < commands.length; i++) {
      const key = JSON.stringify(commands.slice(0, i + 1));
      let step = this.#envCache.get(key);
      if (!step) {
        const cmd = commands[i]!;
        const req = env === undefined ? { cmd } : { cmd, env };
        const sendOpts = { timeoutMs: opts.timeoutMs, imports: i === 0, generation, background };
        // Shared by every caller of this prefix, so it runs without any one caller's signal.
        const created = this.#send(req, sendOpts).then((r) => envOf(r as CommandResponse, i === 0));
        if (background) this.#rebuildSteps.add(created);
        created.catch((err: ReplError) => {
          if (this.#envCache.get(key) === created) this.#envCache.delete(key);
          // A chain that times out or is refused is not rebuilt again by itself; one that crashed counts on the guard.
          if (err.kind !== 'crashed' && err.kind !== 'disposed') this.#knownChains.delete(JSON.stringify(commands));
        });
        this.#envCache.set(key, created);
        step = created;
      }
      try {
        env = await abortable(step, opts.signal);
      } catch (err) {
        if (!background && this.#rebuildSteps.has(step) && !opts.signal?.aborted) throw new RebuildFailure();
        throw err;
      }
    }
    this.#knownChains.set(JSON.stringify(commands), [...commands]);
    return { env: env as number, generation };
  }

  // ---- The process.

  #ensureRunning(): Running {
    if (this.#disposed) throw new ReplError('disposed', 'The Lean REPL client was disposed.');
    if (this.#failure) throw this.#failure;
    if (this.#running) return this.#running;
    const generation = ++this.#generation;
    const running = { generation, answered: false, retired: false } as Running;
    running.queue = new RequestQueue({
      write: (payload) => running.process.write(payload),
      onTimeout: (request) => this.#onTimeout(running, request),
      onLoad: (count) => this.#onLoad(running, count),
    });
    running.process = new ReplProcess(
      this.launch,
      {
        onFrame: (frame) => this.#onFrame(running, frame),
        onExit: (exit) => this.#onExit(running, exit),
        onStderrLine: (line) => this.#log(`stderr: ${line}`),
      },
      { maxFrameBytes: this.#opts.maxFrameBytes },
    );
    this.#running = running;
    this.#log(`Starting \`${this.launch.display}\` in ${this.launch.cwd} (generation ${generation}).`);
    this.#setLifecycle(generation === 1 ? 'starting' : 'restarting');
    return running;
  }

  #onFrame(running: Running, frame: Frame): void {
    if (running.retired) return;
    if (frame.kind === 'overflow') {
      // The decoder reads nothing more from this process, so no later answer could be paired: stop it, whatever it
      // was doing, and let the next request start a fresh one.
      const message = say.overflow(this.launch, frame.limit, running.queue.onWireLabel);
      const err = new ReplError('protocol', message, running.process.stderrTail);
      this.#retire(running, err, say.restartedAfter(this.launch, err));
      this.#afterLoss(err.message);
      return;
    }
    if (frame.kind === 'garbage' && running.queue.load === 0) {
      this.#log(`Ignored output that is not JSON: ${frame.text}`);
      return;
    }
    if (frame.kind === 'garbage') {
      // The answer may still follow; only a fresh process is certain to be in step with its requests again.
      const err = new ReplError('protocol', say.garbage(this.launch, frame.text), running.process.stderrTail);
      this.#retire(running, err, say.restartedAfter(this.launch, err));
      this.#afterLoss(err.message);
      return;
    }
    running.answered = true;
    this.#failedStarts = [];
    if (running.queue.deliver(frame.value) === 'unsolicited') {
      const err = new ReplError('protocol', say.unsolicited(this.launch, frame.text));
      this.#retire(running, err);
      this.#afterLoss(err.message);
    }
  }

  #onTimeout(
    running: Running,
    { label = 'a request', timeoutMs, hint = 'requestTimeoutMs' }: EnqueueOptions,
  ): ReplError {
    const err = new ReplError('timeout', say.timeout(this.launch, label, timeoutMs, hint), running.process.stderrTail);
    this.#retire(running, err, say.restartedAfter(this.launch, err));
    this.#afterLoss(err.message);
    return err;
  }

  #onExit(running: Running, exit: ReplExit): void {
    this.#log(`Process ${running.generation} exited (code ${exit.code}, signal ${exit.signal}).`);
    if (running.retired) return;
    const tail = running.process.stderrTail;
    if (exit.spawnError) {
      this.#retire(running, exit.spawnError);
      this.#setLifecycle('failed', exit.spawnError.message);
      return;
    }
    const starting = !running.answered;
    let err = new ReplError('crashed', say.exited(this.launch, exit, starting, tail), tail);
    if (starting) {
      const now = Date.now();
      const last = this.#failedStarts.at(-1);
      if (last !== undefined && now - last > (this.#opts.restartWindowMs ?? 60_000)) this.#failedStarts = [];
      this.#failedStarts.push(now);
      // Consecutive failures each close to the one before: a loop, not bad luck. Stop until restart() or dispose().
      if (this.#failedStarts.length >= (this.#opts.maxFailedStarts ?? 3)) {
        err = new ReplError('crashed', say.restartLoop(this.launch, this.#failedStarts.length, exit, tail), tail);
        this.#failure = err;
      }
    }
    this.#retire(running, err);
    this.#afterLoss(err.message, starting);
  }

  /** Stops using `running` at once (so the next request gets a fresh process), fails its requests, kills it. */
  #retire(running: Running, onWire: ReplError, waiting: ReplError = onWire): void {
    if (running.retired) return;
    running.retired = true;
    if (this.#running === running) {
      this.#running = undefined;
      this.#envCache.clear();
    }
    running.queue.failAll((sent) => (sent ? onWire : waiting));
    running.process.kill();
  }

  /**
   * After a process was lost: report, and rebuild the known headers at once so `import Mathlib` is ready again. A REPL
   * that died while starting is shown as failed and not restarted in the background: the next request tries again.
   */
  #afterLoss(message: string, diedStarting = false): void {
    if (this.#disposed) return;
    if (this.#failure || diedStarting) {
      this.#setLifecycle('failed', this.#failure?.message ?? message);
      return;
    }
    this.#setLifecycle(this.#knownChains.size > 0 ? 'restarting' : 'stopped', message);
    // Later, not now: the request that failed may be a header step whose own failure (a timeout, say) is still to
    // drop its chain from the known ones. Rebuilding it regardless would time out again, and again.
    setImmediate(() => {
      if (this.#disposed || this.#failure) return;
      const chains = [...this.#knownChains.values()];
      if (chains.length === 0 && !this.#running) this.#setLifecycle('stopped', message);
      if (chains.length === 0) return;
      this.#log(`Rebuilding ${chains.length} environment(s) after a restart.`);
      for (const chain of chains) {
        this.#envFor(chain, {}, true).catch((err: Error) =>
          this.#log(`Rebuilding an environment failed: ${err.message}`),
        );
      }
    });
  }

  #onLoad(running: Running, count: number): void {
    if (running.retired || !running.answered) return;
    this.#setLifecycle(count > 0 ? 'busy' : 'ready');
  }

  #setLifecycle(state: ReplLifecycle, message?: string): void {
    if (state === this.#lifecycle && message === undefined) return;
    this.#lifecycle = state;
    this.#opts.onLifecycle?.(state, message);
  }

  #log(line: string): void {
    this.#opts.log?.(line);
  }
}

/** Runs a tactic and says what it did; the REPL's error object (an unknown tactic, say) is a failed tactic too. */
export async function runTactic(repl: LeanRepl, tactic: string, proofState: number, opts?: RequestOptions) {
  try {
    return tacticOutcome(await repl.tactic(tactic, proofState, opts));
  } catch (err) {
    if (err instanceof ReplError && err.kind === 'rejected')
      return { kind: 'failed', error: err.message } as TacticOutcome;
    throw err;
  }
}

/** The env a chain step produced. The header (step 0) must load without errors, or every command after it is noise. */
function envOf(r: CommandResponse, isHeader: boolean): number {
  const errors = isHeader ? (r.messages ?? []).filter((m) => m.severity === 'error') : [];
  if (errors.length > 0) throw new ReplError('rejected', say.headerRejected(errors.map((m) => m.data)));
  return r.env;
}

/** Waits for `promise` unless `signal` fires first; the work behind the promise goes on for its other users. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new ReplError('cancelled', 'The request was cancelled.'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ReplError('cancelled', 'The request was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The Isabelle server as one object: started (or attached to) on first use, a session started once, theories
 * checked by writing them to a private master folder and asking `use_theories`. A dropped connection, a protocol
 * error or a server that died is recovered from by starting again on the next request (with a guard against
 * restart loops); a command that runs too long is cancelled on the server and fails with a timeout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StartedServer, startServer } from './serverProcess';
import { IsabelleServerError, ServerConnection } from './wire/serverConnection';
import { readSessionStart, readUseTheories, type ServerIdentity, type UseTheoriesResult } from './wire/serverSchema';

export interface IsabelleLaunch {
  /** The `isabelle` executable (a path, or a name on PATH). */
  executable: string;
  /** The logic session theories are checked in (`HOL`, or one that holds the theories' imports). */
  session: string;
  /** Extra session folders (`dirs` of `session_start`), e.g. the AFP's `thys` for miniF2F's imports. */
  dirs: readonly string[];
  /** Milliseconds to start the server and the session (a first session build can take long). */
  startTimeoutMs: number;
}

export type LifecycleState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface IsabelleClientOptions {
  launch: IsabelleLaunch;
  log: (line: string) => void;
  onLifecycle?: (state: LifecycleState, message?: string) => void;
  /** How the server is found; default: `isabelle server -n llemma` (tests: a double's address). */
  start?: () => Promise<StartedServer>;
  /** Overrides the wire's message bound (tests). */
  maxMessageBytes?: number;
}

export interface TheoryFile {
  /** The theory's name, which is also its file's name: the caller writes `theory <name>` in its header. */
  name: string;
  text: string;
}

interface Ready {
  connection: ServerConnection;
  sessionId: string;
  identity: ServerIdentity;
  stop?: () => void;
}

/** Starts within this many milliseconds of a failed start fail at once with that start's error. */
const restartGuardMs = 10_000;

export class IsabelleClient {
  private ready: Promise<Ready> | undefined;
  private lastFailure: { at: number; error: Error } | undefined;
  private masterDir: string | undefined;
  /** Times the connection was set up again after it had been ready. */
  restarts = 0;
  private wasReady = false;
  identity: ServerIdentity | undefined;

  constructor(private readonly options: IsabelleClientOptions) {}

  /** Checks the theories together in the session; the files exist only while the command runs. */
  async useTheories(
    theories: readonly TheoryFile[],
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<UseTheoriesResult> {
    const ready = await this.ensure(opts.signal);
    const dir = this.master();
    const paths = theories.map((t) => join(dir, `${t.name}.thy`));
    for (const [i, t] of theories.entries()) writeFileSync(paths[i] as string, t.text);
    const names = theories.map((t) => t.name);
    try {
      const value = await ready.connection.task(
        'use_theories',
        { session_id: ready.sessionId, theories: names, master_dir: dir, unicode_symbols: false },
        { timeoutMs: opts.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) },
      );
      const result = readUseTheories(value);
      if (!result)
        throw new IsabelleServerError('use_theories answered with a result this client cannot read', 'protocol');
      return result;
    } catch (err) {
      if (err instanceof IsabelleServerError && err.kind === 'protocol') ready.connection.close();
      throw err;
    } finally {
      // The server keeps checked theories in memory until they are purged; a search writes thousands.
      if (ready.connection.open) {
        ready.connection
          .command('purge_theories', { session_id: ready.sessionId, theories: names, master_dir: dir })
          .catch(() => undefined);
      }
      for (const p of paths) rmSync(p, { force: true });
    }
  }

  /** The connection and session, set up when there is none or the last one is gone. */
  private ensure(signal?: AbortSignal): Promise<Ready> {
    signal?.throwIfAborted();
    if (this.ready) return this.ready;
    const failure = this.lastFailure;
    if (failure && performance.now() - failure.at < restartGuardMs) return Promise.reject(failure.error);
    this.options.onLifecycle?.(this.wasReady ? 'restarting' : 'starting');
    if (this.wasReady) this.restarts++;
    const ready = this.setUp();
    this.ready = ready;
    ready.then(
      (r) => {
        this.wasReady = true;
        this.lastFailure = undefined;
        this.identity = r.identity;
        this.options.onLifecycle?.('ready', `${r.identity.isabelleName} (${r.identity.isabelleId})`);
        r.connection.onClose((err) => {
          if (this.ready === ready) this.ready = undefined;
          this.options.log(`isabelle connection ended: ${err.message}`);
        });
      },
      (err: Error) => {
        if (this.ready === ready) this.ready = undefined;
        this.lastFailure = { at: performance.now(), error: err };
        this.options.onLifecycle?.('failed', err.message);
      },
    );
    return ready;
  }

  private async setUp(): Promise<Ready> {
    const { launch, log } = this.options;
    const started = await (
      this.options.start ??
      (() => startServer({ executable: launch.executable, name: 'llemma', startTimeoutMs: launch.startTimeoutMs }, log))
    )();
    let connection: ServerConnection;
    try {
      connection = await ServerConnection.open(started.address, {
        connectTimeoutMs: Math.min(launch.startTimeoutMs, 30_000),
        log,
        ...(this.options.maxMessageBytes !== undefined ? { maxMessageBytes: this.options.maxMessageBytes } : {}),
      });
    } catch (err) {
      started.stop?.();
      throw err;
    }
    try {
      const value = await connection.task(
        'session_start',
        { session: launch.session, dirs: [...launch.dirs], options: [], print_mode: [] },
        { timeoutMs: launch.startTimeoutMs, onNote: (n) => log(`session_start: ${noteText(n)}`) },
      );
      const session = readSessionStart(value);
      if (!session) throw new IsabelleServerError('session_start answered without a session id', 'protocol');
      return {
        connection,
        sessionId: session.sessionId,
        identity: connection.identity,
        ...(started.stop ? { stop: started.stop } : {}),
      };
    } catch (err) {
      connection.close();
      started.stop?.();
      throw err;
    }
  }

  private master(): string {
    this.masterDir ??= mkdtempSync(join(tmpdir(), 'llemma-isabelle-'));
    return this.masterDir;
  }

  /** Drops the connection; the next request sets up a new one. */
  async restart(): Promise<void> {
    const ready = this.ready;
    this.ready = undefined;
    this.lastFailure = undefined;
    const r = await ready?.catch(() => undefined);
    if (r) {
      await r.connection
        .task('session_stop', { session_id: r.sessionId }, { timeoutMs: 10_000 })
        .catch(() => undefined);
      r.connection.close();
      r.stop?.();
    }
  }

  async dispose(): Promise<void> {
    await this.restart();
    if (this.masterDir) rmSync(this.masterDir, { recursive: true, force: true });
    this.masterDir = undefined;
    this.options.onLifecycle?.('stopped');
  }
}

function noteText(note: unknown): string {
  if (note !== null && typeof note === 'object' && 'message' in note && typeof note.message === 'string') {
    return note.message.slice(0, 300);
  }
  return JSON.stringify(note).slice(0, 300);
}

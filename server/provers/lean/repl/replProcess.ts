/**
 * One running REPL process: spawn (argv, never a shell), stdout as frames, the tail of stderr for messages, exit, kill.
 * It knows nothing of requests; replClient.ts pairs frames with requests through a RequestQueue.
 */
import { spawn as spawnPlain } from 'node:child_process';
import { existsSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { execa } from 'execa';
import { remedy } from '../../../remedies';
import { type Frame, FrameDecoder, type FrameDecoderOptions } from './framing';
import { ReplError, type ReplLaunch } from './replApi';

/** How many lines of stderr are kept for messages: enough for a Lean or lake error, not a whole build log. */
const stderrTailLines = 40;
const maxStderrLineChars = 400;
/**
 * How many stderr lines of one process are passed on to the log. A first build by `lake exe repl` writes a few hundred;
 * a process that floods stderr would otherwise fill the output channel (which keeps everything) line by line.
 */
const maxLoggedStderrLines = 2000;

export interface ReplExit {
  /** Exit code, or null when a signal ended the process or it never started. */
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all (missing executable or folder). */
  spawnError?: ReplError;
  /** Whether `kill` or `end` was called before it exited. */
  expected: boolean;
}

export interface ReplProcessHandlers {
  onFrame(frame: Frame): void;
  /** Called once, after every frame the process wrote has been delivered. */
  onExit(exit: ReplExit): void;
  /** Each line of stderr, cut to a few hundred characters, up to `maxLoggedStderrLines`, then one line saying so. */
  onStderrLine?(line: string): void;
}

/** Live processes, killed when this (server) process exits: a detached REPL would otherwise outlive it. */
const live = new Set<ReplProcess>();
let exitHookInstalled = false;

export class ReplProcess {
  readonly launch: ReplLaunch;
  readonly #handlers: ReplProcessHandlers;
  #child: Child | undefined;
  /** Requests written before the process is spawned (execa loads asynchronously), sent once it is. */
  #early: string[] | undefined = [];
  #killRequested = false;
  #endRequested = false;
  readonly #frames: FrameDecoder;
  readonly #stderrUtf8 = new StringDecoder('utf8');
  #stderrPartial = '';
  readonly #stderrLines: string[] = [];
  #stderrLogged = 0;
  #expected = false;
  #exited = false;
  #resolveExited!: (exit: ReplExit) => void;
  #resolveStarted!: () => void;
  /** Settles once the process was spawned or failed to be; requests are timed from then, not from loading execa. */
  readonly started = new Promise<void>((resolve) => {
    this.#resolveStarted = resolve;
  });
  /** Settles after `onExit` was called. */
  readonly whenExited = new Promise<ReplExit>((resolve) => {
    this.#resolveExited = resolve;
  });

  /** Starts the process. Failures to start are reported through `onExit`, never thrown, like any other exit. */
  constructor(launch: ReplLaunch, handlers: ReplProcessHandlers, framing: FrameDecoderOptions = {}) {
    this.launch = launch;
    this.#handlers = handlers;
    this.#frames = new FrameDecoder(framing);
    if (!existsSync(launch.cwd)) {
      const err = new ReplError('notFound', `Could not start the Lean REPL: the folder ${launch.cwd} does not exist.`);
      queueMicrotask(() => this.#exit({ code: null, signal: null, spawnError: err, expected: false }));
      return;
    }
    live.add(this);
    installExitHook();
    loadExeca().then(
      (run) => this.#spawned(spawn(run, launch)),
      (err: unknown) => this.#exit({ code: null, signal: null, spawnError: unexpected(launch, err), expected: false }),
    );
  }

  #spawned(child: Child): void {
    const launch = this.launch;
    const handlers = this.#handlers;
    this.#child = child;
    child.stdout.on('data', (chunk: Uint8Array | string) => this.#frames.push(chunk).forEach(handlers.onFrame));
    child.stderr.on('data', (chunk: Uint8Array | string) => this.#stderr(chunk));
    // Writes to a process that just died fail with EPIPE; the exit that follows is what reports it.
    child.stdin.on('error', () => {});
    // Once the top process is gone nothing in its group has a reason to live (and could hold stdout open).
    child.on('exit', () => this.#killGroup());
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const text of early) child.stdin.write(text);
    if (this.#endRequested) child.stdin.end();
    if (this.#killRequested) this.#killGroup();
    this.#resolveStarted();
    child.then(
      (result) => {
        const spawnError = result.code === undefined ? undefined : spawnFailure(launch, result.code);
        this.#exit({
          code: result.exitCode ?? null,
          signal: result.signal ?? null,
          spawnError,
          expected: this.#expected,
        });
      },
      (err: unknown) => this.#exit({ code: null, signal: null, spawnError: unexpected(launch, err), expected: false }),
    );
  }

  get pid(): number | undefined {
    return this.#exited ? undefined : this.#child?.pid;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** The last lines the process wrote to stderr, oldest first. */
  get stderrTail(): string {
    const partial = this.#stderrPartial.trim() === '' ? [] : [this.#stderrPartial];
    return [...this.#stderrLines, ...partial].join('\n').trim();
  }

  write(text: string): void {
    if (this.#exited) return;
    if (this.#early) this.#early.push(text);
    else if (this.#child?.stdin.writable) this.#child.stdin.write(text);
  }

  /** Kills the process and its children at once (SIGKILL): a REPL busy in a tactic would not notice anything gentler. */
  kill(): void {
    this.#expected = true;
    this.#killRequested = true;
    this.#killGroup();
  }

  /** Closes stdin, which makes the REPL exit once it has answered what it read. */
  end(): void {
    this.#expected = true;
    this.#endRequested = true;
    this.#child?.stdin.end();
  }

  #killGroup(): void {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    try {
      if (process.platform === 'win32') spawnPlain('taskkill', ['/pid', String(pid), '/T', '/F']).on('error', () => {});
      else process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already gone (ESRCH), or was never made; fall back to the process itself.
      this.#child?.kill('SIGKILL');
    }
  }

  /**
   * Keeps the tail of stderr. Memory stays bounded whatever the process writes: lines are cut short, only the last
   * `stderrTailLines` are kept, and a line without its newline keeps only its start (a chunk from a pipe is at most
   * some 64 kB, so the text split here is bounded too).
   */
  #stderr(chunk: Uint8Array | string): void {
    const text = this.#stderrPartial + (typeof chunk === 'string' ? chunk : this.#stderrUtf8.write(Buffer.from(chunk)));
    const lines = text.split('\n');
    this.#stderrPartial = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.length > maxStderrLineChars ? `${raw.slice(0, maxStderrLineChars)}…` : raw.trimEnd();
      this.#logStderr(line);
      this.#stderrLines.push(line);
      if (this.#stderrLines.length > stderrTailLines) this.#stderrLines.shift();
    }
    // One character more than is shown, so that the line is still marked as cut when its newline comes.
    if (this.#stderrPartial.length > maxStderrLineChars)
      this.#stderrPartial = this.#stderrPartial.slice(0, maxStderrLineChars + 1);
  }

  #logStderr(line: string): void {
    this.#stderrLogged++;
    if (this.#stderrLogged <= maxLoggedStderrLines) this.#handlers.onStderrLine?.(line);
    else if (this.#stderrLogged === maxLoggedStderrLines + 1)
      this.#handlers.onStderrLine?.(`(more than ${maxLoggedStderrLines} lines; the rest is not logged)`);
  }

  #exit(exit: ReplExit): void {
    if (this.#exited) return;
    this.#exited = true;
    live.delete(this);
    this.#frames.end().forEach(this.#handlers.onFrame);
    this.#handlers.onExit(exit);
    this.#resolveStarted();
    this.#resolveExited(exit);
  }
}

/** "exited with code 1", "was killed by SIGKILL": how an exit reads in a sentence. */
export function describeExit(exit: ReplExit): string {
  if (exit.signal) return `was killed by ${exit.signal}`;
  return exit.code === null ? 'stopped' : `exited with code ${exit.code}`;
}

/**
 * execa is an ES module only. The bundle (esbuild) inlines it either way, but the tests run this file as CommonJS
 * through tsx, where only a dynamic import can load it.
 */
let execaLoaded: Promise<typeof execa> | undefined;
function loadExeca(): Promise<typeof execa> {
  execaLoaded ??= import('execa').then((m) => m.execa);
  return execaLoaded;
}

function spawn(run: typeof execa, launch: ReplLaunch) {
  return run(launch.command, launch.args, {
    cwd: launch.cwd,
    env: launch.env ?? {},
    extendEnv: true,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // Its own process group, so that `kill` also reaches the real REPL below `lake env`.
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
}

type Child = ReturnType<typeof spawn>;

function spawnFailure(launch: ReplLaunch, code: string): ReplError {
  const where = `(command line: \`${launch.display}\`, folder: ${launch.cwd})`;
  if (code === 'ENOENT') {
    return new ReplError(
      'notFound',
      `Could not start the Lean REPL: \`${launch.command}\` was not found ${where}. ` +
        `Check that Lean (elan and lake) is installed and on the PATH, or give the REPL's command line: ${remedy.setting('lean.replCommand')}.`,
    );
  }
  if (code === 'EACCES') {
    return new ReplError(
      'notFound',
      `Could not start the Lean REPL: \`${launch.command}\` cannot be executed ${where}.`,
    );
  }
  return new ReplError('crashed', `Could not start the Lean REPL ${where}: ${code}.`);
}

function unexpected(launch: ReplLaunch, err: unknown): ReplError {
  const reason = err instanceof Error ? err.message : String(err);
  return new ReplError('crashed', `The Lean REPL (\`${launch.display}\`) failed: ${reason}`);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) p.kill();
  });
}

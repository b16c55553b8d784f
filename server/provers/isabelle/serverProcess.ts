/**
 * Starts, or attaches to, an Isabelle server: `isabelle server -n NAME` prints one line saying where the server
 * listens and its password. When no server of that name runs, the command becomes the server and stays up (it is
 * ours to stop); when one runs, it prints that one's line and exits (we attach and stop nothing). Spawned with an
 * argument vector, never a shell, in its own process group so the whole Java process tree can be stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { parseServerLine, type ServerAddress } from './wire/serverSchema';

export interface ServerLaunch {
  /** The `isabelle` executable: a path, or a name looked up on PATH. */
  executable: string;
  /** The server's name (`-n`): one per user, shared between the editor and the CLI. */
  name: string;
  /** Milliseconds for the first line (a first start loads the Scala/JVM side). */
  startTimeoutMs: number;
}

export interface StartedServer {
  address: ServerAddress;
  /** The process that is the server, when this call started it; undefined when it attached to a running one. */
  stop?: () => void;
}

/** The longest first line read; the real one is under 200 bytes. */
const maxFirstLineBytes = 4096;

/** The server could not be started or attached to: a missing or wrong `isabelle` executable, or one that hangs. */
export class IsabelleStartError extends Error {}

export function startServer(launch: ServerLaunch, log: (line: string) => void): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(launch.executable, ['server', '-n', launch.name], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
      });
    } catch (err) {
      reject(new IsabelleStartError(`cannot start ${launch.executable}: ${(err as Error).message}`));
      return;
    }
    let out = Buffer.alloc(0);
    let stderr = '';
    let settled = false;
    const stop = () => killTree(child);
    const settle = (err: Error | undefined, address?: ServerAddress) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      if (err) {
        stop();
        reject(err);
      } else if (address) {
        // Still running: this process is the server. Exited: we attached to one that was running already.
        const owner = child.exitCode === null && child.signalCode === null;
        resolve({ address, ...(owner ? { stop } : {}) });
      }
    };
    const timer = setTimeout(
      () =>
        settle(
          new IsabelleStartError(
            `\`${launch.executable} server\` printed no address within ${launch.startTimeoutMs} ms`,
          ),
        ),
      launch.startTimeoutMs,
    );
    child.on('error', (err) => settle(new IsabelleStartError(`cannot start \`${launch.executable}\`: ${err.message}`)));
    child.stderr?.on('data', (c: Buffer) => {
      if (stderr.length < 4000) stderr += c.toString('utf8');
    });
    child.stdout?.on('data', (c: Buffer) => {
      out = Buffer.concat([out, c]);
      const eol = out.indexOf(0x0a);
      if (eol < 0) {
        if (out.length > maxFirstLineBytes)
          settle(new IsabelleStartError('`isabelle server` printed a first line this client cannot read'));
        return;
      }
      const line = out.subarray(0, eol).toString('utf8');
      const address = parseServerLine(line);
      if (!address)
        settle(
          new IsabelleStartError(`\`isabelle server\` printed ${JSON.stringify(line.slice(0, 200))}, not its address`),
        );
      else settle(undefined, address);
    });
    child.on('exit', (code, signal) => {
      log(`isabelle server process exited (${signal ?? code})`);
      // An exit after the first line is an attach (the server was running); before it, a failure.
      setImmediate(() =>
        settle(
          new IsabelleStartError(
            `\`${launch.executable} server\` exited (${signal ?? code}) before printing its address${stderr ? `: ${stderr.trim().slice(0, 1000)}` : ''}`,
          ),
        ),
      );
    });
  });
}

function killTree(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    if (process.platform !== 'win32') process.kill(-child.pid, 'SIGTERM');
    else child.kill();
  } catch {
    child.kill();
  }
}

/**
 * Running the Python half (training/python/llemma_train) from the TypeScript stages. The interpreter is
 * $LLEMMA_PYTHON, else /usr/bin/python3 when it exists (Debian's, which has torch, onnx and numpy from apt),
 * else `python3` on PATH. Output lines are passed on as they come, so a long run shows its progress.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { workspaceDir } from '../run/layout';

export const pythonDir = path.join(workspaceDir, 'python');

export function pythonCommand(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['LLEMMA_PYTHON'];
  if (configured) return configured;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export interface PythonRun {
  /** Every line the process printed on stdout. */
  lines: string[];
  /** The last lines of stderr (for error messages). */
  stderrTail: string[];
}

export interface PythonOptions {
  /** Called with each stdout line as it arrives. */
  onLine?: (line: string) => void;
  /** Called with each stderr line (warnings, tracebacks). */
  onError?: (line: string) => void;
  /** Niceness of the process (0: unchanged). */
  nice?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs `python -m llemma_train.<module> args…`; rejects with the end of stderr when it exits non-zero. */
export function runPythonModule(
  module: string,
  args: readonly string[],
  options: PythonOptions = {},
): Promise<PythonRun> {
  const python = pythonCommand(options.env);
  const env = { ...process.env, ...options.env };
  env['PYTHONPATH'] = env['PYTHONPATH'] ? `${pythonDir}${path.delimiter}${env['PYTHONPATH']}` : pythonDir;
  env['PYTHONUNBUFFERED'] = '1';
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', `llemma_train.${module}`, ...args], { cwd: workspaceDir, env });
    if (options.nice && child.pid !== undefined) {
      try {
        setPriority(child.pid, options.nice);
      } catch {
        // Not allowed to lower the priority here: run at the normal one.
      }
    }
    const lines: string[] = [];
    const stderrTail: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      options.onLine?.(line);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 40) stderrTail.shift();
      options.onError?.(line);
    });
    child.on('error', (err) =>
      reject(new Error(`cannot start ${python} (set LLEMMA_PYTHON to a Python with torch): ${err.message}`)),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ lines, stderrTail });
      else {
        const why = signal ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new Error(`${python} -m llemma_train.${module} ${why}:\n${stderrTail.join('\n')}`));
      }
    });
  });
}

/** The last stdout line that parses as a JSON object with `key`, or undefined. */
export function lastJson<T>(lines: readonly string[], key: string): T | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line);
      if (key in value) return value[key] as T;
    } catch {
      // Not JSON after all.
    }
  }
  return undefined;
}

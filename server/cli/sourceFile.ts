/** Reading the Lean file or Isabelle theory a command names: one place, one message when it cannot be read. */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { UsageError } from './args';

/** The file's absolute path and text; a file that cannot be read is bad usage (exit code 2). */
export async function readSourceFile(file: string): Promise<{ path: string; text: string }> {
  const absolute = path.resolve(file);
  const text = await readFile(absolute, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, false);
  });
  return { path: absolute, text };
}

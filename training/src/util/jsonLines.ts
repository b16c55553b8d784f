/** Reading the JSONL files the stages write (tactic examples, mixture shards), one parsed object per line. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** Each JSON line of the files, in order. */
export async function* jsonLines(files: readonly string[]): AsyncGenerator<Record<string, unknown>> {
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) if (line.trim() !== '') yield JSON.parse(line);
  }
}

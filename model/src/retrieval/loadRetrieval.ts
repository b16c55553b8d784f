// The retrieval index of a model folder, read on first use. The file is optional: a folder without `retrieval.bin`
// is a complete model, and asking it for retrieved tactics answers with none.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { decodeRetrievalIndex, type RetrievalProvenance, retrievalFileName } from './indexFile';
import {
  type RetrievalIndex as Index,
  type QueryOptions,
  RetrievalIndex,
  type RetrievedTactic,
} from './retrievalIndex';

/** The folder's index, or undefined when it has none; a file that is there but unreadable is an error. */
export async function readRetrievalIndex(
  folder: string,
): Promise<{ index: Index; provenance: RetrievalProvenance } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(folder, retrievalFileName));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const { tables, provenance } = decodeRetrievalIndex(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { index: new RetrievalIndex(tables), provenance };
}

/** A model folder's retrieval, loading its index on the first query and keeping it. */
export class LazyRetrieval {
  private loading: Promise<Index | undefined> | undefined;

  constructor(readonly folder: string) {}

  /** The index, once loaded; undefined when the folder has none. */
  index(): Promise<Index | undefined> {
    this.loading ??= readRetrievalIndex(this.folder).then((r) => r?.index);
    return this.loading;
  }

  /** The `n` best retrieved tactics for a goal; none when the folder has no index. */
  async query(goal: string, n: number, options: QueryOptions = {}): Promise<RetrievedTactic[]> {
    return (await this.index())?.query(goal, n, options) ?? [];
  }
}

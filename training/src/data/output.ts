/**
 * Writing a run's files: JSONL, optionally split into shards of a bounded size, and the mixture itself. Writes are
 * synchronous and buffered: the pipeline is a batch job, and a half-written shard must never look finished (the
 * report, written last, is what says a run completed).
 */
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import type { Document } from './documents';
import { seededRandom, shuffled } from './hashing';

/** Writes JSON lines to `<dir>/<prefix>-00000.jsonl`, … (or `<prefix>.jsonl` when `shardBytes` is Infinity). */
export class JsonlWriter {
  private fd: number | undefined;
  private bytes = 0;
  private buffer: string[] = [];
  private buffered = 0;
  readonly files: string[] = [];
  lines = 0;

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly shardBytes = Number.POSITIVE_INFINITY,
  ) {}

  write(value: unknown): void {
    const line = `${JSON.stringify(value)}\n`;
    // Only shards need the UTF-8 size; measuring every line of a 400 MB example file would cost seconds.
    const size = Number.isFinite(this.shardBytes) ? Buffer.byteLength(line) : line.length;
    if (this.fd === undefined || (this.bytes > 0 && this.bytes + size > this.shardBytes)) this.open();
    this.buffer.push(line);
    this.buffered += line.length;
    this.bytes += size;
    this.lines++;
    if (this.buffered > 1 << 20) this.flush();
  }

  /** Appends lines already serialised and encoded as UTF-8 (by a worker), `lines` of them. Unsharded files only. */
  writeEncoded(bytes: Uint8Array, lines: number): void {
    if (Number.isFinite(this.shardBytes)) throw new Error('writeEncoded: only for unsharded files');
    if (lines === 0) return;
    if (this.fd === undefined) this.open();
    this.flush();
    writeSync(this.fd as number, bytes);
    this.lines += lines;
  }

  close(): void {
    // A writer that never wrote still leaves its (empty) file, so every run has the same set of files.
    if (this.fd === undefined) this.open();
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    const sharded = Number.isFinite(this.shardBytes);
    const name = sharded
      ? `${this.prefix}-${String(this.files.length).padStart(5, '0')}.jsonl`
      : `${this.prefix}.jsonl`;
    this.files.push(name);
    this.fd = openSync(path.join(this.dir, name), 'w');
    this.bytes = 0;
  }

  private flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.buffered = 0;
  }
}

/** Creates the run folder, removing only the files an earlier run of this pipeline wrote there. */
export function prepareRunDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (/^(?:mixture-\d+\.jsonl|tactics-(?:train|heldout)\.jsonl|report\.(?:json|md))$/.test(name)) {
      rmSync(path.join(dir, name));
    }
  }
}

export interface MixtureResult {
  files: string[];
  /** Documents written per source (after upsampling). */
  copies: Record<string, number>;
  bytes: Record<string, number>;
}

/**
 * The Proof-Pile-2-style mixture: every kept document appears ⌊w⌋ times plus once more with chance w − ⌊w⌋ (w: its
 * source's weight), all copies shuffled with the run's seed and written as `{"text", "meta"}` lines. Weights are
 * sampling multipliers, not shares: weight 2 doubles a source's presence, 0.5 halves it, 0 leaves it out.
 */
export function writeMixture(
  dir: string,
  docs: readonly Document[],
  weights: ReadonlyMap<string, number>,
  seed: number,
  shardBytes: number,
): MixtureResult {
  const random = seededRandom(seed ^ 0x6d697874);
  const picks: Document[] = [];
  const copies: Record<string, number> = {};
  const bytes: Record<string, number> = {};
  for (const doc of docs) {
    const w = weights.get(doc.source) ?? 1;
    const n = Math.floor(w) + (random() < w - Math.floor(w) ? 1 : 0);
    for (let i = 0; i < n; i++) picks.push(doc);
    copies[doc.source] = (copies[doc.source] ?? 0) + n;
    bytes[doc.source] = (bytes[doc.source] ?? 0) + n * Buffer.byteLength(doc.text);
  }
  const writer = new JsonlWriter(dir, 'mixture', shardBytes);
  for (const doc of shuffled(picks, random)) {
    writer.write({ text: doc.text, meta: { source: doc.source, path: doc.path } });
  }
  writer.close();
  return { files: writer.files, copies, bytes };
}

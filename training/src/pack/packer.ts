/**
 * Fixed-length rows from variable-length examples, and the shard files that hold them.
 *
 * A row is `rowLen` uint16 token ids plus as many uint8 flags: bit 1 (`target`) marks a token the loss is taken
 * on, bit 2 (`segmentStart`) the first token of an example. The trainer lets each token attend only within its
 * own segment and restarts positions there, so several examples share a row without seeing each other. Examples
 * are placed best-fit into a small window of open rows (the open row with the least room that still fits), which
 * wastes a few percent of a row where next-fit would waste a quarter.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';

export const flagTarget = 1;
export const flagSegmentStart = 2;

export interface Segment {
  ids: readonly number[];
  flags: Uint8Array;
}

interface OpenRow {
  ids: number[];
  flags: number[];
}

export class RowPacker {
  private readonly open: OpenRow[] = [];
  wastedTokens = 0;

  constructor(
    private readonly rowLen: number,
    private readonly padId: number,
    private readonly emit: (ids: Uint16Array, flags: Uint8Array) => void,
    private readonly window = 32,
  ) {}

  add(segment: Segment): void {
    const n = segment.ids.length;
    if (n > this.rowLen || n === 0)
      throw new RangeError(`a segment of ${n} tokens does not fit a row of ${this.rowLen}`);
    let best = -1;
    for (let i = 0; i < this.open.length; i++) {
      const room = this.rowLen - (this.open[i] as OpenRow).ids.length;
      if (room >= n && (best < 0 || room < this.rowLen - (this.open[best] as OpenRow).ids.length)) best = i;
    }
    if (best < 0) {
      if (this.open.length >= this.window) this.close(this.fullest());
      this.open.push({ ids: [], flags: [] });
      best = this.open.length - 1;
    }
    const row = this.open[best] as OpenRow;
    row.ids.push(...segment.ids);
    row.flags.push(...segment.flags);
    if (row.ids.length === this.rowLen) this.close(best);
  }

  finish(): void {
    while (this.open.length > 0) this.close(0);
  }

  private fullest(): number {
    let best = 0;
    this.open.forEach((r, i) => {
      if (r.ids.length > (this.open[best] as OpenRow).ids.length) best = i;
    });
    return best;
  }

  private close(i: number): void {
    const [row] = this.open.splice(i, 1) as [OpenRow];
    const ids = new Uint16Array(this.rowLen).fill(this.padId);
    const flags = new Uint8Array(this.rowLen);
    ids.set(row.ids);
    flags.set(row.flags);
    this.wastedTokens += this.rowLen - row.ids.length;
    this.emit(ids, flags);
  }
}

export interface ShardInfo {
  tokens: string;
  flags: string;
  rows: number;
}

/** Writes rows to `<name>-NNNNN.bin` (uint16, little-endian) and `<name>-NNNNN.flags.bin`, `shardRows` per file. */
export class ShardWriter {
  readonly shards: ShardInfo[] = [];
  rows = 0;
  private tokens: Uint16Array;
  private flags: Uint8Array;
  private filled = 0;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly rowLen: number,
    private readonly shardRows: number,
  ) {
    this.tokens = new Uint16Array(shardRows * rowLen);
    this.flags = new Uint8Array(shardRows * rowLen);
  }

  write(ids: Uint16Array, flags: Uint8Array): void {
    this.tokens.set(ids, this.filled * this.rowLen);
    this.flags.set(flags, this.filled * this.rowLen);
    this.filled++;
    this.rows++;
    if (this.filled === this.shardRows) this.flush();
  }

  close(): ShardInfo[] {
    if (this.filled > 0 || this.shards.length === 0) this.flush();
    return this.shards;
  }

  private flush(): void {
    const stem = `${this.name}-${String(this.shards.length).padStart(5, '0')}`;
    const n = this.filled * this.rowLen;
    const tokenBytes = new Uint8Array(n * 2);
    const view = new DataView(tokenBytes.buffer);
    for (let i = 0; i < n; i++) view.setUint16(i * 2, this.tokens[i] as number, true);
    writeWhole(path.join(this.dir, `${stem}.bin`), tokenBytes);
    writeWhole(path.join(this.dir, `${stem}.flags.bin`), this.flags.subarray(0, n));
    this.shards.push({ tokens: `${stem}.bin`, flags: `${stem}.flags.bin`, rows: this.filled });
    this.filled = 0;
  }
}

function writeWhole(file: string, data: Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off);
  } finally {
    closeSync(fd);
  }
}

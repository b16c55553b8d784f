// The retrieval index on disk (`retrieval.bin` in a model folder; layout in docs/model-format.md): a small JSON
// header, then each numeric table as raw little-endian words and each string table as one JSON array. Loading is a
// JSON parse of the header and the string tables plus array views on the file's bytes, so a 50,000-goal index opens
// in tens of milliseconds, and nothing is decompressed (the .vsix that ships a model folder is compressed already).

import type { Calibration, RetrievalParams, RetrievalTables } from './retrievalIndex';

export const retrievalFileName = 'retrieval.bin';
export const retrievalFormatVersion = 1;
const magic = 'LLRI';

const numericTables = [
  ['postingStart', 'u32'],
  ['postingEntry', 'u32'],
  ['postingWeight', 'f32'],
  ['entryTemplate', 'u32'],
  ['slotStart', 'u32'],
  ['slotName', 'u32'],
  ['slotPosition', 'f32'],
  ['slotTypeStart', 'u32'],
  ['slotTypeTerm', 'u32'],
] as const;
const stringTables = ['vocabulary', 'templates', 'names', 'frequent'] as const;

type NumericName = (typeof numericTables)[number][0];
type StringName = (typeof stringTables)[number];

interface Section {
  name: NumericName | StringName;
  /** Byte offset from the start of the file; a multiple of 4. */
  offset: number;
  bytes: number;
}

/** What the header says besides the layout: free-form facts about how the index was made (shown, not used). */
export type RetrievalProvenance = Record<string, string | number | boolean>;

interface Header {
  formatVersion: number;
  params: RetrievalParams;
  calibration?: Calibration;
  provenance: RetrievalProvenance;
  sections: Section[];
}

export class RetrievalFileError extends Error {
  override name = 'RetrievalFileError';
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The index as the bytes of a `retrieval.bin`. */
export function encodeRetrievalIndex(tables: RetrievalTables, provenance: RetrievalProvenance = {}): Uint8Array {
  if (!littleEndian) throw new RetrievalFileError('retrieval index files are little-endian; this machine is not');
  const encoder = new TextEncoder();
  const bodies: { name: Section['name']; bytes: Uint8Array }[] = [];
  for (const [name] of numericTables) {
    const a = tables[name];
    bodies.push({ name, bytes: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) });
  }
  for (const name of stringTables) bodies.push({ name, bytes: encoder.encode(JSON.stringify(tables[name])) });
  const pad4 = (n: number) => (n + 3) & ~3;
  const sectionsFor = (start: number): Section[] => {
    let at = start;
    return bodies.map((b) => {
      const s = { name: b.name, offset: at, bytes: b.bytes.byteLength };
      at = pad4(at + b.bytes.byteLength);
      return s;
    });
  };
  const headerOf = (sections: Section[]): Header => ({
    formatVersion: retrievalFormatVersion,
    params: tables.params,
    ...(tables.calibration ? { calibration: tables.calibration } : {}),
    provenance,
    sections,
  });
  // The offsets depend on the header's length, which depends on the offsets: lay out until it stops changing.
  let headerBytes = encoder.encode(JSON.stringify(headerOf(sectionsFor(0))));
  for (;;) {
    const next = encoder.encode(JSON.stringify(headerOf(sectionsFor(pad4(12 + headerBytes.byteLength)))));
    if (next.byteLength === headerBytes.byteLength) {
      headerBytes = next;
      break;
    }
    headerBytes = next;
  }
  const sections = sectionsFor(pad4(12 + headerBytes.byteLength));
  const last = sections.at(-1);
  const out = new Uint8Array(last ? pad4(last.offset + last.bytes) : pad4(12 + headerBytes.byteLength));
  out.fill(0x20, 12, pad4(12 + headerBytes.byteLength));
  out.set(encoder.encode(magic), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, retrievalFormatVersion, true);
  view.setUint32(8, headerBytes.byteLength, true);
  out.set(headerBytes, 12);
  sections.forEach((s, i) => {
    out.set((bodies[i] as (typeof bodies)[number]).bytes, s.offset);
  });
  return out;
}

/** The tables of a `retrieval.bin`'s bytes; the numeric tables are views on `bytes` (copied only if misaligned). */
export function decodeRetrievalIndex(input: Uint8Array): { tables: RetrievalTables; provenance: RetrievalProvenance } {
  if (!littleEndian) throw new RetrievalFileError('retrieval index files are little-endian; this machine is not');
  const bytes = input.byteOffset % 4 === 0 ? input : input.slice();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  if (bytes.byteLength < 12 || decoder.decode(bytes.subarray(0, 4)) !== magic) {
    throw new RetrievalFileError(`not a retrieval index (no "${magic}" at the start)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== retrievalFormatVersion) {
    throw new RetrievalFileError(`retrieval index format ${version}; this runtime reads ${retrievalFormatVersion}`);
  }
  const headerLength = view.getUint32(8, true);
  let header: Header;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(12, 12 + headerLength)));
  } catch (e) {
    throw new RetrievalFileError(`retrieval index header: ${(e as Error).message}`);
  }
  const section = (name: Section['name']) => {
    const s = header.sections.find((x) => x.name === name);
    if (!s || s.offset % 4 !== 0 || s.offset + s.bytes > bytes.byteLength) {
      throw new RetrievalFileError(`retrieval index: section ${name} is missing or out of bounds`);
    }
    return s;
  };
  const numeric = (name: NumericName, type: 'u32' | 'f32') => {
    const s = section(name);
    const at = bytes.byteOffset + s.offset;
    return type === 'u32'
      ? new Uint32Array(bytes.buffer, at, s.bytes / 4)
      : new Float32Array(bytes.buffer, at, s.bytes / 4);
  };
  const strings = (name: StringName): string[] => {
    const s = section(name);
    const parsed: unknown = JSON.parse(decoder.decode(bytes.subarray(s.offset, s.offset + s.bytes)));
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
      throw new RetrievalFileError(`retrieval index: section ${name} is not a list of strings`);
    }
    return parsed;
  };
  const tables = {
    params: header.params,
    ...(header.calibration ? { calibration: header.calibration } : {}),
    vocabulary: strings('vocabulary'),
    templates: strings('templates'),
    names: strings('names'),
    frequent: strings('frequent'),
  } as RetrievalTables;
  for (const [name, type] of numericTables) (tables as unknown as Record<string, unknown>)[name] = numeric(name, type);
  checkTables(tables);
  return { tables, provenance: header.provenance ?? {} };
}

/** The cross-table invariants a query relies on: every index in range, every start array ascending and complete. */
function checkTables(t: RetrievalTables): void {
  const problems: string[] = [];
  const starts = (name: string, a: Uint32Array, length: number, total: number) => {
    if (a.length !== length + 1 || a[0] !== 0 || a[length] !== total) problems.push(`${name} does not span its table`);
    if (a.some((x, i) => i > 0 && x < (a[i - 1] as number))) problems.push(`${name} descends`);
  };
  const below = (name: string, a: Uint32Array, limit: number) => {
    const bad = a.find((x) => x >= limit);
    if (bad !== undefined) problems.push(`${name} has ${bad}, at most ${limit - 1} allowed`);
  };
  const entries = t.entryTemplate.length;
  starts('postingStart', t.postingStart, t.vocabulary.length, t.postingEntry.length);
  if (t.postingWeight.length !== t.postingEntry.length)
    problems.push('postingWeight and postingEntry differ in length');
  below('postingEntry', t.postingEntry, entries);
  below('entryTemplate', t.entryTemplate, t.templates.length);
  starts('slotStart', t.slotStart, entries, t.slotName.length);
  below('slotName', t.slotName, t.names.length);
  if (t.slotPosition.length !== t.slotName.length) problems.push('slotPosition and slotName differ in length');
  starts('slotTypeStart', t.slotTypeStart, t.slotName.length, t.slotTypeTerm.length);
  below('slotTypeTerm', t.slotTypeTerm, t.vocabulary.length);
  if (problems.length > 0) throw new RetrievalFileError(`retrieval index is inconsistent: ${problems.join('; ')}`);
}

// A minimal writer for the subset of the ONNX protobuf schema (onnx/onnx.proto3) that a hand-built decoder needs:
// ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto and ValueInfoProto. It exists because the
// test model is generated in TypeScript (no Python onnx package here); the field numbers below are ONNX's.

/** ONNX TensorProto.DataType values used by the test model. */
export const DataType = { float: 1, int64: 7, bool: 9, float16: 10 } as const;

/** Encodes protobuf wire format: fields are appended in the order they are written. */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  private varint(value: bigint): void {
    // Negative int64 values are encoded as their 64-bit two's complement, ten bytes long.
    let v = BigInt.asUintN(64, value);
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.chunks.push(Uint8Array.from(bytes));
  }

  private key(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  int(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.varint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(BigInt(value.length));
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

export interface TensorInit {
  name: string;
  dataType: number;
  dims: readonly number[];
  /** Little-endian element bytes, as ONNX's raw_data field holds them. */
  raw: Uint8Array;
}

export type AttributeValue = number | string | readonly number[] | { floatValue: number };

export interface NodeInit {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

/** One dimension of a declared graph input or output: a fixed size or a symbolic name. */
export type Dim = number | string;

export interface ValueInfoInit {
  name: string;
  elemType: number;
  shape: readonly Dim[];
}

export interface ModelInit {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  graphName: string;
  nodes: readonly NodeInit[];
  initializers: readonly TensorInit[];
  inputs: readonly ValueInfoInit[];
  outputs: readonly ValueInfoInit[];
}

function tensorProto(t: TensorInit): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
  return w;
}

// AttributeProto.AttributeType: FLOAT = 1, INT = 2, STRING = 3, INTS = 7.
function attributeProto(name: string, value: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { floatValue } for a float`);
    w.int(3, value).int(20, 2);
  } else if (typeof value === 'string') {
    w.string(4, value).int(20, 3);
  } else if ('floatValue' in value) {
    w.float(2, value.floatValue).int(20, 1);
  } else {
    for (const v of value) w.int(8, v);
    w.int(20, 7);
  }
  return w;
}

function nodeProto(n: NodeInit, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.opType}_${index}`);
  w.string(4, n.opType);
  for (const [name, value] of Object.entries(n.attributes ?? {})) w.message(5, attributeProto(name, value));
  return w;
}

function valueInfoProto(v: ValueInfoInit): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Serialises a model to the bytes of a `.onnx` file. */
export function encodeModel(m: ModelInit): Uint8Array {
  const graph = new ProtoWriter();
  m.nodes.forEach((n, i) => {
    graph.message(1, nodeProto(n, i));
  });
  graph.string(2, m.graphName);
  for (const t of m.initializers) graph.message(5, tensorProto(t));
  for (const v of m.inputs) graph.message(11, valueInfoProto(v));
  for (const v of m.outputs) graph.message(12, valueInfoProto(v));
  const opset = new ProtoWriter().string(1, '').int(2, m.opsetVersion);
  return new ProtoWriter().int(1, m.irVersion).string(2, m.producerName).message(7, graph).message(8, opset).finish();
}

/** Raw little-endian bytes of float32 values. */
export function floatBytes(values: Float32Array | readonly number[]): Uint8Array {
  const f = values instanceof Float32Array ? values : Float32Array.from(values);
  return new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength));
}

/** Raw little-endian bytes of int64 values. */
export function int64Bytes(values: readonly number[]): Uint8Array {
  const a = BigInt64Array.from(values, (v) => BigInt(v));
  return new Uint8Array(a.buffer);
}

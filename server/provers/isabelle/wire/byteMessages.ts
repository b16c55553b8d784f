/**
 * Framing of the Isabelle server's TCP stream (Isabelle's `Byte_Message` line messages), byte-exact.
 *
 * A message is one line. A message longer than 100 bytes, or one that holds a newline, is sent after a header line
 * holding its length in bytes plus one: the count covers the message and the newline that ends it. The count is of
 * UTF-8 bytes, never of JavaScript's UTF-16 units: the server's goals are mostly ASCII (`\<And>`), but a theory's
 * messages quote the user's text, which may hold any character.
 *
 * The decoder holds bytes, not strings: a TCP chunk may end inside a multi-byte character, so text is decoded only
 * from whole messages. Each message is bounded (`maxMessageBytes`); past the bound, or on a header that is not a
 * sane length, the decoder reports an overflow once and reads no more: a stream whose framing is lost has no boundary
 * it could still trust, so its owner must drop the connection.
 */

/** The largest message read, in bytes. A `use_theories` answer with many long messages stays below a few megabytes. */
export const maxMessageBytes = 16 * 1024 * 1024;

const newline = 0x0a;

export type WireMessage = { kind: 'message'; text: string } | { kind: 'overflow'; limit: number; reason: string };

export interface MessageDecoderOptions {
  /** Overrides `maxMessageBytes`, so tests can overflow without sending megabytes. */
  maxMessageBytes?: number;
}

/** Bytes on the wire for one message: a header line first when the message is long or spans lines. */
export function encodeMessage(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const long = body.length > 100 || body.includes(newline);
  const header = long ? Buffer.from(`${body.length + 1}\n`, 'ascii') : Buffer.alloc(0);
  return Buffer.concat([header, body, Buffer.from('\n', 'ascii')]);
}

/** A command as the server reads it: its name, then its argument as JSON when it has one. */
export function encodeCommand(name: string, argument?: unknown): Buffer {
  return encodeMessage(argument === undefined ? name : `${name} ${JSON.stringify(argument)}`);
}

export class MessageDecoder {
  readonly #maxBytes: number;
  #pending: Buffer = Buffer.alloc(0);
  /** The byte count announced by a header line: the next message is exactly that many bytes (its newline included). */
  #expected: number | undefined;
  #overflowed = false;

  constructor(opts: MessageDecoderOptions = {}) {
    this.#maxBytes = opts.maxMessageBytes ?? maxMessageBytes;
  }

  /** Feeds one chunk; returns the messages it completed, in order. */
  push(chunk: Uint8Array): WireMessage[] {
    if (this.#overflowed) return [];
    this.#pending = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    const out: WireMessage[] = [];
    let at = 0;
    for (;;) {
      if (this.#expected !== undefined) {
        if (this.#pending.length - at < this.#expected) break;
        const body = this.#pending.subarray(at, at + this.#expected);
        at += this.#expected;
        this.#expected = undefined;
        // The count includes the message's own newline, which is not part of the message.
        const end = body.length > 0 && body[body.length - 1] === newline ? body.length - 1 : body.length;
        out.push({ kind: 'message', text: body.subarray(0, end).toString('utf8') });
        continue;
      }
      const eol = this.#pending.indexOf(newline, at);
      if (eol < 0) {
        if (this.#pending.length - at > this.#maxBytes) return this.#overflow(out, 'a line without an end');
        break;
      }
      const line = this.#pending.subarray(at, eol);
      at = eol + 1;
      if (line.length > this.#maxBytes) return this.#overflow(out, 'a line without an end');
      if (line.length > 0 && isDigits(line)) {
        const n = line.length > 12 ? Number.POSITIVE_INFINITY : Number(line.toString('ascii'));
        if (!(n >= 1 && n <= this.#maxBytes + 1))
          return this.#overflow(out, `a message of ${line.toString('ascii').slice(0, 20)} bytes`);
        this.#expected = n;
        continue;
      }
      // A blank line carries no message: recorded streams hold a few between answers.
      if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) continue;
      out.push({ kind: 'message', text: line.toString('utf8') });
    }
    this.#pending = at >= this.#pending.length ? Buffer.alloc(0) : Buffer.from(this.#pending.subarray(at));
    return out;
  }

  /**
   * The end of the stream: a last message that lacks only its final newline is complete (a recording may end so; Isabelle's
   * own reader takes a last unterminated line too). Anything shorter is a cut message and stays in `buffered`.
   */
  end(): WireMessage[] {
    if (this.#overflowed || this.#pending.length === 0) return [];
    const body = this.#pending;
    if (this.#expected !== undefined && body.length !== this.#expected - 1) return [];
    this.#expected = undefined;
    this.#pending = Buffer.alloc(0);
    if (body.length > 0 && isDigits(body)) return [];
    return [{ kind: 'message', text: body.toString('utf8') }];
  }

  /** Bytes received and not yet a whole message (a cut stream leaves some). */
  get buffered(): number {
    return this.#pending.length;
  }

  #overflow(out: WireMessage[], reason: string): WireMessage[] {
    this.#overflowed = true;
    this.#pending = Buffer.alloc(0);
    out.push({ kind: 'overflow', limit: this.#maxBytes, reason });
    return out;
  }
}

/** Every message of a complete byte stream (a recording), in order. */
export function decodeAll(bytes: Uint8Array, opts: MessageDecoderOptions = {}): WireMessage[] {
  const decoder = new MessageDecoder(opts);
  return [...decoder.push(bytes), ...decoder.end()];
}

function isDigits(line: Uint8Array): boolean {
  for (const b of line) if (b < 0x30 || b > 0x39) return false;
  return true;
}

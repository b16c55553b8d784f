/**
 * Framing of the REPL's stdin and stdout.
 *
 * Output: the REPL prints each answer as JSON, pretty-printed over several lines by Lean's formatter, followed by a blank
 * line. JSON strings cannot hold a raw newline, so a blank line can only ever sit between two answers; that makes "lines
 * up to a blank line" a safe frame without parsing JSON incrementally.
 *
 * Input: the REPL reads lines up to a blank line and joins them. A request must be exactly one JSON line and one blank
 * line: the REPL parses a lone blank line as an (invalid) request and dies, so doubled separators are fatal.
 *
 * Size: a frame is held until its blank line arrives, so a process that prints without ever ending one (a runaway
 * print, a broken build writing without newlines) would grow it until V8 refuses ("Invalid string length") and take the
 * server down. So a frame is bounded in bytes, and kept as bytes in one buffer (not as strings, of which a flood of
 * short lines would make millions); past the bound the decoder reports an overflow once and from then on reads
 * nothing: the stream has no frame boundary it could still be trusted to find, so its owner must stop the process.
 */
import type { ReplRequest } from './replSchema';

/**
 * One frame of output: parsed JSON, or text that is not JSON (a crash report, a debug print, a half-written answer), or
 * the report that the output went past `limit` bytes without ending a frame.
 */
export type Frame =
  | { kind: 'json'; value: unknown; text: string }
  | { kind: 'garbage'; text: string; error: string }
  | { kind: 'overflow'; limit: number };

/**
 * The largest frame read, in bytes. The largest answer in the recorded transcripts is under 10 kB; a Mathlib goal with
 * a big expression, or an answer with many messages, stays well below a megabyte. 32 MiB leaves room for anything Lean
 * really prints while keeping a runaway process far from V8's string limit (about 512 MiB) and the server's memory.
 */
export const maxFrameBytes = 32 * 1024 * 1024;

/** Longest garbage text kept in a frame, so a runaway print cannot fill an error message. */
const maxGarbageChars = 2000;
/** The frame buffer's first size, and the size it goes back to after a frame that needed more than a megabyte. */
const initialBufferBytes = 64 * 1024;
const newline = 0x0a;
const carriageReturn = 0x0d;

export interface FrameDecoderOptions {
  /** Overrides `maxFrameBytes`, so tests can overflow a frame without printing 32 MiB. */
  maxFrameBytes?: number;
}

/**
 * Turns stdout chunks into frames. Chunks may split anywhere, including inside a UTF-8 character (goals are full of
 * `⊢`, `∀`, `ℕ`), so text is decoded only from whole frames: a frame ends at a newline byte, and 0x0A never occurs
 * inside a multibyte character.
 */
export class FrameDecoder {
  readonly #maxBytes: number;
  /** The frame being read, in `#buffer[0, #length)`: complete non-blank lines, then the start of the current line. */
  #buffer = Buffer.alloc(initialBufferBytes);
  #length = 0;
  /** Where the current (incomplete) line starts; everything before it is complete non-blank lines. */
  #lineStart = 0;
  /** Whether the current line has a byte other than ASCII whitespace: a line without one is blank and ends a frame. */
  #lineHasText = false;
  /** Set once a frame overflowed: everything after it is dropped unread. */
  #overflowed = false;

  constructor(opts: FrameDecoderOptions = {}) {
    this.#maxBytes = opts.maxFrameBytes ?? maxFrameBytes;
  }

  /** Feeds one chunk; returns the frames it completed, in order. */
  push(chunk: Uint8Array | string): Frame[] {
    if (this.#overflowed) return [];
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const frames: Frame[] = [];
    for (let start = 0; start < bytes.length; ) {
      const found = bytes.indexOf(newline, start);
      const end = found < 0 ? bytes.length : found;
      this.#lineHasText ||= hasText(bytes, start, end);
      // A blank line is never stored: it ends the frame (or separates nothing), so it belongs to no frame's size.
      if (found >= 0 && !this.#lineHasText) {
        const frame = this.#flush(this.#lineStart);
        if (frame) frames.push(frame);
        start = found + 1;
        continue;
      }
      const piece = (found < 0 ? end : found + 1) - start;
      // Checked before the piece is stored, so the buffer never holds more than the bound.
      if (this.#length + piece > this.#maxBytes) {
        frames.push(this.#overflow());
        break;
      }
      this.#append(bytes, start, start + piece);
      start += piece;
      if (found >= 0) {
        this.#lineStart = this.#length;
        this.#lineHasText = false;
      }
    }
    return frames;
  }

  /** Ends the stream: whatever is left (an answer without its blank line, say) becomes a last frame. */
  end(): Frame[] {
    if (this.#overflowed) return [];
    const frame = this.#flush(this.#lineHasText ? this.#length : this.#lineStart);
    return frame ? [frame] : [];
  }

  /** Whether some text has been read that is not yet a complete frame. */
  get pending(): boolean {
    return this.#lineStart > 0 || this.#lineHasText;
  }

  /** Whether the output went past the bound; the decoder has stopped reading. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Bytes held for the frame being read; never more than the bound. */
  get buffered(): number {
    return this.#length;
  }

  #append(bytes: Uint8Array, from: number, to: number): void {
    const needed = this.#length + to - from;
    if (needed > this.#buffer.length) {
      let size = this.#buffer.length * 2;
      while (size < needed) size *= 2;
      // `needed` is within the bound (checked by the caller), so the capped size still holds it.
      const grown = Buffer.alloc(Math.min(size, this.#maxBytes));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#buffer.set(bytes.subarray(from, to), this.#length);
    this.#length = needed;
  }

  /** Ends the frame at byte `end`, less its last line break; nothing is returned when it holds no text. */
  #flush(end: number): Frame | undefined {
    if (end > 0 && this.#buffer[end - 1] === newline) end--;
    if (end > 0 && this.#buffer[end - 1] === carriageReturn) end--;
    const text = this.#buffer.toString('utf8', 0, end);
    this.#reset();
    return text.trim() === '' ? undefined : parseFrame(text);
  }

  /** Drops the frame being read; everything after it is dropped by `push` unread. */
  #overflow(): Frame {
    this.#overflowed = true;
    this.#reset();
    return { kind: 'overflow', limit: this.#maxBytes };
  }

  #reset(): void {
    this.#length = 0;
    this.#lineStart = 0;
    this.#lineHasText = false;
    if (this.#buffer.length > 1024 * 1024 || this.#overflowed) this.#buffer = Buffer.alloc(initialBufferBytes);
  }
}

/** Whether `bytes[from, to)` holds anything but spaces, tabs and carriage returns. */
function hasText(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== carriageReturn) return true;
  }
  return false;
}

/** Parses one frame's text. Exported for tests and for tools that read recorded transcripts. */
export function parseFrame(text: string): Frame {
  try {
    return { kind: 'json', value: JSON.parse(text), text };
  } catch (err) {
    const shown = text.length > maxGarbageChars ? `${text.slice(0, maxGarbageChars)}…` : text;
    return { kind: 'garbage', text: shown, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Splits a whole recorded output (a `*.expected.out`) into frames. */
export function decodeAll(text: string): Frame[] {
  const decoder = new FrameDecoder();
  return [...decoder.push(text), ...decoder.end()];
}

/**
 * One request as the REPL wants it: JSON on a single line, then a blank line. JSON.stringify escapes every newline in
 * strings (a proof's text has many), so the line cannot break; U+2028/U+2029 may stay raw, and the REPL does not split
 * lines on them.
 */
export function encodeRequest(req: ReplRequest): string {
  return `${JSON.stringify(req)}\n\n`;
}

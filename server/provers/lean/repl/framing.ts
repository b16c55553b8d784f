/**
 * Framing of the REPL's stdin and stdout.
 *
 * Output: the REPL prints each answer as JSON, pretty-printed over several lines by Lean's formatter, followed by a blank
 * line. JSON strings cannot hold a raw newline, so a blank line can only ever sit between two answers; that makes "lines
 * up to a blank line" a safe frame without parsing JSON incrementally.
 *
 * Input: the REPL reads lines up to a blank line and joins them. A request must be exactly one JSON line and one blank
 * line: the REPL parses a lone blank line as an (invalid) request and dies, so doubled separators are fatal.
 */
import { StringDecoder } from 'node:string_decoder';
import type { ReplRequest } from './replSchema';

/** One frame of output: parsed JSON, or text that is not JSON (a crash report, a debug print, a half-written answer). */
export type Frame = { kind: 'json'; value: unknown; text: string } | { kind: 'garbage'; text: string; error: string };

/** Longest garbage text kept in a frame, so a runaway print cannot fill an error message. */
const maxGarbageChars = 2000;

/**
 * Turns stdout chunks into frames. Chunks may split anywhere, including inside a UTF-8 character (goals are full of
 * `⊢`, `∀`, `ℕ`), so bytes go through a StringDecoder before any text is looked at.
 */
export class FrameDecoder {
  readonly #utf8 = new StringDecoder('utf8');
  /** Text after the last newline seen: the start of a line that is not complete yet. */
  #partialLine = '';
  /** Complete, non-blank lines of the frame being read. */
  #lines: string[] = [];

  /** Feeds one chunk; returns the frames it completed, in order. */
  push(chunk: Uint8Array | string): Frame[] {
    const text = typeof chunk === 'string' ? chunk : this.#utf8.write(Buffer.from(chunk));
    return this.#consume(text);
  }

  /** Ends the stream: whatever is left (an answer without its blank line, say) becomes a last frame. */
  end(): Frame[] {
    const frames = this.#consume(this.#utf8.end());
    if (this.#partialLine.trim() !== '') this.#lines.push(this.#partialLine);
    this.#partialLine = '';
    const last = this.#flush();
    if (last) frames.push(last);
    return frames;
  }

  /** Whether some text has been read that is not yet a complete frame. */
  get pending(): boolean {
    return this.#lines.length > 0 || this.#partialLine.trim() !== '';
  }

  #consume(text: string): Frame[] {
    const frames: Frame[] = [];
    if (text === '') return frames;
    // Only the new text is searched for newlines, so a long line arriving in many chunks costs linear time.
    for (let start = 0; ; ) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) {
        this.#partialLine += text.slice(start);
        break;
      }
      const line = this.#partialLine + text.slice(start, newline);
      this.#partialLine = '';
      start = newline + 1;
      if (line.trim() !== '') {
        this.#lines.push(line);
        continue;
      }
      // A blank line ends the frame; blank lines between frames (or before the first) are just separators.
      const frame = this.#flush();
      if (frame) frames.push(frame);
    }
    return frames;
  }

  #flush(): Frame | undefined {
    if (this.#lines.length === 0) return undefined;
    const text = this.#lines.join('\n');
    this.#lines = [];
    return parseFrame(text);
  }
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

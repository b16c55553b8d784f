/**
 * Messages for notification toasts. VS Code shows a toast's message on one line: it replaces every line break with a
 * space. Server messages are written for the output channel and the CLI, where a quoted stderr line or a file name may
 * end a line without a full stop, so joined by a space two sentences ran together ("…is not installed Check that…").
 * The text is also made safe for display (`forDisplay`): a server message may quote a REPL's or a model server's
 * output. Pure, without `vscode`, so that the unit tests cover it.
 */
import { forDisplay } from '../protocol';

/** Punctuation after which the next line can follow with just a space. */
const sentenceEnd = /[.!?:;,…]$/;

/** `message` on one line: each line break becomes a space after a line that ends a sentence, else a full stop and one. */
export function toastText(message: string): string {
  let out = '';
  for (const line of message.split(/\r\n|\r|\n/)) {
    const part = forDisplay(line).trim();
    if (part === '') continue;
    out = out === '' ? part : `${out}${sentenceEnd.test(out) ? ' ' : '. '}${part}`;
  }
  return out;
}

/**
 * Text that came from outside (a model or a model server, the Lean REPL's output, a file) is shown to a person in a
 * terminal, a notification or a webview. Some characters in it are instructions to the display rather than text: an
 * escape sequence can retitle a terminal, hide or rewrite earlier lines, or smuggle a hyperlink; a carriage return
 * overwrites the line it is on; bidirectional overrides reorder what is shown so that it reads differently from what
 * it is. `forDisplay` keeps the text readable and makes every such character visible and inert. Client and server
 * both use it, which is why it lives here: it is the one rule for what may reach a display.
 */

/** C0 controls except tab and newline, DEL, and the C1 controls (U+009B is a one-byte CSI to many terminals). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this module is for.
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Bidirectional embeddings, overrides, isolates and marks (the "Trojan Source" characters). */
const bidi = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The text with each control character replaced by its Unicode control picture (ESC becomes `␛`, CR `␍`, DEL `␡`;
 * a C1 control, which has no picture, becomes `<U+009B>`) and each bidirectional control by `<U+202E>`-style text.
 * Tabs and newlines stay; a Windows line end counts as a newline.
 */
export function forDisplay(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(controls, (c) => {
      const code = c.charCodeAt(0);
      if (code < 0x20) return String.fromCharCode(0x2400 + code);
      return code === 0x7f ? '\u2421' : codeName(code);
    })
    .replace(bidi, (c) => codeName(c.charCodeAt(0)));
}

/**
 * JSON for a terminal: the same value, with every character `forDisplay` would act on written as a `\uXXXX` escape.
 * `JSON.stringify` already escapes C0 controls; DEL, the C1 controls and the bidirectional controls it leaves raw.
 * Outside strings JSON is plain ASCII, so escaping these anywhere keeps the document valid and the data unchanged.
 */
export function jsonForDisplay(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function codeName(code: number): string {
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

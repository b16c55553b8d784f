/**
 * Splits a command line the way a POSIX shell splits words, without running a shell: for `--repl "<command line>"`,
 * the LLEMMA_REPL environment variable and the `llemma.lean.replCommand` setting. Nothing is expanded (no `$VAR`, `~`
 * or globs): what the user wrote is what is run.
 *
 * Quoting:
 * - 'single quotes' keep everything inside literally;
 * - "double quotes" keep everything literally except `\"`, `\\`, `\$` and `` \` ``, which drop the backslash (as in sh);
 * - outside quotes a backslash escapes whitespace, a quote or a backslash. Before any other character it stays a
 *   backslash, so a Windows path such as `C:\elan\bin\lake.exe` needs no quoting (in sh, `\e` would become `e`).
 */

export class CommandLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandLineError';
  }
}

const escapableOutside = new Set([' ', '\t', '\n', '\r', "'", '"', '\\']);
const escapableInDouble = new Set(['"', '\\', '$', '`']);

/** Splits `line` into argv words; throws CommandLineError on an unclosed quote. An empty line gives []. */
export function parseCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  /** Whether a word has started: `''` is an (empty) word, while whitespace alone is none. */
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw unclosed("'", i, line);
      word += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      const start = i;
      i++;
      for (;;) {
        if (i >= line.length) throw unclosed('"', start, line);
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && escapableInDouble.has(line[i + 1] ?? '')) {
          word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\' && escapableOutside.has(line[i + 1] ?? '')) {
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function unclosed(quote: string, at: number, line: string): CommandLineError {
  const kind = quote === '"' ? 'double' : 'single';
  return new CommandLineError(
    `The command line \`${line}\` has an unclosed ${kind} quote (${quote}) at character ${at + 1}. ` +
      `Close it, or escape it as \\${quote} to mean the character itself.`,
  );
}

/** The inverse, for messages and logs: quotes the words that need it, so that parsing the result gives `argv` back. */
export function formatCommandLine(argv: readonly string[]): string {
  // A backslash is left bare only where parsing keeps it (before an ordinary character), as in Windows paths.
  const bare = (w: string) => /^[\w@%+=:,./\\-]+$/.test(w) && !/\\(?=\\|$)/.test(w);
  return argv.map((w) => (bare(w) ? w : `'${w.replace(/'/g, `'"'"'`)}'`)).join(' ');
}

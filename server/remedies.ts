/**
 * A message for the user often ends in what to do: "raise the time limit", "give the REPL's command line", "start
 * again". What the user can actually do depends on the front end: in VS Code it is a setting or a command, in the
 * `llemma` CLI a flag or an environment variable. The core does not know which front end it serves, so it writes a
 * marker (`remedy.setting('lean.replCommand')`, `remedy.restart`) and each front end renders the markers in its own
 * words (`renderRemedies`) before the message reaches the user. A message is never shown with a marker left in it:
 * the words are total over the keys (a record type), and each front end renders at its one exit for messages.
 */

/** The settings a message may point the user to. */
export type RemedyKey =
  | 'lean.replCommand'
  | 'lean.replPath'
  | 'lean.requestTimeoutMs'
  | 'lean.importTimeoutMs'
  | 'lean.tacticTimeoutMs'
  | 'model.path'
  | 'model.executionProvider'
  | 'model.generationGraph'
  | 'isabelle.path';

export interface FrontEndWords {
  /** How the user sets each key here, as a noun phrase ("the setting `llemma.model.path`", "`--model <dir|url>`"). */
  settings: Record<RemedyKey, string>;
  /** What the user does to start the server core afresh, as a verb phrase ("run the command again"). */
  restart: string;
}

const marker = /\{\{llemma:([a-zA-Z.]+)\}\}/g;

export const remedy = {
  setting: (key: RemedyKey): string => `{{llemma:${key}}}`,
  restart: '{{llemma:restart}}',
};

/** The message with every marker in the front end's words. */
export function renderRemedies(message: string, words: FrontEndWords): string {
  return message.replace(marker, (whole, key: string) => {
    if (key === 'restart') return words.restart;
    return key in words.settings ? words.settings[key as RemedyKey] : whole;
  });
}

/** VS Code's words: settings by their full name, the restart command by its title in the command palette. */
export const vscodeWords: FrontEndWords = {
  settings: {
    'lean.replCommand': 'the setting `llemma.lean.replCommand`',
    'lean.replPath': 'the setting `llemma.lean.replPath`',
    'lean.requestTimeoutMs': 'the setting `llemma.lean.requestTimeoutMs`',
    'lean.importTimeoutMs': 'the setting `llemma.lean.importTimeoutMs`',
    'lean.tacticTimeoutMs': 'the setting `llemma.lean.tacticTimeoutMs`',
    'model.path': 'the setting `llemma.model.path`',
    'model.executionProvider': 'the setting `llemma.model.executionProvider`',
    'model.generationGraph': 'the setting `llemma.model.generationGraph`',
    'isabelle.path': 'the setting `llemma.isabelle.path`',
  },
  restart: 'run "Llemma: Restart Server"',
};

/** Command ids contributed in package.json. Each id is spelled here and nowhere else in the code. */
export const Commands = {
  showProofState: 'llemma.showProofState',
  restartServer: 'llemma.restartServer',
  showOutput: 'llemma.showOutput',
  suggestTactics: 'llemma.suggestTactics',
  completeProof: 'llemma.completeProof',
  cancelSearch: 'llemma.cancelSearch',
  runMiniF2F: 'llemma.runMiniF2F',
  createMiniF2FProject: 'llemma.createMiniF2FProject',
  showMiniF2FReport: 'llemma.showMiniF2FReport',
} as const;

/** Commands the extension registers for its own use (not in the palette, not in package.json). */
export const InternalCommands = {
  /** Run by VS Code when a ghost-text suggestion is accepted; logs it. */
  inlineSuggestionAccepted: 'llemma.inlineSuggestionAccepted',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

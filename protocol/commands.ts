/** Command ids contributed in package.json. Each id is spelled here and nowhere else in the code. */
export const Commands = {
  showProofState: 'llemma.showProofState',
  restartServer: 'llemma.restartServer',
  showOutput: 'llemma.showOutput',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/**
 * The language ids of the documents Llemma works on, spelled once: the client's document selector, the ghost-text
 * provider's, the commands' checks and the server's lenses take them from here. `isabelle` is the id the official
 * Isabelle extension gives `.thy` files, so that both extensions see a theory as the same language (ARCHITECTURE.md).
 */
export const LanguageIds = {
  lean: 'lean4',
  isabelle: 'isabelle',
} as const;

export type ProverLanguageId = (typeof LanguageIds)[keyof typeof LanguageIds];

export const proverLanguageIds: readonly ProverLanguageId[] = [LanguageIds.lean, LanguageIds.isabelle];

/** Whether a document of this language id is one Llemma works on. */
export function isProverLanguage(languageId: string): languageId is ProverLanguageId {
  return (proverLanguageIds as readonly string[]).includes(languageId);
}

/** Saved documents of the prover languages: what the language client syncs and the ghost text is offered in. */
export const proverDocumentSelector: readonly { scheme: 'file'; language: ProverLanguageId }[] = proverLanguageIds.map(
  (language) => ({ scheme: 'file', language }),
);

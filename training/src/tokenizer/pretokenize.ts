/**
 * How text becomes the "words" that BPE merges within: the same steps the written tokenizer.json declares, so the
 * trainer counts exactly the units that @huggingface/tokenizers (JavaScript or Rust) will later encode.
 *
 * Normalisation is Llama 2's: a "▁" in front of the text and every space replaced by "▁". The pre-tokenizer then
 * splits into identifier-like runs (letters, digits, `_`, `'`, `.`, `!`, `?`: Lean names such as
 * `Nat.succ_le_iff` or `h₁`), runs of other symbols (`:=`, `⟨`, `),`), runs of "▁" (indentation; the last "▁"
 * before a word stays with it, so ` x` is always `▁x`) and runs of newlines. Each run may start with one "▁".
 * Merges never cross a newline, so a prompt that ends before a newline tokenizes the same alone as followed by
 * its target: the model is trained on exactly the ids the runtime feeds it.
 */

export const spaceMarker = '▁';

const word = "\\p{L}\\p{N}_'.!?";
/** The pre-tokenizer's pattern (JavaScript and Oniguruma syntax alike), matched on normalised text. */
export const wordPattern = `▁?[${word}]+|▁?[^▁\\n${word}]+|▁+(?![^▁\\n])|\\n+`;

const wordRegex = new RegExp(wordPattern, 'gu');

/** Llama 2's normaliser: "▁" prepended, spaces replaced by "▁". */
export function normalize(text: string): string {
  return spaceMarker + text.replaceAll(' ', spaceMarker);
}

/** The pre-tokenizer's pieces of normalised text, in order; together they are the whole text. */
export function splitWords(normalized: string): string[] {
  return normalized.match(wordRegex) ?? [];
}

/** The normaliser and pre-tokenizer sections of tokenizer.json that match normalize() and splitWords(). */
export function tokenizerJsonSections(): { normalizer: object; pre_tokenizer: object } {
  return {
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: spaceMarker },
        { type: 'Replace', pattern: { String: ' ' }, content: spaceMarker },
      ],
    },
    pre_tokenizer: { type: 'Split', pattern: { Regex: wordPattern }, behavior: 'Isolated', invert: false },
  };
}

// Tokenizer of a model folder: tokenizer.json (Hugging Face format) through @huggingface/tokenizers, which
// matches the ids of Python's transformers. Text is encoded the way the model was trained (the tokenizer's own
// post-processor adds BOS for Llama) and decoded without the library's default space clean-up, which would
// change Lean source (e.g. `h .1`).

import { Tokenizer } from '@huggingface/tokenizers';

const decodeOptions = { skip_special_tokens: true, clean_up_tokenization_spaces: false };

/** How many prompt tokens give the decoder enough context to reproduce spacing at the prompt/completion seam. */
const seamContextTokens = 4;

export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    /** One more than the largest id the tokenizer can produce. */
    readonly size: number,
  ) {}

  /**
   * Builds a tokenizer from parsed tokenizer.json (and tokenizer_config.json, when the folder has one).
   * Throws the library's error for a malformed file.
   */
  static fromJson(tokenizerJson: unknown, tokenizerConfig: unknown = {}): TextTokenizer {
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null) throw new Error('tokenizer.json is not an object');
    const model = (tokenizerJson as { model?: { vocab?: unknown } }).model;
    if (typeof model?.vocab !== 'object' || model.vocab === null) throw new Error('tokenizer.json has no model.vocab');
    const tokenizer = new Tokenizer(tokenizerJson, (tokenizerConfig ?? {}) as object);
    let size = 0;
    for (const id of tokenizer.get_vocab(true).values()) size = Math.max(size, id + 1);
    return new TextTokenizer(tokenizer, size);
  }

  /** Token ids of `text`, with the special tokens (e.g. BOS) that the tokenizer's post-processor adds. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], decodeOptions);
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /** A decoder of completions of one prompt (see CompletionText). */
  completionText(promptIds: readonly number[]): CompletionText {
    return new CompletionText(this, promptIds.slice(-seamContextTokens));
  }
}

/**
 * Decodes generated tokens as they read after the prompt. SentencePiece-style decoders drop the leading space of
 * a decoded string, so decoding the completion alone would lose a space that follows the prompt; decoding it
 * after a few prompt tokens and removing their text keeps it (the trick vLLM's incremental detokenizer uses).
 */
export class CompletionText {
  private readonly contextText: string;

  constructor(
    private readonly tokenizer: TextTokenizer,
    private readonly context: readonly number[],
  ) {
    this.contextText = tokenizer.decode(context);
  }

  decode(generated: readonly number[]): string {
    const full = this.tokenizer.decode([...this.context, ...generated]);
    return full.startsWith(this.contextText) ? full.slice(this.contextText.length) : this.tokenizer.decode(generated);
  }
}

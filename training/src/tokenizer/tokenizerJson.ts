/**
 * The tokenizer as a Hugging Face `tokenizer.json` in Llama 2's layout: ids 0–2 are `<unk>`, `<s>`, `</s>`, ids
 * 3–258 the byte-fallback tokens `<0x00>`…`<0xFF>`, then the alphabet, then the merged pieces; BPE with byte
 * fallback; `<s>` put first by the post-processor; the decoder turns "▁" back into spaces and drops the one in
 * front. The only addition to Llama 2's file is the pre-tokenizer (pretokenize.ts), which keeps merges inside
 * Lean-shaped words.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import type { BpeResult } from './bpe';
import { tokenizerJsonSections } from './pretokenize';

export const specialTokens = { unk: '<unk>', bos: '<s>', eos: '</s>' } as const;

/**
 * Lean and Mathlib notation that must be whole tokens (in the alphabet whatever the corpus sample holds), so a goal
 * never spends several byte tokens on one symbol.
 */
export const leanSymbols = [
  ...'ℕℤℚℝℂ⊢→←↔∀∃∄¬∧∨≤≥≠<>≡≈≃≅∈∉⊆⊂⊇⊃∩∪⋂⋃∑∏∫√∞⁻¹²³⁰⁴₀₁₂₃₄₅₆₇₈₉ₙₘᵢⱼₖ⟨⟩⟪⟫⌊⌋⌈⌉‖∣∤•·∘×⊗⊕⊓⊔⊤⊥∅ᶜᵀᵒᵖ↑⇑↥∂∇∆',
  ...'αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ∘✝▸⦃⦄«»⋯…≪≫⥤⟶⟹⟷⟮⟯ℓ𝓝𝒫',
];

export interface TokenizerFile {
  json: Record<string, unknown>;
  vocabSize: number;
  bosId: number;
  eosId: number;
  unkId: number;
}

export function byteToken(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

export function buildTokenizerJson(bpe: BpeResult): TokenizerFile {
  const vocab = new Map<string, number>();
  const add = (piece: string) => {
    if (!vocab.has(piece)) vocab.set(piece, vocab.size);
  };
  add(specialTokens.unk);
  add(specialTokens.bos);
  add(specialTokens.eos);
  for (let b = 0; b < 256; b++) add(byteToken(b));
  for (const p of bpe.pieces) add(p);
  const special = (content: string) => ({
    id: vocab.get(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const bos = { SpecialToken: { id: specialTokens.bos, type_id: 0 } };
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [specialTokens.unk, specialTokens.bos, specialTokens.eos].map(special),
    ...tokenizerJsonSections(),
    post_processor: {
      type: 'TemplateProcessing',
      single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        bos,
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: specialTokens.bos, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [specialTokens.bos]: { id: specialTokens.bos, ids: [1], tokens: [specialTokens.bos] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: specialTokens.unk,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges: bpe.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  return { json, vocabSize: vocab.size, bosId: 1, eosId: 2, unkId: 0 };
}

/** A loaded tokenizer.json, with the two encodings the pack stage needs. */
export class TrainedTokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;

  private readonly tokenizer: Tokenizer;
  private continuation: Tokenizer | undefined;

  constructor(readonly json: Record<string, unknown>) {
    const tokenizer = new Tokenizer(json, {});
    this.tokenizer = tokenizer;
    let size = 0;
    for (const id of tokenizer.get_vocab(true).values()) size = Math.max(size, id + 1);
    this.vocabSize = size;
    this.bosId = tokenizer.token_to_id(specialTokens.bos) ?? -1;
    this.eosId = tokenizer.token_to_id(specialTokens.eos) ?? -1;
  }

  /** Ids as the runtime encodes a prompt: `<s>` first. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  /** Ids without `<s>`. */
  encodePlain(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * Ids of `text` as they continue a text that ends at a pre-tokenizer word boundary: no "▁" in front, no `<s>`.
   * For a prompt ending in `---` and a target starting with a newline, `encode(prompt) ++ encodeContinuation(target)`
   * equals `encode(prompt + target)` (the pack stage checks this on a sample) at half the cost.
   */
  encodeContinuation(text: string): number[] {
    if (!this.continuation) {
      const normalizer = { type: 'Replace', pattern: { String: ' ' }, content: '▁' };
      this.continuation = new Tokenizer({ ...this.json, normalizer, post_processor: null }, {});
    }
    return this.continuation.encode(text, { add_special_tokens: false }).ids;
  }

  tokens(text: string): string[] {
    return this.tokenizer.tokenize(text, { add_special_tokens: false });
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }
}

// Builds a small tokenizer.json in the exact shape of Llama 2's / Code Llama's (the Llemma tokenizer):
// SentencePiece-style BPE with byte fallback, a "▁" space marker, <s> prepended by the post-processor. Any text
// encodes (unknown characters fall back to <0xNN> byte tokens), so the real few-shot prompt works with it.

const specials = ['<unk>', '<s>', '</s>'];

// Characters that Lean goals use often get their own token; the rest of Unicode goes through byte fallback.
const leanChars = '⊢ℕℝℤℚ∀∃→←↔≤≥≠⟨⟩↑∈∉∧∨¬αβγιλπ✝¹²⊓⊔ᶜ∑∏√⁻∣•·∘≃⊆∩∪';

// Whole pieces built by successive merges, so that BPE (not only characters) is exercised.
const mergedPieces = [
  '--',
  '---',
  '▁h',
  '▁x',
  '▁:',
  '▁⊢',
  '▁=',
  '▁+',
  'in',
  'er',
  'at',
  'on',
  '▁t',
  '▁th',
  '▁the',
  'ac',
];
const mergedWords = ['▁rw', '▁simp', '▁intro', '▁norm_num', '▁linarith', '▁Nat', 'tac', 'tic', '▁state', '▁Next'];

export interface TokenizerFiles {
  /** The tokenizer.json object. */
  tokenizer: Record<string, unknown>;
  /** Number of ids in the vocabulary (ids are 0..size-1). */
  size: number;
  bosId: number;
  eosId: number;
}

export function buildTinyTokenizer(): TokenizerFiles {
  const vocab = new Map<string, number>();
  const add = (piece: string) => {
    if (!vocab.has(piece)) vocab.set(piece, vocab.size);
  };
  for (const s of specials) add(s);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  add('▁');
  for (let c = 0x21; c <= 0x7e; c++) add(String.fromCharCode(c));
  for (const c of leanChars) add(c);

  // Each merge joins the longest already-known prefix with the next character, left to right, which is how a
  // trained BPE vocabulary grows; ranks follow insertion order.
  const merges: string[] = [];
  const seen = new Set<string>();
  for (const piece of [...mergedPieces, ...mergedWords]) {
    const chars = [...piece];
    let left = chars[0] ?? '';
    for (const c of chars.slice(1)) {
      const joined = left + c;
      const rule = `${left} ${c}`;
      if (!seen.has(rule)) {
        seen.add(rule);
        merges.push(rule);
      }
      add(joined);
      left = joined;
    }
  }

  const special = (content: string) => ({
    id: vocab.get(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(special),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [vocab.get('<s>')], tokens: ['<s>'] } },
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
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
  return { tokenizer, size: vocab.size, bosId: vocab.get('<s>') ?? -1, eosId: vocab.get('</s>') ?? -1 };
}

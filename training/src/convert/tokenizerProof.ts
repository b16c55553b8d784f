/**
 * The proof that a tokenizer.json converted from SentencePiece's tokenizer.model tokenizes as the original does:
 * every text of a Lean sample is encoded by the runtime's tokenizer (model/src's TextTokenizer, through
 * @huggingface/tokenizers) and by SentencePiece itself (Python, during the conversion), and the ids must be equal,
 * BOS included. It holds for the sample, not in general; the report says how large the sample was.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { getPromptFormat, promptFormatNames, type TextTokenizer } from '@llemma/model';
import { repoDir } from '../run/layout';
import { jsonLines } from '../util/jsonLines';

/** Goals the check prompts and the sample's prompt texts are rendered for. */
export const checkGoals = [
  'n : ℕ\n⊢ n + 0 = n',
  'x y : ℝ\nh₀ : 0 < x\nh₁ : x * y = 1\n⊢ y = 1 / x',
  'a b : ℤ\nh : a ≡ b [ZMOD 5]\n⊢ (a - b) % 5 = 0',
];

export interface Sample {
  texts: string[];
  /** Where the texts came from, for the report. */
  source: string;
}

const sampleBytes = 400_000;
const chunkLines = 20;

function chunks(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += chunkLines) out.push(lines.slice(i, i + chunkLines).join('\n'));
  return out;
}

function leanFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...leanFiles(p));
    else if (entry.name.endsWith('.lean')) out.push(p);
  }
  return out;
}

/** The data folder's Lean corpus ($LLEMMA_DATA_DIR, else ../shared/data beside the repository), if present. */
function defaultCorpus(env: NodeJS.ProcessEnv): string | undefined {
  const dirs = [env['LLEMMA_DATA_DIR'], path.resolve(repoDir, '..', 'shared', 'data')];
  for (const dir of dirs) {
    const file = dir && path.join(dir, 'mathlib4', 'mathlib4_lean_files.jsonl');
    if (file && existsSync(file)) return file;
  }
  return undefined;
}

/**
 * Lean text in chunks of 20 lines (about 400 KB from every 17th document of a JSONL corpus, or the .lean files of a
 * folder), plus every prompt format rendered for the check goals: the texts the model will be shown.
 */
export async function leanSample(given: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  const texts = promptFormatNames.flatMap((f) =>
    checkGoals.map((goal) => getPromptFormat(f).render({ goals: [goal] })),
  );
  const corpus = given ?? defaultCorpus(env);
  if (!corpus)
    return { texts, source: 'the prompt formats only (no Lean corpus: pass --sample or set LLEMMA_DATA_DIR)' };
  if (!existsSync(corpus)) throw new Error(`--sample ${corpus} does not exist`);
  let bytes = 0;
  const take = (text: string) => {
    for (const c of chunks(text)) {
      texts.push(c);
      bytes += c.length;
    }
  };
  if (statSync(corpus).isDirectory()) {
    for (const file of leanFiles(corpus)) {
      if (bytes >= sampleBytes) break;
      take(readFileSync(file, 'utf8'));
    }
  } else if (corpus.endsWith('.jsonl')) {
    let i = 0;
    for await (const row of jsonLines([corpus])) {
      if (bytes >= sampleBytes) break;
      if (i++ % 17 === 0 && typeof row['text'] === 'string') take(row['text']);
    }
  } else {
    take(readFileSync(corpus, 'utf8'));
  }
  return { texts, source: `${corpus} (${bytes} characters of Lean)` };
}

export interface TokenizerProof {
  texts: number;
  tokens: number;
  source: string;
  /** The first few texts whose ids differ: where and how. */
  mismatches: { text: string; at: number; ours: number[]; sentencepiece: number[] }[];
  mismatchCount: number;
}

/** Compares the runtime tokenizer's ids with SentencePiece's (which have no BOS; `bosId` is put in front). */
export function proveTokenizer(
  tokenizer: TextTokenizer,
  sample: Sample,
  sentencepieceIds: readonly (readonly number[])[],
  bosId: number | null,
): TokenizerProof {
  const proof: TokenizerProof = { texts: 0, tokens: 0, source: sample.source, mismatches: [], mismatchCount: 0 };
  sample.texts.forEach((text, i) => {
    const ours = tokenizer.encode(text);
    const sp = [...(bosId === null ? [] : [bosId]), ...(sentencepieceIds[i] ?? [])];
    proof.texts++;
    proof.tokens += ours.length;
    let at = 0;
    while (at < ours.length && ours[at] === sp[at]) at++;
    if (at === ours.length && ours.length === sp.length) return;
    proof.mismatchCount++;
    if (proof.mismatches.length < 3) {
      proof.mismatches.push({
        text: text.slice(0, 200),
        at,
        ours: ours.slice(at, at + 6),
        sentencepiece: sp.slice(at, at + 6),
      });
    }
  });
  return proof;
}

/**
 * `llemma-train tokenizer`: a BPE vocabulary trained on a seeded sample of the run's own training text (tactic
 * examples, prompt and target, and the mixture's Lean files), written as out/<run>/tokenizer.json with a report of
 * how well it compresses held-out examples. Held-out text is never part of the sample.
 */

import { statSync, writeFileSync } from 'node:fs';
import type { RunConfig } from '../run/config';
import { dataOutputs, runFiles } from '../run/layout';
import { formatJson } from '../util/formatJson';
import { jsonLines } from '../util/jsonLines';
import { seeded } from '../util/seeded';
import { trainBpe } from './bpe';
import { normalize, spaceMarker, splitWords } from './pretokenize';
import { buildTokenizerJson, leanSymbols, TrainedTokenizer } from './tokenizerJson';

export interface TokenizerReport {
  vocabSize: number;
  alphabet: number;
  merges: number;
  sample: { tacticBytes: number; mixtureBytes: number; words: number; distinctWords: number };
  heldOut: { examples: number; chars: number; tokens: number; charsPerToken: number; byteFallbackTokens: number };
  leanSymbolsWhole: number;
  leanSymbols: number;
  seconds: number;
}

async function sampleInto(
  files: readonly string[],
  budget: number,
  random: () => number,
  textOf: (row: Record<string, unknown>) => string,
  words: Map<string, number>,
): Promise<number> {
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  const keep = total > 0 ? Math.min(1, budget / total) : 0;
  let bytes = 0;
  for await (const row of jsonLines(files)) {
    if (random() >= keep || bytes >= budget) continue;
    const text = textOf(row);
    bytes += Buffer.byteLength(text);
    for (const w of splitWords(normalize(text))) words.set(w, (words.get(w) ?? 0) + 1);
  }
  return bytes;
}

/** Characters by frequency until `coverage` of all characters, plus printable ASCII and the Lean symbols. */
export function chooseAlphabet(words: ReadonlyMap<string, number>, coverage: number): string[] {
  const chars = new Map<string, number>();
  let total = 0;
  for (const [w, n] of words) {
    for (const c of w) {
      chars.set(c, (chars.get(c) ?? 0) + n);
      total += n;
    }
  }
  const ranked = [...chars].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const alphabet = new Set<string>([spaceMarker, '\n']);
  let covered = 0;
  for (const [c, n] of ranked) {
    if (covered >= coverage * total) break;
    alphabet.add(c);
    covered += n;
  }
  for (let c = 0x21; c <= 0x7e; c++) alphabet.add(String.fromCharCode(c));
  for (const c of leanSymbols) alphabet.add(c);
  return [...alphabet];
}

export async function runTokenizerStage(
  run: RunConfig,
  log: (line: string) => void = () => {},
): Promise<TokenizerReport> {
  const started = performance.now();
  const cfg = run.stages.tokenizer;
  const outputs = dataOutputs(run.runDir);
  const random = seeded(run.data.seed ^ 0x746f6b);
  const budget = cfg.sampleMB * 1e6;
  const words = new Map<string, number>();
  const tacticBytes = await sampleInto(
    [outputs.tacticsTrain],
    budget * (1 - cfg.mixtureShare),
    random,
    (r) => `${r['prompt']}${r['target']}`,
    words,
  );
  const mixtureBytes = await sampleInto(
    outputs.mixture,
    budget * cfg.mixtureShare,
    random,
    (r) => String(r['text']),
    words,
  );
  let wordCount = 0;
  for (const n of words.values()) wordCount += n;
  log(`tokenizer: ${((tacticBytes + mixtureBytes) / 1e6).toFixed(1)} MB sampled, ${words.size} distinct words`);

  const alphabet = chooseAlphabet(words, cfg.charCoverage);
  const bpe = trainBpe(words, { alphabet, maxPieces: cfg.vocabSize - 259, minPairCount: cfg.minPairCount });
  const file = buildTokenizerJson(bpe);
  writeFileSync(runFiles(run.runDir).tokenizer, formatJson(file.json));
  log(`tokenizer: ${file.vocabSize} ids (${alphabet.length} characters, ${bpe.merges.length} merges)`);

  const tok = new TrainedTokenizer(file.json);
  const heldOut = { examples: 0, chars: 0, tokens: 0, charsPerToken: 0, byteFallbackTokens: 0 };
  for await (const row of jsonLines([outputs.tacticsHeldOut])) {
    if (heldOut.examples >= 500) break;
    const text = `${row['prompt']}${row['target']}`;
    const pieces = tok.tokens(text);
    heldOut.examples++;
    heldOut.chars += text.length;
    heldOut.tokens += pieces.length;
    heldOut.byteFallbackTokens += pieces.filter((p) => /^<0x[0-9A-F]{2}>$/.test(p)).length;
  }
  heldOut.charsPerToken = heldOut.tokens > 0 ? Number((heldOut.chars / heldOut.tokens).toFixed(3)) : 0;
  const symbols = [...new Set(leanSymbols)];
  const report: TokenizerReport = {
    vocabSize: file.vocabSize,
    alphabet: alphabet.length,
    merges: bpe.merges.length,
    sample: { tacticBytes, mixtureBytes, words: wordCount, distinctWords: words.size },
    heldOut,
    leanSymbolsWhole: symbols.filter((s) => tok.tokenId(s) !== undefined).length,
    leanSymbols: symbols.length,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  writeFileSync(runFiles(run.runDir).tokenizerReport, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

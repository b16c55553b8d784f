/**
 * MODEL_CARD.md of an exported model folder, written from the run's own records (the data report, the tokenizer
 * report, the pack index, the trainer's summary and loss log, the export check and the evaluation), so every number
 * in it comes from the files of the run that produced the weights. Missing records (e.g. before `eval`) are said
 * to be missing, not guessed. The export and eval commands write it after their stage (run/all.ts), so neither stage
 * depends on the other's records.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { sourcesCardBlock, sourcesCardBlocks, writeSourcesCardBlock } from '../eval/sourcesCard';
import type { SourcesReport } from '../eval/sourcesReport';
import { describePaired, type EvalReport } from '../eval/stage';
import type { ExportReport } from '../export/stage';
import type { PackIndex } from '../pack/packIndex';
import type { TokenizerReport } from '../tokenizer/stage';
import { type LossRecord, readLossLog } from '../train/lossCurve';
import type { TrainSummary } from '../train/stage';
import type { RunConfig } from './config';
import { modelFolder, runFiles } from './layout';

const reproduce = 'npx llemma-train all --config training/configs/default.json';

function sha256(file: string): string {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'n/a';
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

const int = (n: number | undefined) => (n === undefined ? 'n/a' : n.toLocaleString('en-US'));

/** ", N of them first steps with the tactic state known" when the pack recorded it (older packs did not). */
function goalKnownPart(split: PackIndex['splits']['train'] | undefined): string {
  const n = split?.goalKnownExamples;
  return n === undefined ? '' : `, ${int(n)} of them first steps with the tactic state known`;
}
/** " and N whose target is longer than C tokens" when the run capped targets (pack.maxTargetTokens). */
function targetCapPart(pack: PackIndex | undefined): string {
  const cap = pack?.max_target_tokens;
  return cap ? ` and ${int(pack?.splits.train.targetTooLong)} whose target is longer than ${cap} tokens` : '';
}
const pct = (k: number, n: number) => (n > 0 ? `${((100 * k) / n).toFixed(1)} % (${k}/${n})` : 'n/a');
const fixed = (n: number | undefined, digits = 3) => (n === undefined ? 'n/a' : n.toFixed(digits));

interface DataReportLike {
  sources?: {
    name: string;
    read: number;
    exactDuplicates: number;
    nearDuplicates: number;
    contaminated: number;
    kept: number;
    tactics?: { train: number; heldOut: number };
  }[];
  overlaps?: { source: string; path: string; item: string; split: string; kind: string; n: number; dropped: boolean }[];
  config?: {
    tactics?: { heldOutFraction?: number };
    decontamination?: { ngramSizes?: number[]; dropAtNgram?: number; problemIds?: string; benchmarks?: unknown[] };
  };
}

/** The parts of train/run.json (the trainer's config) the card shows. */
interface TrainerConfigFile {
  model?: Record<string, number | undefined>;
  lr?: number;
  warmup_steps?: number;
  weight_decay?: number;
  betas?: number[];
}

function firstSuggestions(e: EvalReport): { distinct: number; list: string } {
  const counts = new Map<string, number>();
  for (const p of e.predictions) {
    const first = p.candidates[0];
    if (first !== undefined) counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  const list = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([t, n]) => `\`${t.replace(/\s+/g, ' ')}\` (${n})`)
    .join(', ');
  return { distinct: counts.size, list };
}

/** Plain sentences on how the model compares with the baseline, per ranking. */
function comparison(e: EvalReport): string {
  const verdict = (m: number, b: number) => (m > b ? 'better than' : m < b ? 'worse than' : 'level with');
  const sentence = (what: string, h: { top1: number; topN: number }) =>
    `${what} the model is ${verdict(h.top1, e.baseline.top1)} the baseline at top-1 and ` +
    `${verdict(h.topN, e.baseline.topN)} it at top-${e.budget.n}.`;
  const paired = e.paired
    ? [
        `Paired over the same theorems at top-${e.budget.n}, ranked as the search ranks: ${describePaired(e.paired.model)}` +
          (e.paired.byProbability
            ? `; ranked by total log-probability: ${describePaired(e.paired.byProbability)}.`
            : '.'),
        'A p-value above 0.05 means the difference could well be chance on this many theorems.',
      ]
    : [];
  return [
    sentence('Ranked as the search ranks (mean log-probability)', e.model),
    ...(e.byProbability ? [sentence('Ranked by total log-probability', e.byProbability)] : []),
    ...paired,
  ].join(' ');
}

function hardware(summary: TrainSummary | undefined): string {
  if (!summary) return 'n/a';
  const software = `torch ${summary.torch}, ${summary.threads} torch threads`;
  if (summary.device.startsWith('cuda')) {
    return `${summary.processes} × GPU (${summary.device_name ?? summary.device}), ${software}`;
  }
  // Runs before the summary recorded the core count were made on the machine writing the card.
  const cores = summary.cpu_count ?? cpus().length;
  return `**CPU only, ${cores} cores** (${summary.device_name ?? 'x86-64'}; ${software}); no GPU was used`;
}

function lastOf(records: readonly LossRecord[], split: 'train' | 'heldout'): LossRecord | undefined {
  return records.filter((r) => r.split === split).at(-1);
}

export function modelCardText(run: RunConfig): string {
  const dir = run.runDir;
  const files = runFiles(dir);
  const data = readJson<DataReportLike>(files.dataReport);
  const tokenizer = readJson<TokenizerReport>(files.tokenizerReport);
  const pack = readJson<PackIndex>(files.packIndex);
  const summary = readJson<TrainSummary>(files.trainSummary);
  const trainCfg = readJson<TrainerConfigFile>(files.trainerConfig);
  const exported = readJson<ExportReport>(files.exportReport);
  const evaluation = readJson<EvalReport>(files.evalReport);
  const lossFile = files.lossLog;
  const losses = existsSync(lossFile) ? readLossLog(lossFile) : [];
  const m = trainCfg?.model ?? {};
  const finalTrain = lastOf(losses, 'train');
  const finalHeld = lastOf(losses, 'heldout');
  const out: string[] = [];
  const p = (...lines: string[]) => out.push(...lines);

  const rowsSeen = summary ? summary.steps * summary.rows_per_step : undefined;
  const perRow = pack && pack.splits.train.rows > 0 ? pack.splits.train.examples / pack.splits.train.rows : undefined;
  const examplesSeen = rowsSeen !== undefined && perRow !== undefined ? Math.round(rowsSeen * perRow) : undefined;
  p('# Default model: a tiny tactic model trained by this project', '');
  p(
    'A small Llama-architecture decoder trained from scratch to suggest the next Lean 4 tactic in the `proof-prefix`',
    'prompt format (model/src/prompts.ts). **It is not Llemma** and not a fine-tune of it: it has',
    `${int(summary?.parameters)} parameters (Llemma 7B: about 7 billion) and saw ${int(summary?.tokens)} tokens`,
    `(Llemma: 55 billion) — about ${int(examplesSeen)} tactic examples from Mathlib and compfiles proofs. It exists so`,
    'that the extension suggests something offline out of the box and so that the training pipeline is exercised end',
    'to end; for real suggestions, convert Llemma (or another Llama-family prover) into a model folder.',
    '',
  );
  if (evaluation) {
    const { distinct, list } = firstSuggestions(evaluation);
    const n = evaluation.predictions.length;
    p(
      distinct * 10 < n
        ? `Expect well-formed but generic tactics, nearly the same whatever the goal: on ${n} held-out theorems its first`
        : `On ${n} held-out theorems its first`,
      `suggestion took ${distinct} distinct values, most often ${list}.`,
      '',
    );
  }
  const folder = modelFolder(run);
  const hasIndex = existsSync(path.join(folder, 'retrieval.bin'));
  const hasTables = existsSync(path.join(folder, 'sources.json'));
  if (hasIndex && hasTables) {
    p(
      '**How the product uses this folder.** Its default candidate generator (`model.sources` `auto`) asks retrieval',
      '(`retrieval.bin`), the file above the proof and the decision procedures (`sources.json`), not this neural',
      'model: on held-aside steps the model adds no exact-match hit to them and costs ~0.4 s a goal on 2 CPU cores',
      '(docs/search.md). List `retrieval,file,model,procedures` to ask it too. The held-out figures of every source are at the end of this card',
      '(Candidate sources), when `llemma-train eval-sources` was asked to write them.',
      '',
    );
  }
  p('## Files', '');
  p(
    '| file | what |',
    '|---|---|',
    `| config.json | transformers LlamaConfig + \`llemma\` block (prompt format \`proof-prefix\`, context ${int(pack?.seq_len)} tokens) |`,
    `| tokenizer.json | BPE, ${int(tokenizer?.vocabSize)} ids, byte fallback, \`<s>\`/\`</s>\`/\`<unk>\` (Llama 2 layout) |`,
    `| model.onnx | decoder with past key/values, float32, ${exported ? (exported.onnxBytes / 1e6).toFixed(1) : 'n/a'} MB |`,
    '| loss-curve.png | train and held-out loss per step |',
    ...(hasIndex ? ['| retrieval.bin | retrieval index of goal-known training steps (`llemma-train index`) |'] : []),
    ...(hasTables
      ? ['| sources.json | decision procedures and calibrated score tables (`llemma-train calibrate`) |']
      : []),
    '',
  );
  p('## Model', '');
  p(
    `Llama (RMSNorm, RoPE θ=${m.rope_theta ?? 10000}, SwiGLU, grouped-query attention): ${m.num_hidden_layers} layers, ` +
      `width ${m.hidden_size}, ${m.num_attention_heads} query heads / ${m.num_key_value_heads} key-value heads, ` +
      `MLP ${m.intermediate_size}, vocabulary ${m.vocab_size}, context ${m.max_position_embeddings}; ` +
      `${int(summary?.parameters)} parameters. Parameter names are those of transformers' LlamaForCausalLM.`,
    '',
  );
  p('## Data', '');
  const dc = data?.config?.decontamination;
  const sizes = dc?.ngramSizes ?? [];
  const drop = dc?.dropAtNgram;
  p(
    'Mathlib4 (the DeepSeek-Prover-V1.5 snapshot, Lean v4.9.0-rc1) and compfiles (olympiad solutions), after exact and',
    `near-duplicate removal and decontamination against ${int(dc?.benchmarks?.length)} miniF2F benchmark files (Lean 4 and`,
    `Isabelle versions; ${sizes.join('- and ')}-gram overlaps are reported, ${drop ?? 'n/a'}-grams and longer drop the document;`,
    `files named after a miniF2F problem: ${dc?.problemIds ?? 'n/a'}). Training examples are tactic steps extracted from the`,
    'kept files: prompt = statement, tactics so far and (for the first step) the goal rendered from the binders;',
    'target = the next tactic. Files are split train / held-out by a hash of their path',
    `(${((data?.config?.tactics?.heldOutFraction ?? 0) * 100).toFixed(0)} % held out).`,
    '',
    `The examples this model was trained on: \`tactics-train.jsonl\`, sha256 \`${sha256(path.join(dir, 'tactics-train.jsonl'))}\`.`,
    'A re-run reproduces the weights only if it reproduces this file (the data pipeline may have changed since).',
    '',
  );
  if (data?.sources) {
    p(
      '| source | read | exact dups | near dups | contaminated | kept | tactic examples train / held out |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const s of data.sources) {
      p(
        `| ${s.name} | ${s.read} | ${s.exactDuplicates} | ${s.nearDuplicates} | ${s.contaminated} | ${s.kept} | ${int(s.tactics?.train)} / ${int(s.tactics?.heldOut)} |`,
      );
    }
    p('');
    const overlaps = data.overlaps ?? [];
    const compfiles = overlaps.filter((o) => o.source === 'compfiles');
    const items = [...new Set(compfiles.map((o) => o.item))].sort();
    p(
      `Decontamination found ${overlaps.length} overlaps (${overlaps.filter((o) => o.dropped).length} on dropped documents or proofs). ` +
        `compfiles ↔ miniF2F: ${new Set(compfiles.map((o) => o.path)).size} compfiles files overlap ${items.length} miniF2F problems, all dropped: ` +
        `${items.map((i) => `\`${i}\``).join(', ') || 'none'}. The full list with the matched text is in the run's report.md.`,
      '',
    );
  }
  p('## Training', '');
  p(
    `Hardware: ${hardware(summary)}.`,
    `Packed rows of ${int(pack?.seq_len)} positions, several examples per row with attention and positions confined to each example;`,
    'the loss is taken on the target tokens (the tactic, `---` and `</s>`) only.',
    `Examples packed: ${int(pack?.splits.train.examples)} train (a seeded sample${goalKnownPart(pack?.splits.train)}; ${int(pack?.splits.train.tooLong)} longer than the context${targetCapPart(pack)} left out), ` +
      `${int(pack?.splits.heldout.examples)} held-out for the held-out loss.`,
    `Steps: ${int(summary?.steps)} of ${int(summary?.max_steps)}${summary?.stopped_early ? ' (stopped early by the time limit)' : ''}, ` +
      `${summary?.rows_per_step ?? 'n/a'} rows per step; tokens seen ${int(summary?.tokens)}, of which target tokens ${int(summary?.target_tokens)}; ` +
      `wall time ${summary ? (summary.wall_s / 60).toFixed(1) : 'n/a'} min.`,
    `AdamW (β ${JSON.stringify(trainCfg?.betas ?? [0.9, 0.95])}, weight decay ${trainCfg?.weight_decay ?? 0.1}), peak learning rate ${trainCfg?.lr ?? 'n/a'}, ` +
      `${trainCfg?.warmup_steps ?? 'n/a'} warmup steps then cosine to 1/30 of the peak (Llemma's schedule, with a warmup scaled to this short run), gradient clipping 1.0.`,
    '',
    `**Final train loss ${fixed(finalTrain?.loss)}** (mean over the last logged steps, step ${finalTrain?.step ?? 'n/a'}); ` +
      `**final held-out loss ${fixed(finalHeld?.loss)}** (step ${finalHeld?.step ?? 'n/a'}; nats per target token on held-out files).`,
    '',
    '![loss curve](loss-curve.png)',
    '',
  );
  p('## Evaluation', '');
  if (evaluation) {
    const e = evaluation;
    p(
      `First-tactic exact match on ${e.counts.evaluated} held-out ${e.sources.join('/') || 'all-source'} theorems (the first tactic of theorems in`,
      'held-out files, whitespace normalised; no Lean, so a different but valid tactic counts as wrong), at most',
      `${e.budget.maxNewTokens} new tokens per candidate. Baseline: the ${e.budget.n} most frequent first tactics of the training split, in order.`,
      'Two rankings of the model: the one the product uses (beam search, candidates by mean log-probability per token, the',
      "Llemma search's length-normalised score) and, comparable with the baseline's ranking by frequency, a wider beam's",
      'candidates by total log-probability (the sequences the model itself finds most likely).',
      '',
      `| | top-1 | top-${e.budget.n} |`,
      '|---|---:|---:|',
      `| this model, beam ${e.budget.n}, ranked by mean log-probability (as the search ranks) | ${pct(e.model.top1, e.counts.evaluated)} | ${pct(e.model.topN, e.counts.evaluated)} |`,
      ...(e.byProbability
        ? [
            `| this model, beam ${e.byProbability.beamWidth}, ranked by total log-probability | ${pct(e.byProbability.top1, e.counts.evaluated)} | ${pct(e.byProbability.topN, e.counts.evaluated)} |`,
          ]
        : []),
      `| frequency baseline | ${pct(e.baseline.top1, e.counts.evaluated)} | ${pct(e.baseline.topN, e.counts.evaluated)} |`,
      '',
      comparison(e),
      '',
      `${e.counts.tooLong} sampled theorems whose prompt does not fit the context were skipped. These are not miniF2F numbers:`,
      'the model has not been run in a proof search against Lean.',
      '',
    );
  } else {
    p('Not run yet (`llemma-train eval`).', '');
  }
  if (exported) {
    const worst = Math.max(exported.maxAbsDiff.prompt, exported.maxAbsDiff.cachedStep);
    p(
      `Export check: ONNX Runtime (through model/src) and PyTorch agree on the logits of a ${exported.promptTokens}-token held-out prompt`,
      `and one cached step to ${worst.toExponential(2)} (max absolute difference; tolerance ${exported.tolerance}).`,
      '',
    );
  }
  p('## Licence', '');
  p(
    'Training data: Mathlib4 (Apache-2.0, © the Mathlib contributors) and compfiles (Apache-2.0, © David Renshaw and',
    'contributors); their licence texts are in the data folder. The weights are distributed with this project under',
    'its MIT licence, with this attribution; whether trained weights are a derivative work of their data is not',
    'settled, so treat them as you would Apache-2.0 material.',
    '',
  );
  p('## Reproduce', '', '```', reproduce, '```', '');
  p(
    'From the repository root, with the data folder at ../shared/data (or $LLEMMA_DATA_DIR) and a Python with torch,',
    'onnx and numpy ($LLEMMA_PYTHON, default /usr/bin/python3). Runs data → tokenizer → pack → train → export → eval',
    'into training/out/default-model/ and writes this folder. Data, tokenizer and packing are deterministic; training',
    'is deterministic on the same CPU and torch build and stops at the configured number of steps (unless',
    '`train.max_minutes` stops it first on a slower machine; the card then says so).',
    '',
  );
  return out.join('\n');
}

/** Writes the card; the candidate-source blocks of the card it replaces (eval-sources with `card`) are kept. */
export function writeModelCard(run: RunConfig, folder: string): string {
  const file = path.join(folder, 'MODEL_CARD.md');
  const kept = existsSync(file) ? sourcesCardBlocks(readFileSync(file, 'utf8')) : '';
  writeFileSync(file, kept ? `${modelCardText(run).replace(/\n*$/, '\n\n')}${kept}` : modelCardText(run));
  return file;
}

/** The candidate-source tables of `report` into the model folder's card, as the block `name`; the card's path. */
export function writeSourcesCard(run: RunConfig, report: SourcesReport, name: string): string {
  const file = path.join(modelFolder(run), 'MODEL_CARD.md');
  writeSourcesCardBlock(file, name, sourcesCardBlock(report, name));
  return file;
}

/**
 * `llemma-train convert`: a Hugging Face Llama checkpoint (Llemma 7B/34B, Code Llama, any Llama-family prover) →
 * a model folder the product runs (docs/model-format.md).
 *
 * Everything is written into `<model-folder>.partial-<pid>` beside the target and moved into place only when every
 * step has succeeded: the conversion (llemma_train.convert: config.json, tokenizer.json, model.onnx +
 * model.onnx_data, weights streamed one tensor at a time), the proof that a tokenizer converted from SentencePiece
 * tokenizes a Lean sample as SentencePiece does, the check of the folder's logits against the checkpoint's PyTorch
 * forward pass, and generation.onnx when asked for. On any failure (or Ctrl-C) the partial folder is removed, so
 * the target is either complete or absent. The report is also written into the folder as conversion.json.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TextTokenizer } from '@llemma/model';
import { lastJson, runPythonModule } from '../train/python';
import { checkLogits, type LogitCheck } from './logitCheck';
import type { ConvertOptions } from './options';
import { leanSample, proveTokenizer, type TokenizerProof } from './tokenizerProof';

interface PythonConversion {
  dtype: string;
  layers: number;
  parameters: number;
  vocab_rows: number;
  checkpoint_vocab_size: number;
  tokenizer: { source: string; size: number; sample?: { texts: number; ids: string } };
  weight_files: string[];
  checkpoint_dtypes: string[];
  graph: { graph_bytes: number; data_bytes: number; nodes: number; block_size?: number; accuracy_level?: number };
  context_length: number;
  seconds: number;
  peak_rss_bytes: number;
}

export interface ConvertReport {
  folder: string;
  checkpoint: string;
  dtype: string;
  parameters: number;
  layers: number;
  vocabRows: number;
  checkpointVocabSize: number;
  checkpointDtypes: string[];
  contextLength: number;
  files: Record<string, number>;
  int4?: { blockSize: number; accuracyLevel: number };
  tokenizer: { source: string; proof?: TokenizerProof };
  /** The conversion process alone (Python): wall time and peak resident memory. */
  conversion: { seconds: number; peakRssBytes: number };
  /** The check against PyTorch, or why it did not run. */
  check: LogitCheck | string;
  generationGraph?: { bytes: number };
  seconds: number;
}

/** 6.74 B, 163 k: a parameter count as people say it. */
export function parameterCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  return `${Math.round(n / 1e3)} k`;
}

/** The Python process's own message for a checkpoint it refuses, without its progress lines. */
function pythonMessage(err: unknown): Error {
  const text = (err as Error).message;
  const at = text.search(/(checkpoint|model folder) .* (cannot be converted|cannot be read|cannot be wrapped)/);
  if (at < 0) return err as Error;
  const lines = text
    .slice(at)
    .split('\n')
    .filter((l) => !/^(convert|check): /.test(l));
  return new Error(lines.join('\n'));
}

function checkTarget(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory() || readdirSync(out).length > 0) {
    throw new Error(`${out} already exists and is not an empty folder: choose another model folder or remove it`);
  }
}

export async function runConvertStage(
  o: ConvertOptions,
  log: (line: string) => void = () => {},
): Promise<ConvertReport> {
  const started = performance.now();
  const checkpoint = path.resolve(o.checkpoint);
  const out = path.resolve(o.out);
  if (!existsSync(checkpoint) || !statSync(checkpoint).isDirectory()) {
    throw new Error(
      `${checkpoint} is not a folder (expected a Hugging Face checkpoint: config.json, weights, tokenizer)`,
    );
  }
  checkTarget(out);
  mkdirSync(path.dirname(out), { recursive: true });
  const partial = `${out}.partial-${process.pid}`;
  const scratch = mkdtempSync(path.join(tmpdir(), 'llemma-convert-'));
  const cleanUp = () => {
    rmSync(partial, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  };
  const interrupted = () => {
    cleanUp();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const converting = !existsSync(path.join(checkpoint, 'tokenizer.json'));
    const sample = o.check && converting ? await leanSample(o.sample) : undefined;
    const sampleArgs: string[] = [];
    if (sample) {
      writeFileSync(path.join(scratch, 'sample.json'), JSON.stringify(sample.texts));
      sampleArgs.push(
        '--sample',
        path.join(scratch, 'sample.json'),
        '--sample-out',
        path.join(scratch, 'sample-ids.json'),
      );
    }
    const args = [checkpoint, partial, '--dtype', o.dtype, '--prompt-format', o.promptFormat];
    if (o.contextLength) args.push('--context-length', String(o.contextLength));
    args.push('--block-size', String(o.blockSize), '--accuracy-level', String(o.accuracyLevel), ...sampleArgs);
    log(`convert: ${checkpoint} → ${out} (${o.dtype})`);
    const run = await runPythonModule('convert', args, { onError: log }).catch((err) => {
      throw pythonMessage(err);
    });
    const c = lastJson<PythonConversion>(run.lines, 'convert');
    if (!c) throw new Error('the converter finished without a result');
    log(
      `convert: ${parameterCount(c.parameters)} parameters in ${c.seconds} s, ` +
        `peak memory ${(c.peak_rss_bytes / 2 ** 30).toFixed(2)} GiB`,
    );

    const config = JSON.parse(readFileSync(path.join(partial, 'config.json'), 'utf8'));
    let proof: TokenizerProof | undefined;
    if (sample && c.tokenizer.sample) {
      const tokenizer = TextTokenizer.fromJson(JSON.parse(readFileSync(path.join(partial, 'tokenizer.json'), 'utf8')));
      const spIds = JSON.parse(readFileSync(c.tokenizer.sample.ids, 'utf8')) as number[][];
      proof = proveTokenizer(tokenizer, sample, spIds, config.bos_token_id ?? null);
      log(
        `tokenizer: tokenizer.json vs SentencePiece on ${proof.texts} texts (${proof.tokens} tokens): ${proof.mismatchCount} differ`,
      );
      if (proof.mismatchCount > 0) {
        const first = proof.mismatches[0]!;
        throw new Error(
          `the tokenizer.json converted from tokenizer.model tokenizes ${proof.mismatchCount} of ${proof.texts} sample texts ` +
            `differently from SentencePiece; first at token ${first.at} of ${JSON.stringify(first.text.slice(0, 80))}: ` +
            `ours ${first.ours.join(' ')}, SentencePiece ${first.sentencepiece.join(' ')}`,
        );
      }
    }

    const check: LogitCheck | string = o.check
      ? await checkLogits({
          checkpoint,
          folder: partial,
          dtype: o.dtype,
          promptFormat: o.promptFormat,
          providers: o.checkProviders,
          checkTokens: o.checkTokens,
          blockSize: o.blockSize,
          scratch,
          dataBytes: c.graph.data_bytes,
          log,
        })
      : 'not checked (--no-check)';
    if (typeof check === 'string') log(`check: ${check}`);
    else {
      log(
        `check: ONNX Runtime (${check.provider}) vs PyTorch, worst of ${check.prompts.length} prompts × 2 positions: ` +
          `max |Δlogit| ${check.worst.maxAbsDiff.toExponential(2)} = ${check.worst.relative.toExponential(2)} of the ` +
          `logits' spread (bound ${check.bound.relative}), KL ${check.worst.kl.toExponential(2)} nats (bound ${check.bound.kl})` +
          (check.quantization ? ` against the same int4 weights in PyTorch; ${describeQuantization(check)}` : ''),
      );
      if (!check.passed) {
        throw new Error(
          `the converted model's logits differ from PyTorch's beyond the ${o.dtype} bounds: ` +
            `relative ${check.worst.relative} (bound ${check.bound.relative}), KL ${check.worst.kl} (bound ${check.bound.kl})`,
        );
      }
    }

    let generationGraph: ConvertReport['generationGraph'];
    if (o.generationGraph) {
      log('generation graph: wrapping model.onnx in BeamSearch');
      await runPythonModule('generation_graph', [partial], { onError: log }).catch((err) => {
        throw pythonMessage(err);
      });
      generationGraph = { bytes: statSync(path.join(partial, 'generation.onnx')).size };
    }

    const files = Object.fromEntries(readdirSync(partial).map((f) => [f, statSync(path.join(partial, f)).size]));
    const report: ConvertReport = {
      folder: out,
      checkpoint,
      dtype: o.dtype,
      parameters: c.parameters,
      layers: c.layers,
      vocabRows: c.vocab_rows,
      checkpointVocabSize: c.checkpoint_vocab_size,
      checkpointDtypes: c.checkpoint_dtypes,
      contextLength: c.context_length,
      files,
      ...(c.graph.block_size !== undefined
        ? { int4: { blockSize: c.graph.block_size, accuracyLevel: c.graph.accuracy_level ?? 0 } }
        : {}),
      tokenizer: { source: c.tokenizer.source, ...(proof ? { proof } : {}) },
      conversion: { seconds: c.seconds, peakRssBytes: c.peak_rss_bytes },
      check,
      ...(generationGraph ? { generationGraph } : {}),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    writeFileSync(path.join(partial, 'conversion.json'), `${JSON.stringify(report, null, 2)}\n`);
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(partial, out);
    return report;
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    cleanUp();
  }
}

/** How far an int4 folder is from the original weights (reported, not bounded). */
function describeQuantization(check: LogitCheck): string {
  const q = check.quantization;
  if (!q) return '';
  return (
    `against the original weights (the quantization's own effect): max |Δlogit| ${q.maxAbsDiff.toExponential(2)} ` +
    `= ${q.relative.toExponential(2)} of the spread, KL ${q.kl.toExponential(2)} nats, same top token at ` +
    `${q.sameTop}/${q.positions} positions`
  );
}

/** The summary `llemma-train convert` prints. */
export function describeConversion(r: ConvertReport): string {
  const gb = (b: number) => (b >= 1e8 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);
  const bytes = Object.values(r.files).reduce((a, b) => a + b, 0);
  const lines = [
    `convert: ${r.folder}: ${r.dtype}, ${parameterCount(r.parameters)} parameters, ${r.layers} layers, ` +
      `${r.vocabRows} ids${r.vocabRows !== r.checkpointVocabSize ? ` (checkpoint vocabulary ${r.checkpointVocabSize} cut to the tokenizer's)` : ''}, ` +
      `${gb(bytes)} on disk`,
    `conversion: ${r.conversion.seconds} s, peak memory ${(r.conversion.peakRssBytes / 2 ** 30).toFixed(2)} GiB` +
      (r.int4 ? `; int4 blocks of ${r.int4.blockSize}, accuracy level ${r.int4.accuracyLevel}` : ''),
    `tokenizer: ${r.tokenizer.source}` +
      (r.tokenizer.proof
        ? `; tokenizes ${r.tokenizer.proof.texts} sample texts (${r.tokenizer.proof.tokens} tokens) as SentencePiece does`
        : ''),
  ];
  if (typeof r.check === 'string') lines.push(`check: ${r.check}`);
  else {
    lines.push(
      `check (${r.check.provider}): max |ONNX − PyTorch| ${r.check.worst.maxAbsDiff.toExponential(2)} ` +
        `(${r.check.worst.relative.toExponential(2)} of the logits' spread ≤ ${r.check.bound.relative}), ` +
        `KL ${r.check.worst.kl.toExponential(2)} ≤ ${r.check.bound.kl} nats; ` +
        `same top token at ${r.check.prompts.flatMap((p) => [p.prompt, p.cachedStep]).filter((p) => p.sameTop).length}` +
        `/${r.check.prompts.length * 2} positions` +
        (r.check.quantization ? ` (against the same int4 weights in PyTorch); ${describeQuantization(r.check)}` : ''),
    );
  }
  if (r.generationGraph) lines.push(`generation.onnx: ${gb(r.generationGraph.bytes)}`);
  lines.push(`done in ${r.seconds} s`);
  return lines.join('\n');
}

/**
 * `llemma-train export`: the run's newest checkpoint as a model folder (docs/model-format.md): model.onnx and
 * config.json from llemma_train.export, the run's tokenizer.json and the loss curve. The command then adds
 * MODEL_CARD.md from the run's records (run/modelCard.ts).
 *
 * The folder is then loaded the way the product loads it (model/src's loadModelFolder) and its logits are compared
 * with the ones PyTorch computed during the export for a held-out prompt: the prompt runs in one call, then one
 * more token runs with the cache, which checks the prompt path, the cached path and the graph's masks. A
 * difference above the tolerance fails the stage.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadModelFolder } from '@llemma/model';
import type { RunConfig } from '../run/config';
import { dataOutputs, modelFolder, runFiles } from '../run/layout';
import { TrainedTokenizer } from '../tokenizer/tokenizerJson';
import { drawLossPng } from '../train/lossCurve';
import { lastJson, runPythonModule } from '../train/python';
import { formatJson } from '../util/formatJson';
import { jsonLines } from '../util/jsonLines';
import { argmax, maxAbsDiff } from '../util/logits';

export interface ExportReport {
  folder: string;
  checkpoint: string;
  onnxBytes: number;
  folderBytes: number;
  promptTokens: number;
  maxAbsDiff: { prompt: number; cachedStep: number };
  sameArgmax: boolean;
  tolerance: number;
  provider: string;
}

/** A held-out prompt plus the first tokens of its target, short enough for the context. */
async function referenceIds(run: RunConfig, tok: TrainedTokenizer, contextLength: number): Promise<number[]> {
  for await (const row of jsonLines([dataOutputs(run.runDir).tacticsHeldOut])) {
    const ids = [...tok.encode(String(row['prompt'])), ...tok.encodeContinuation(String(row['target']))];
    if (ids.length >= 16 && ids.length <= contextLength) return ids;
  }
  return tok.encode('theorem foo (n : ℕ) : n + 0 = n := by\n  simp');
}

export async function runExportStage(run: RunConfig, log: (line: string) => void = () => {}): Promise<ExportReport> {
  const files = runFiles(run.runDir);
  const summaryFile = files.trainSummary;
  if (!existsSync(summaryFile)) throw new Error(`${summaryFile} is missing: run "llemma-train train" first`);
  const checkpoint = JSON.parse(readFileSync(summaryFile, 'utf8')).checkpoint as string;
  const folder = modelFolder(run);
  const scratch = files.export;
  mkdirSync(folder, { recursive: true });
  mkdirSync(scratch, { recursive: true });
  const tokenizerFile = files.tokenizer;
  const tok = new TrainedTokenizer(JSON.parse(readFileSync(tokenizerFile, 'utf8')));
  const contextLength = run.stages.pack.seqLen;
  const ids = await referenceIds(run, tok, contextLength);
  writeFileSync(path.join(scratch, 'reference-ids.json'), JSON.stringify(ids));
  const referenceFile = path.join(scratch, 'reference.json');
  const format = run.data.data.tactics.promptFormat;
  const args = ['--checkpoint', checkpoint, '--out', folder, '--prompt-format', format];
  args.push('--context-length', String(contextLength));
  args.push('--reference-ids', path.join(scratch, 'reference-ids.json'), '--reference-out', referenceFile);
  log(`export: ${checkpoint} → ${folder}`);
  const result = await runPythonModule('export', args, { onError: (l) => log(`export: ${l}`) });
  if (!lastJson(result.lines, 'export')) throw new Error('the exporter finished without a result');
  const configFile = path.join(folder, 'config.json');
  writeFileSync(configFile, formatJson(JSON.parse(readFileSync(configFile, 'utf8'))));
  copyFileSync(tokenizerFile, path.join(folder, 'tokenizer.json'));
  copyFileSync(drawLossPng(run.runDir), path.join(folder, 'loss-curve.png'));

  const reference = JSON.parse(readFileSync(referenceFile, 'utf8')) as { ids: number[]; logits: number[][] };
  const model = await loadModelFolder(folder, { executionProviders: ['cpu'] });
  let report: ExportReport;
  try {
    const first = await model.decoder.prefill([reference.ids.slice(0, -1)]);
    const promptLogits = Float32Array.from(first.logits[0] as Float32Array);
    const second = await model.decoder.step(first.cache, [reference.ids.at(-1) as number]);
    const stepLogits = second.logits[0] as Float32Array;
    const [refPrompt, refStep] = reference.logits as [number[], number[]];
    const files = ['config.json', 'tokenizer.json', 'model.onnx'].map((f) => statSync(path.join(folder, f)).size);
    report = {
      folder,
      checkpoint,
      onnxBytes: files[2] as number,
      folderBytes: files.reduce((a, b) => a + b, 0),
      promptTokens: reference.ids.length - 1,
      maxAbsDiff: { prompt: maxAbsDiff(promptLogits, refPrompt), cachedStep: maxAbsDiff(stepLogits, refStep) },
      sameArgmax: argmax(promptLogits) === argmax(refPrompt) && argmax(stepLogits) === argmax(refStep),
      tolerance: run.stages.export.tolerance,
      provider: model.provider,
    };
  } finally {
    await model.release();
  }
  writeFileSync(files.exportReport, `${JSON.stringify(report, null, 2)}\n`);
  const worst = Math.max(report.maxAbsDiff.prompt, report.maxAbsDiff.cachedStep);
  log(
    `export: ONNX Runtime vs PyTorch logits, max |difference| ${worst.toExponential(2)} ` +
      `(prompt of ${report.promptTokens} tokens, then one cached step; tolerance ${report.tolerance})`,
  );
  if (!(worst <= report.tolerance)) {
    throw new Error(`exported logits differ from PyTorch's by ${worst} (tolerance ${report.tolerance})`);
  }
  return report;
}

/**
 * The command line of `llemma-train convert`: a Hugging Face checkpoint folder, the model folder to write, and the
 * options. A wrong command line is a UsageError (exit status 2, with the usage).
 */
import { type ExecutionProviderName, promptFormatNames, readExecutionProviders } from '@llemma/model';
import { UsageError } from '../util/usageError';

export const convertDtypes = ['fp32', 'fp16', 'int4'] as const;
export type ConvertDtype = (typeof convertDtypes)[number];

export interface ConvertOptions {
  checkpoint: string;
  out: string;
  dtype: ConvertDtype;
  generationGraph: boolean;
  promptFormat: string;
  /** Positions the model folder allows (prompt + generated); default min(max_position_embeddings, 4096). */
  contextLength?: number;
  /** int4: values per quantization block along the input dimension, and MatMulNBits' accuracy level. */
  blockSize: number;
  accuracyLevel: number;
  /** Compare the folder's logits with the checkpoint's PyTorch forward pass (and prove a converted tokenizer). */
  check: boolean;
  /** Where the folder runs for the check. */
  checkProviders: 'auto' | ExecutionProviderName[];
  /** Tokens per check prompt (the prompt's end, after BOS). */
  checkTokens: number;
  /** Lean text for the tokenizer proof: a JSONL of {text} or a folder of .lean files; default the data folder's. */
  sample?: string;
}

export const convertUsage = [
  'usage: llemma-train convert <hf-checkpoint-dir> <model-folder> [--dtype fp32|fp16|int4] [--generation-graph]',
  '         [--prompt-format llemma-fewshot|proof-prefix] [--context-length N] [--block-size 32] [--accuracy-level 4]',
  '         [--check-ep auto|cpu|cuda,…] [--check-tokens 96] [--no-check] [--sample <file.jsonl|folder>]',
  '',
  '  --dtype             fp16 (default; for CUDA), fp32, or int4 (4-bit weights, MatMulNBits; for CPU)',
  '  --generation-graph  also write generation.onnx (beam search in one ONNX Runtime run)',
  "  --prompt-format     the prompt the model expects (default llemma-fewshot, the Llemma paper's)",
  '  --check-ep          where the folder runs for the check against PyTorch (default auto)',
  "  --no-check          skip comparing logits with the checkpoint's PyTorch forward pass",
  '  --sample            Lean text on which a converted tokenizer.model must tokenize as tokenizer.json does',
].join('\n');

const positiveInt = (flag: string, text: string | undefined): number => {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive integer`);
  return n;
};

export function parseConvertArgs(argv: readonly string[]): ConvertOptions {
  const args = [...argv];
  const positional: string[] = [];
  const options: Omit<ConvertOptions, 'checkpoint' | 'out'> = {
    dtype: 'fp16',
    generationGraph: false,
    promptFormat: 'llemma-fewshot',
    blockSize: 32,
    accuracyLevel: 4,
    check: true,
    checkProviders: 'auto',
    checkTokens: 96,
  };
  while (args.length > 0) {
    const raw = args.shift() as string;
    const [flag, inline] = raw.startsWith('--') && raw.includes('=') ? raw.split(/=(.*)/s) : [raw, undefined];
    const value = () => inline ?? args.shift();
    switch (flag) {
      case '--dtype': {
        const v = value();
        if (!(convertDtypes as readonly string[]).includes(v ?? '')) {
          throw new UsageError(`--dtype must be one of ${convertDtypes.join(', ')}`);
        }
        options.dtype = v as ConvertDtype;
        break;
      }
      case '--generation-graph':
        options.generationGraph = true;
        break;
      case '--prompt-format': {
        const v = value();
        if (!promptFormatNames.includes(v ?? '')) {
          throw new UsageError(`--prompt-format must be one of ${promptFormatNames.join(', ')}`);
        }
        options.promptFormat = v as string;
        break;
      }
      case '--context-length':
        options.contextLength = positiveInt(flag, value());
        break;
      case '--block-size': {
        const n = positiveInt(flag, value());
        if (n < 16 || (n & (n - 1)) !== 0) throw new UsageError('--block-size must be a power of two >= 16');
        options.blockSize = n;
        break;
      }
      case '--accuracy-level': {
        const n = Number(value());
        if (![0, 1, 2, 3, 4].includes(n)) throw new UsageError('--accuracy-level must be 0, 1, 2, 3 or 4');
        options.accuracyLevel = n;
        break;
      }
      case '--check-ep': {
        const { providers, unknown } = readExecutionProviders(value() ?? '');
        if (unknown.length > 0 || (providers !== 'auto' && providers.length === 0)) {
          throw new UsageError(`--check-ep: unknown provider ${unknown.join(', ') || '(none)'}`);
        }
        options.checkProviders = providers;
        break;
      }
      case '--check-tokens':
        options.checkTokens = Math.max(2, positiveInt(flag, value()));
        break;
      case '--no-check':
        options.check = false;
        break;
      case '--sample': {
        const v = value();
        if (!v) throw new UsageError('--sample needs a file or folder');
        options.sample = v;
        break;
      }
      default:
        if (raw.startsWith('-')) throw new UsageError(`unknown option ${raw}`);
        positional.push(raw);
    }
  }
  if (positional.length !== 2) {
    throw new UsageError('convert needs a checkpoint folder and a model folder');
  }
  const [checkpoint, out] = positional as [string, string];
  return { checkpoint, out, ...options };
}

// Loads and validates a model folder (docs/model-format.md): config.json, tokenizer.json, model.onnx. Every
// failure is a ModelFolderError that names the folder, the file and each problem, so a user converting their
// own model learns exactly what to fix.

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { type ModelConfig, parseModelConfig } from './config';
import { createSession, type ExecutionProviderName, type SessionOptions } from './executionProviders';
import { checkDecoderIo, type DecoderIo } from './ioSpec';
import { type Decoder, type KvCache, OnnxDecoder } from './onnxDecoder';
import { TextTokenizer } from './tokenizer';

export const requiredFiles = ['config.json', 'tokenizer.json', 'model.onnx'] as const;
export type ModelFile = (typeof requiredFiles)[number];

export class ModelFolderError extends Error {
  constructor(
    readonly folder: string,
    /** The file at fault, or null when the folder itself is (e.g. it does not exist). */
    readonly file: ModelFile | null,
    readonly problems: readonly string[],
  ) {
    const where = file ? `${file}: ` : '';
    super(`model folder ${folder} is not usable:\n${problems.map((p) => `  ${where}${p}`).join('\n')}`);
    this.name = 'ModelFolderError';
  }
}

export interface LoadedModel {
  folder: string;
  config: ModelConfig;
  tokenizer: TextTokenizer;
  decoder: Decoder<KvCache>;
  /** The session on model.onnx and its checked I/O (the decoder's; generation.onnx's rescoring shares them). */
  session: InferenceSession;
  io: DecoderIo;
  /** The execution provider the session runs on. */
  provider: ExecutionProviderName;
  /** Providers tried before it and why they could not be used. */
  skippedProviders: string[];
  release(): Promise<void>;
}

async function readText(folder: string, file: ModelFile): Promise<string> {
  try {
    return await readFile(join(folder, file), 'utf8');
  } catch (err) {
    throw new ModelFolderError(folder, file, [`cannot be read: ${(err as Error).message}`]);
  }
}

async function checkFiles(folder: string): Promise<void> {
  const info = await stat(folder).catch(() => null);
  if (!info) throw new ModelFolderError(folder, null, ['the folder does not exist']);
  if (!info.isDirectory()) throw new ModelFolderError(folder, null, ['this is a file, not a folder']);
  const problems: string[] = [];
  for (const file of requiredFiles) {
    const s = await stat(join(folder, file)).catch(() => null);
    if (!s) problems.push(`${file} is missing`);
    else if (!s.isFile()) problems.push(`${file} is not a file`);
    else if (s.size === 0) problems.push(`${file} is empty`);
  }
  if (problems.length > 0) throw new ModelFolderError(folder, null, problems);
}

function loadTokenizer(folder: string, text: string, config: ModelConfig): TextTokenizer {
  let tokenizer: TextTokenizer;
  try {
    tokenizer = TextTokenizer.fromJson(JSON.parse(text));
  } catch (err) {
    throw new ModelFolderError(folder, 'tokenizer.json', [
      `not a Hugging Face tokenizer file: ${(err as Error).message}`,
    ]);
  }
  if (tokenizer.size > config.vocabSize) {
    throw new ModelFolderError(folder, 'tokenizer.json', [
      `has token ids up to ${tokenizer.size - 1} but config.json says vocab_size = ${config.vocabSize}`,
    ]);
  }
  return tokenizer;
}

/** A one-token prompt and one more step: catches graphs whose declared I/O is right but that fail to run. */
async function smokeTest(decoder: OnnxDecoder, config: ModelConfig): Promise<void> {
  const first = await decoder.prefill([[config.bosTokenId ?? 0]]);
  const second = await decoder.step(first.cache, [config.eosTokenIds[0] ?? 0]);
  const logits = second.logits[0];
  if (!logits || logits.length !== config.vocabSize || logits.some((v) => Number.isNaN(v))) {
    throw new Error('the logits of a test run are not vocab_size finite numbers');
  }
}

/**
 * Reads and checks a model folder, then creates the ONNX Runtime session and test-runs it. Throws
 * ModelFolderError for any problem with the folder's contents; nothing is left open when it throws.
 */
export async function loadModelFolder(folderPath: string, options: SessionOptions = {}): Promise<LoadedModel> {
  const folder = resolve(folderPath);
  await checkFiles(folder);
  let config: ModelConfig;
  try {
    config = parseModelConfig(await readText(folder, 'config.json'));
  } catch (err) {
    if (err instanceof ModelFolderError) throw err;
    throw new ModelFolderError(folder, 'config.json', (err as Error).message.split('\n'));
  }
  const tokenizer = loadTokenizer(folder, await readText(folder, 'tokenizer.json'), config);

  let session: InferenceSession;
  let provider: ExecutionProviderName;
  let skippedProviders: string[];
  try {
    ({ session, provider, skipped: skippedProviders } = await createSession(join(folder, 'model.onnx'), options));
  } catch (err) {
    throw new ModelFolderError(folder, 'model.onnx', [`ONNX Runtime cannot load it: ${(err as Error).message}`]);
  }
  try {
    const io = checkDecoderIo(session.inputMetadata, session.outputMetadata, config);
    const decoder = new OnnxDecoder(session, io);
    await smokeTest(decoder, config).catch((err: Error) => {
      throw new Error(`a test run failed: ${err.message}`);
    });
    return {
      folder,
      config,
      tokenizer,
      decoder,
      session,
      io,
      provider,
      skippedProviders,
      release: () => session.release(),
    };
  } catch (err) {
    await session.release();
    throw new ModelFolderError(folder, 'model.onnx', (err as Error).message.split('\n'));
  }
}

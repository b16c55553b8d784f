// One entry point from a user's model setting (`--model`, `llemma.model.path`) to a TacticGenerator: a model folder
// runs locally in a worker thread, an http(s) URL is an OpenAI-compatible completions server. Nothing is loaded or
// contacted here; both generators start work on their first request.

import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionOptions } from './executionProviders';
import type { GenerationGraphMode } from './modelChoices';
import { type BeamSearchMode, OpenAICompletionsGenerator, type OpenAIModelInfo } from './openaiBackend';
import type { ModelInfo } from './types';
import { WorkerGenerator } from './workerGenerator';

export interface CreateGeneratorOptions {
  /**
   * Base of a relative folder path; default `process.cwd()`. `null`: there is none, and a relative folder path is
   * refused (a setting, where the server's working folder means nothing to the user).
   */
  cwd?: string | null;
  /** Model folder only: ONNX Runtime session options. */
  sessionOptions?: SessionOptions;
  /** Model folder only: when beam search runs in generation.onnx (LocalGenerator.load); default "auto". */
  generationGraph?: GenerationGraphMode;
  /** Model folder only: the worker script (WorkerGeneratorOptions.workerFile). */
  workerFile?: string;
  /** URL only: sent as a bearer token. */
  apiKey?: string;
  /** URL only: milliseconds per HTTP request. */
  timeoutMs?: number;
  /** URL only: see BeamSearchMode. */
  beamSearch?: BeamSearchMode;
  /** URL only: extra fields of every completions request. */
  extraBody?: Record<string, unknown>;
  /** URL only: the prompt format of the served model; the URL's `#prompt_format=` wins. */
  promptFormat?: string;
}

/** A generator made from a model spec; tell them apart with `instanceof`. */
export type ModelGenerator = WorkerGenerator | OpenAICompletionsGenerator;
/** What `ModelGenerator.info()` resolves to: a local model's ModelInfo, or an HTTP backend's (`backend: 'openai'`). */
export type GeneratorInfo = ModelInfo | OpenAIModelInfo;

export type ModelSpec =
  | { kind: 'folder'; folder: string }
  | { kind: 'url'; baseUrl: string; model?: string; promptFormat?: string };

/** A model spec that names neither a usable folder nor an http(s) URL. */
export class ModelSpecError extends Error {
  override readonly name = 'ModelSpecError';
  constructor(
    readonly spec: string,
    message: string,
    /** `relativeFolder`: a relative folder path where there is no folder to read it from (`cwd: null`). */
    readonly kind: 'relativeFolder' | 'invalid' = 'invalid',
  ) {
    super(message);
  }
}

const specHelp =
  'a model is a folder with config.json, tokenizer.json and model.onnx (docs/model-format.md), ' +
  'or the http(s) URL of an OpenAI-compatible completions server, e.g. http://127.0.0.1:8000/v1#model=llemma_7b';

const fragmentKeys = ['model', 'prompt_format'];

/**
 * Reads a model spec: `http://` / `https://` URL (optionally `#model=<name>&prompt_format=<name>`; a URL without a
 * path means `<url>/v1`), a `file:` URL, or a folder path (relative to `cwd`, `~/` is the home folder), which must
 * exist and be a folder. With `cwd` null a relative folder path is refused. Throws ModelSpecError with a message for
 * the user.
 */
export function parseModelSpec(spec: string, cwd: string | null = process.cwd()): ModelSpec {
  const trimmed = typeof spec === 'string' ? spec.trim() : '';
  if (trimmed === '') throw new ModelSpecError(String(spec), `no model given: ${specHelp}`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return parseUrlSpec(trimmed);
  if (scheme !== undefined && scheme !== 'file') {
    throw new ModelSpecError(trimmed, `unsupported model URL scheme "${scheme}:" in ${trimmed}: ${specHelp}`);
  }
  let folder: string;
  if (scheme === 'file') {
    try {
      folder = fileURLToPath(trimmed);
    } catch (err) {
      throw new ModelSpecError(trimmed, `${trimmed} is not a usable file URL (${(err as Error).message})`);
    }
  } else if (trimmed === '~' || trimmed.startsWith('~/')) {
    folder = join(homedir(), trimmed.slice(1));
  } else if (isAbsolute(trimmed)) {
    folder = resolve(trimmed);
  } else if (cwd !== null) {
    folder = resolve(cwd, trimmed);
  } else {
    throw new ModelSpecError(
      trimmed,
      `${trimmed} is a relative folder path: give an absolute folder path or an http(s) URL`,
      'relativeFolder',
    );
  }
  let isDirectory: boolean;
  try {
    isDirectory = statSync(folder).isDirectory();
  } catch {
    throw new ModelSpecError(trimmed, `the model folder ${folder} does not exist: ${specHelp}`);
  }
  if (!isDirectory) {
    throw new ModelSpecError(
      trimmed,
      `${folder} is a file, not a model folder; give the folder that holds config.json, tokenizer.json and model.onnx`,
    );
  }
  return { kind: 'folder', folder };
}

function parseUrlSpec(spec: string): ModelSpec {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new ModelSpecError(spec, `${spec} is not a valid URL: ${specHelp}`);
  }
  if (url.username || url.password) {
    throw new ModelSpecError(
      spec,
      `the model URL must not contain a user name or password; pass the API key as apiKey`,
    );
  }
  if (url.search) {
    throw new ModelSpecError(spec, `the model URL must not have a query string (${url.search}); use #model=<name>`);
  }
  const params = new URLSearchParams(url.hash.replace(/^#/, ''));
  const unknown = [...params.keys()].filter((k) => !fragmentKeys.includes(k));
  if (unknown.length > 0) {
    throw new ModelSpecError(
      spec,
      `unknown key ${unknown.map((k) => `"${k}"`).join(', ')} after # in ${spec}; known: ${fragmentKeys.join(', ')}`,
    );
  }
  const model = params.get('model') ?? undefined;
  const promptFormat = params.get('prompt_format') ?? undefined;
  if (model === '' || promptFormat === '') throw new ModelSpecError(spec, `an empty value after # in ${spec}`);
  url.hash = '';
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  const baseUrl = url.toString().replace(/\/+$/, '');
  return { kind: 'url', baseUrl, ...(model !== undefined ? { model } : {}), ...(promptFormat ? { promptFormat } : {}) };
}

/** The generator for a model spec (parseModelSpec). Nothing is loaded or contacted until the first request. */
export function createGenerator(spec: string, options: CreateGeneratorOptions = {}): ModelGenerator {
  const parsed = parseModelSpec(spec, options.cwd);
  if (parsed.kind === 'folder') {
    return new WorkerGenerator({
      folder: parsed.folder,
      ...(options.sessionOptions ? { sessionOptions: options.sessionOptions } : {}),
      ...(options.generationGraph ? { generationGraph: options.generationGraph } : {}),
      ...(options.workerFile ? { workerFile: options.workerFile } : {}),
    });
  }
  try {
    return new OpenAICompletionsGenerator({
      baseUrl: parsed.baseUrl,
      model: parsed.model,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs,
      beamSearch: options.beamSearch,
      extraBody: options.extraBody,
      promptFormat: parsed.promptFormat ?? options.promptFormat,
    });
  } catch (err) {
    throw new ModelSpecError(spec, `${spec}: ${(err as Error).message}`);
  }
}

// Messages between WorkerGenerator (the caller's thread) and worker.ts (the model's thread). Everything crossing
// is structured-cloneable plain data; errors travel as SerializedError and are rebuilt on the caller's side.

import type { SessionOptions } from './executionProviders';
import type { GenerationGraphMode } from './modelChoices';
import { type ModelFile, ModelFolderError } from './modelFolder';
import type { Candidate, GenerateOptions, ModelInfo } from './types';

export interface WorkerConfig {
  folder: string;
  sessionOptions: SessionOptions;
  generationGraph: GenerationGraphMode;
}

export type HostMessage =
  | { type: 'generate'; id: number; prompt: string; opts: Omit<GenerateOptions, 'signal'> }
  | { type: 'generateBatch'; id: number; prompts: string[]; opts: Omit<GenerateOptions, 'signal'> }
  | { type: 'info'; id: number }
  | { type: 'cancel'; id: number };

export type WorkerMessage =
  | { type: 'result'; id: number; candidates: Candidate[] }
  | { type: 'batchResult'; id: number; candidates: Candidate[][] }
  | { type: 'info'; id: number; info: ModelInfo }
  | { type: 'error'; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  folder?: string;
  file?: ModelFile | null;
  problems?: readonly string[];
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof ModelFolderError) {
    return { name: err.name, message: err.message, folder: err.folder, file: err.file, problems: err.problems };
  }
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** Rebuilds an error with the class callers test for (ModelFolderError, RangeError) and the same name. */
export function deserializeError(e: SerializedError): Error {
  if (e.name === 'ModelFolderError' && e.folder !== undefined && e.problems) {
    return new ModelFolderError(e.folder, e.file ?? null, e.problems);
  }
  const err = e.name === 'RangeError' ? new RangeError(e.message) : new Error(e.message);
  err.name = e.name;
  return err;
}

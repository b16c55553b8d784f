// Entry point of an analysis worker: workers do not inherit the main thread's TypeScript loader when it was
// registered at run time (as bin/llemma-train.mjs does), so each one loads the TypeScript module through tsx itself.
import { tsImport } from 'tsx/esm/api';

await tsImport('./analyzeWorker.ts', import.meta.url);

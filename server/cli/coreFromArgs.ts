/**
 * The one way a CLI command gets its LlemmaCore: the default settings with the command's flags on top, the REPL from
 * `--repl` (else `LLEMMA_REPL`), the Isabelle executable and session from `--isabelle` and `--isabelle-session`
 * (and Sledgehammer from `--sledgehammer`, `--sledgehammer-time`), the model from `--model` (else `LLEMMA_MODEL`, else the embedded one) with a relative
 * folder read from the working folder, the execution providers of `--ep` and the candidate sources of `--sources`.
 */
import { defaultSettings, type LlemmaSettings } from '../../protocol';
import { LlemmaCore } from '../core';
import { environmentOverrides } from '../environment';
import type { CoreArgs } from './args';
import { cliMessage } from './output';

export function coreFromArgs(
  args: Partial<CoreArgs> & Pick<CoreArgs, 'verbose'>,
  environment = environmentOverrides(),
): LlemmaCore {
  const settings: LlemmaSettings = {
    ...defaultSettings,
    // One limit for every REPL request: a goal, an import, and each candidate tactic.
    ...(args.timeoutMs
      ? {
          'lean.requestTimeoutMs': args.timeoutMs,
          'lean.importTimeoutMs': args.timeoutMs,
          'lean.tacticTimeoutMs': args.timeoutMs,
        }
      : {}),
    ...(args.generationGraph ? { 'model.generationGraph': args.generationGraph } : {}),
    ...(args.sources ? { 'model.sources': args.sources } : {}),
    ...(args.allowNativeDecide ? { 'search.allowNativeDecide': true } : {}),
    ...(args.processes ? { 'lean.checkProcesses': args.processes } : {}),
    ...(args.isabelle ? { 'isabelle.path': args.isabelle } : {}),
    ...(args.isabelleSession ? { 'isabelle.session': args.isabelleSession } : {}),
    ...(args.sledgehammer ? { 'isabelle.sledgehammer': true } : {}),
    ...(args.sledgehammerSeconds ? { 'isabelle.sledgehammerSeconds': args.sledgehammerSeconds } : {}),
  };
  const model = args.model ?? environment.model;
  const repl = args.repl ?? environment.repl;
  return new LlemmaCore({
    settings,
    ...(repl !== undefined ? { replOverride: repl } : {}),
    model: {
      ...(model !== undefined ? { spec: model, cwd: process.cwd() } : {}),
      ...(args.ep ? { executionProviders: args.ep } : {}),
    },
    ...(args.verbose ? { log: (line: string) => process.stderr.write(`${cliMessage(line)}\n`) } : {}),
  });
}

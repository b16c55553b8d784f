/**
 * `llemma prove <file.lean|file.thy>[:<theorem>]`: the language server's proof search, headless. Each declaration
 * with a `sorry` (or the one named) is searched from its first `sorry` a search can start from (the rule of the
 * editor's "Complete Proof" lenses: in Lean a `sorry` alone at the start of its line in a tactic proof, or right after
 * the proof's `by`; in an Isabelle theory any `sorry` in a statement's proof); a declaration without one is reported
 * as not proved, saying why. A proof is printed only after the prover re-checked it (Lean the whole declaration,
 * Isabelle the theory up to the statement). The file is never written. Exit code 0 when every target was proved, 1
 * otherwise.
 */
import { statementSorries } from '@llemma/prover-text/isabelle';
import type { ProveTheoremResult } from '../../protocol';
import { declarationSorries, isIsabelleTheory } from '../core';
import { toLlemmaError } from '../errors';
import type { ProveArgs } from './args';
import { coreFromArgs } from './coreFromArgs';
import { cliMessage, modelLine, printError, printJson, printText } from './output';
import { readSourceFile } from './sourceFile';

type Outcome = { declaration: string; line: number; result?: ProveTheoremResult; error?: string };

export async function runProve(args: ProveArgs, signal: AbortSignal): Promise<number> {
  const { path: file, text } = await readSourceFile(args.file);
  const sorries = isIsabelleTheory(file) ? statementSorries(text) : declarationSorries(text);
  const targets = sorries.filter((s) => args.theorem === undefined || s.declaration === args.theorem);
  if (targets.length === 0) {
    const what = args.theorem ? `no declaration \`${args.theorem}\` with a \`sorry\`` : 'no `sorry`';
    printError(`${args.file} has ${what}: nothing to prove.`);
    if (args.json) printJson({ file: args.file, results: [] });
    return 1;
  }
  const core = coreFromArgs(args);
  const budget = {
    ...(args.candidates ? { candidatesPerExpansion: args.candidates } : {}),
    ...(args.expansions ? { maxExpansions: args.expansions } : {}),
    ...(args.timeSeconds ? { timeLimitMs: args.timeSeconds * 1000 } : {}),
  };
  const outcomes: Outcome[] = [];
  try {
    for (const target of targets) {
      if (signal.aborted) break;
      const start = target.sites[0];
      const outcome: Outcome = { declaration: target.declaration, line: (start ?? target.first).line + 1 };
      if (!start) {
        outcome.error = unsearchable;
        outcomes.push(outcome);
        if (!args.json) printText(render(args.file, outcome));
        continue;
      }
      try {
        outcome.result = await core.proveTheorem(file, text, start, {
          budget,
          signal,
          ...(args.verbose
            ? { onProgress: (p) => process.stderr.write(`  ${p.expansions} expansions, ${p.openNodes} open\n`) }
            : {}),
        });
      } catch (err) {
        outcome.error = cliMessage(toLlemmaError(err).message);
      }
      outcomes.push(outcome);
      if (!args.json) printText(render(args.file, outcome));
    }
  } finally {
    await core.dispose();
  }
  if (args.json) printJson({ file: args.file, results: outcomes });
  const proved = outcomes.filter((o) => o.result?.outcome === 'proved').length;
  if (!args.json) printText(`\n${proved} of ${targets.length} proved\n`);
  return proved === targets.length ? 0 : 1;
}

const unsearchable =
  'no `sorry` here that a proof search can start from: a search starts at a `sorry` alone at the start of its line in ' +
  "a tactic proof, or right after the proof's `by` (`:= by sorry`); from a `sorry` inside a tactic it would replace " +
  'the whole tactic. Put the `sorry` on a line of its own.';

function render(file: string, o: Outcome): string {
  const head = `${file}:${o.line} ${o.declaration}: `;
  if (o.error !== undefined) return `${head}error: ${o.error}\n`;
  const r = o.result!;
  const s = r.stats;
  const prover = r.prover.prover === 'isabelle' ? 'Isabelle' : 'Lean';
  const processes = r.prover.checkProcesses ?? 1;
  const lines = [
    r.outcome === 'proved'
      ? `${head}proved, re-checked by ${r.prover.prover} via \`${r.prover.replCommand}\` (axioms: ${r.axioms.join(', ') || 'none'})`
      : head + r.outcome,
    ...(r.outcome === 'proved' ? r.tactics.map((t) => `    ${t.replace(/\n/g, '\n    ')}`) : []),
    // Where each tactic came from, in the proof's order (a line of its own, so the proof above stays copyable).
    ...(r.outcome === 'proved'
      ? [`  sources: ${r.tactics.map((_, i) => (r.tacticSources[i] ?? []).join('+') || '?').join(', ')}`]
      : []),
    `  ${s.expansions} expansions, ${s.tacticsRun} tactics run, ${s.visitedStates} states, ${s.forbidden} forbidden, ` +
      `${(s.elapsedMs / 1000).toFixed(1)} s (model ${(s.modelMs / 1000).toFixed(1)} s, ${prover} ${(s.proverMs / 1000).toFixed(1)} s)`,
    `  budget ${r.budget.candidatesPerExpansion} candidates × ${r.budget.maxExpansions} expansions, ` +
      `${r.budget.timeLimitMs / 1000} s, native_decide ${r.budget.allowNativeDecide ? 'allowed' : 'off'}`,
    `  model ${modelLine(r.model)}${r.model.provider === 'none' ? '' : ` (${r.model.promptFormat})`} · sources ${(r.model.sources ?? []).join(', ') || 'none'}${r.model.skippedSources?.length ? ` (not used: ${r.model.skippedSources.join('; ')})` : ''} · ${prover} ${r.prover.toolchain ?? 'unknown toolchain'} via ${r.prover.replCommand}` +
      (r.prover.prover === 'isabelle' ? '' : ` (${processes} process${processes === 1 ? '' : 'es'})`),
  ];
  return `${lines.join('\n')}\n`;
}

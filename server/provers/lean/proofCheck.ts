/**
 * The soundness gate: a proof counts only when Lean, in command mode, elaborates the whole declaration with the proof
 * written in — exactly the text the document will hold — with no error, no `sorry`, and `#print axioms` naming
 * neither `sorryAx` nor (unless allowed) the compiler-trusting axioms of `native_decide`. Tactic-mode answers are
 * never enough on their own: the REPL's tactic mode does not re-check the finished term in the kernel.
 */

import { chainOf } from './proofSession';
import type { LeanRepl, RequestOptions } from './repl/replApi';
import type { CommandResponse } from './repl/replSchema';
import type { GoalPlan } from './source/goalProbe';

export type ProofCheck =
  /**
   * `otherSorries`: `sorry`s the user's own text around the proof still holds (a proof of a `have` in a larger
   * proof). Then the proof itself is checked — no error anywhere, no `sorry` inside it — but the declaration as a
   * whole is not finished, and its axioms include `sorryAx` because of the user's text.
   */
  { ok: true; axioms: string[]; otherSorries: number } | { ok: false; reason: string };

/** The text that replaces `plan.completion`'s range: the tactics at the proof's indentation, one per line. */
export function proofText(plan: GoalPlan, tactics: readonly string[]): string {
  const pad = ' '.repeat(plan.completion.indent);
  // A multi-line tactic keeps its lines' indentation relative to its first line.
  const lines = tactics.flatMap((t) => t.split('\n').map((line) => pad + line));
  return (plan.completion.byLine ? '\n' : '') + lines.join('\n');
}

/** Axioms a checked proof may not depend on (`native_decide`'s are allowed by a setting). */
const compilerAxioms = ['Lean.ofReduceBool', 'Lean.ofReduceNat', 'Lean.trustCompiler'];

export async function checkProof(
  repl: LeanRepl,
  plan: GoalPlan,
  tactics: readonly string[],
  options: { allowNativeDecide: boolean; signal?: AbortSignal },
): Promise<ProofCheck> {
  const opts: RequestOptions = options.signal ? { signal: options.signal } : {};
  // An `example` has no name to print the axioms of; it is checked under one, as a theorem with the same statement.
  const name = plan.declName === 'example' ? 'llemma_checked_example' : plan.declName;
  const { prefix, suffix } = plan.completion;
  const proof = proofText(plan, tactics);
  let decl = prefix + proof + suffix;
  if (plan.declName === 'example') decl = decl.replace(/\bexample\b/, `theorem ${name}`);
  const { response, generation } = await repl.commandIn(chainOf(plan), decl, opts);
  const errors = (response.messages ?? []).filter((m) => m.severity === 'error');
  if (errors.length > 0) {
    return { ok: false, reason: `Lean rejects the declaration: ${errors.map((m) => m.data).join('\n')}` };
  }
  // Lines of `decl` (1-based, as Lean reports them) that hold the proof.
  const firstLine = prefix.split('\n').length;
  const lastLine = firstLine + proof.split('\n').length - 1;
  const sorries = response.sorries ?? [];
  if (sorries.some((s) => s.pos !== undefined && s.pos.line >= firstLine && s.pos.line <= lastLine)) {
    return { ok: false, reason: 'The proof contains `sorry`.' };
  }
  const otherSorries = sorries.length;
  if (otherSorries === 0 && (response.messages ?? []).some((m) => /declaration uses [`']sorry[`']/.test(m.data))) {
    return { ok: false, reason: 'Lean reports that the declaration uses `sorry`.' };
  }
  const printed = await repl.command(`#print axioms ${name}`, response.env, { ...opts, generation });
  const axioms = axiomsOf(printed, name);
  if ('reason' in axioms) return { ok: false, reason: axioms.reason };
  if (axioms.list.includes('sorryAx') && otherSorries === 0) {
    return { ok: false, reason: 'The proof depends on `sorryAx`.' };
  }
  const compiler = axioms.list.filter((a) => compilerAxioms.includes(a));
  if (compiler.length > 0 && !options.allowNativeDecide) {
    return {
      ok: false,
      reason: `The proof trusts the compiler (${compiler.join(', ')}); native_decide is not allowed.`,
    };
  }
  return { ok: true, axioms: axioms.list, otherSorries };
}

/** Reads `'foo' depends on axioms: [propext, Quot.sound]` or `'foo' does not depend on any axioms`. */
export function axiomsOf(r: CommandResponse, name: string): { list: string[] } | { reason: string } {
  const messages = r.messages ?? [];
  const error = messages.find((m) => m.severity === 'error');
  if (error) return { reason: `#print axioms ${name} failed: ${error.data}` };
  for (const m of messages) {
    if (/does not depend on any axioms/.test(m.data)) return { list: [] };
    const match = /depends on axioms:\s*\[([^\]]*)\]/.exec(m.data);
    if (match) {
      return {
        list: (match[1] ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== ''),
      };
    }
  }
  return { reason: `#print axioms ${name} gave no axiom list.` };
}

/**
 * The soundness gate: a proof counts only when Lean, in command mode, elaborates the whole declaration with the proof
 * written in — exactly the text the document will hold — with no error, no `sorry`, and `#print axioms` naming
 * neither `sorryAx` nor (unless allowed) the compiler-trusting axioms of `native_decide`. Tactic-mode answers are
 * never enough on their own: the REPL's tactic mode does not re-check the finished term in the kernel.
 *
 * The rules hold whatever else the declaration holds: the user's own `sorry`s around the proof are written as holes
 * that are not `sorryAx` (`fillHoles`), so a `sorry` that is left can only be the proof's, or that of a fact the
 * proof rests on.
 */
import { randomBytes } from 'node:crypto';
import { fillHoles, type GoalPlan, holeCommand, isHoleAxiom, proofText } from '@llemma/prover-text/lean';
import { chainOf } from './proofSession';
import type { LeanRepl, RequestOptions } from './repl/replApi';
import type { CommandResponse } from './repl/replSchema';

export type ProofCheck =
  /**
   * `otherSorries`: `sorry`s (and `admit`s) the user's own text around the proof still holds (a proof of a `have` in
   * a larger proof). The proof is checked as strictly as without them, but the declaration as a whole is not
   * finished: `axioms` then includes `sorryAx`, as `#print axioms` will say of the document's declaration.
   */
  { ok: true; axioms: string[]; otherSorries: number } | { ok: false; reason: string };

/**
 * The hole's nonce, drawn once per server process. The model never sees a re-check's text, so a name fresh for each
 * check would be no harder to guess; one per process keeps the hole's environment cached beside the file's header
 * instead of adding a chain per check (which the REPL client would also rebuild after every restart).
 */
const holeNonce = randomBytes(8).toString('hex');

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
  const filled = fillHoles(
    prefix + proof + suffix,
    { from: prefix.length, to: prefix.length + proof.length },
    holeNonce,
  );
  const otherSorries = filled.holes;
  let decl = filled.text;
  if (plan.declName === 'example') decl = decl.replace(/\bexample\b/, `theorem ${name}`);
  // Without holes the chain is the file's own, as the search used it; with them, the hole is declared after it.
  const chain = otherSorries === 0 ? chainOf(plan) : [...chainOf(plan), holeCommand(holeNonce)];
  const { response, generation } = await repl.commandIn(chain, decl, opts);
  const errors = (response.messages ?? []).filter((m) => m.severity === 'error');
  if (errors.length > 0) {
    return { ok: false, reason: `Lean rejects the declaration: ${errors.map((m) => m.data).join('\n')}` };
  }
  // Lines of `decl` (1-based, as Lean reports them) that hold the proof; filling holes moves no line.
  const firstLine = prefix.split('\n').length;
  const lastLine = firstLine + proof.split('\n').length - 1;
  const sorries = response.sorries ?? [];
  if (sorries.some((s) => s.pos !== undefined && s.pos.line >= firstLine && s.pos.line <= lastLine)) {
    return { ok: false, reason: 'The proof contains `sorry`.' };
  }
  if (sorries.length > 0) {
    // Not a `sorry` or `admit` of the file's text (those are holes now): a tactic such as `stop` that admits goals.
    return { ok: false, reason: 'Lean reports a `sorry` outside the proof that is not written as `sorry` or `admit`.' };
  }
  if ((response.messages ?? []).some((m) => /declaration uses [`']sorry[`']/.test(m.data))) {
    return { ok: false, reason: 'Lean reports that the declaration uses `sorry`.' };
  }
  const printed = await repl.command(`#print axioms ${name}`, response.env, { ...opts, generation });
  const axioms = axiomsOf(printed, name);
  if ('reason' in axioms) return { ok: false, reason: axioms.reason };
  if (axioms.list.includes('sorryAx')) {
    return {
      ok: false,
      reason: 'The proof depends on `sorryAx`: it, or a fact it uses, is proved by `sorry` or by a tactic that admits.',
    };
  }
  const compiler = axioms.list.filter((a) => compilerAxioms.includes(a));
  if (compiler.length > 0 && !options.allowNativeDecide) {
    return {
      ok: false,
      reason: `The proof trusts the compiler (${compiler.join(', ')}); native_decide is not allowed.`,
    };
  }
  // Reported as the document's declaration will depend on them: through the user's own `sorry`s, on `sorryAx`.
  const own = axioms.list.filter((a) => !isHoleAxiom(a, holeNonce));
  return { ok: true, axioms: own.length < axioms.list.length ? [...own, 'sorryAx'] : own, otherSorries };
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

/**
 * The proof so far as the `proof-prefix` prompt shows it (model/src/prompts.ts): the statement from its keyword to
 * before `:=`, and the tactics written before the cursor's line, comments removed, dedented to the proof's block.
 * The training workspace renders its examples the same way (training/src/data/tacticProofs.ts), so a model trained
 * there is served the text it was trained on.
 */
import type { GoalPlan } from './goalProbe';
import { COMMENT, scanLean } from './leanScanner';

export interface ProofContextText {
  theorem: string;
  tactics: string[];
}

export function proofContextOf(plan: GoalPlan): ProofContextText {
  const text = plan.completion.prefix;
  const mask = scanLean(text);
  let code = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (mask[i] !== COMMENT || c === '\n') code += c;
  }
  const keyword = new RegExp(`(^|[\\s\\]])${plan.declKeyword}(?=\\s)`).exec(code);
  const from = keyword ? keyword.index + keyword[1]!.length : 0;
  const assign = /:=\s*by\b/.exec(code.slice(from));
  if (!assign) return { theorem: code.slice(from).trim(), tactics: [] };
  const theorem = code
    .slice(from, from + assign.index)
    .replace(/[ \t]+$/gm, '')
    .trim();
  const body = code.slice(from + assign.index + assign[0].length).split('\n');
  const onByLine = (body.shift() ?? '').trim();
  const lines = body.filter((l) => l.trim() !== '');
  const base = lines.length > 0 ? lines[0]!.length - lines[0]!.trimStart().length : 0;
  const dedented = lines.map((l) => l.slice(Math.min(base, l.length - l.trimStart().length)).trimEnd());
  return { theorem, tactics: onByLine ? [onByLine, ...dedented] : dedented };
}

/**
 * The screen between model output and Isabelle: a candidate reaches the server only if it is one proof step of an
 * allowed form (`apply`, `by`, `using … by`, `unfolding … by`, `done`) on one line, with balanced brackets and
 * quotes, and none of the words that run ML, change the theory or give up a proof, anywhere in it (inside strings and
 * cartouches too: a cartouche is ML's text under an ML method). Untrusted text is also bounded.
 */
import { theoryLevelKeywords, unfinishedProofKeywords } from '@llemma/prover-text/isabelle';

export type ScreenedStep = { ok: true; step: string } | { ok: false; reason: string };

/** The longest step sent; a real one is a line. */
const maxStepChars = 500;
const firstWords = new Set(['apply', 'by', 'using', 'unfolding', 'done']);
/** Methods and commands that run ML or reach the system, and diagnostics that print instead of proving. */
const forbiddenWords = new Set<string>([
  ...theoryLevelKeywords,
  ...unfinishedProofKeywords,
  'ML',
  'ML_val',
  'ML_prf',
  'ML_command',
  'tactic',
  'raw_tactic',
  'method_setup',
  'oracle',
  'export_code',
  'code_reflect',
  'print_state',
  'sledgehammer',
  'nitpick',
  'quickcheck',
  'try',
  'try0',
  'skip_proof',
  'cheat_tac',
]);

export function screenStep(raw: string): ScreenedStep {
  const step = raw.trim();
  if (step === '') return { ok: false, reason: 'empty' };
  if (step.length > maxStepChars) return { ok: false, reason: `longer than ${maxStepChars} characters` };
  if (/[\n\r]/.test(step)) return { ok: false, reason: 'more than one line' };
  if (/[\p{Cc}\p{Cf}]/u.test(step))
    return { ok: false, reason: 'a control or format character (bidirectional, zero-width)' };
  const first = /^[A-Za-z_]+/.exec(step)?.[0] ?? '';
  if (!firstWords.has(first))
    return { ok: false, reason: `\`${first || step.slice(0, 10)}\` is not a proof step this screen admits` };
  if (first === 'using' || first === 'unfolding') {
    if (!/\sby\s/.test(step)) return { ok: false, reason: '`using`/`unfolding` without a `by`' };
  }
  for (const w of step.match(/[A-Za-z_][A-Za-z0-9_']*/g) ?? []) {
    if (forbiddenWords.has(w)) return { ok: false, reason: `\`${w}\` is not allowed in a step` };
  }
  if (step.includes('@{')) return { ok: false, reason: 'an antiquotation' };
  if (!balanced(step)) return { ok: false, reason: 'unbalanced brackets or quotes' };
  return { ok: true, step };
}

function balanced(step: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let quoted = false;
  for (const c of step) {
    if (c === '"') quoted = !quoted;
    if (quoted) continue;
    if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  const opens = (step.match(/\\<open>|‹/g) ?? []).length;
  const closes = (step.match(/\\<close>|›/g) ?? []).length;
  return !quoted && stack.length === 0 && opens === closes;
}

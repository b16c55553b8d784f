/**
 * The user's own `sorry`s, set apart for a re-check. A found proof is re-checked inside the user's declaration, which
 * may hold other `sorry`s of the user's (a search for one `have` in a longer proof). Left as they are, they put
 * `sorryAx` into `#print axioms` and a "declaration uses `sorry`" warning into the answer whatever the proof does, so
 * the check could not tell the user's holes from a proof that rests on a fact proved by `sorry` or on a tactic that
 * admits the goal. So each of the user's holes is written as a token that stands for an axiom declared for the check
 * alone; any `sorry`, `sorryAx` or "declaration uses `sorry`" left in the answer is then the proof's, and is refused.
 *
 * The axiom is not `sorryAx`, so nothing that refuses `sorry` refuses it, and a proof must not be able to use it:
 * - Its name ends in a nonce the proof cannot know: the model sees goals and the tactics so far, never the re-check's
 *   text, and its output is screened before Lean sees it.
 * - It exists only in the re-check's environment, never in the one the search ran its tactics in.
 * - Library search (`exact?`) tries lemmas whose conclusion is a bare variable when nothing else fits a goal whose
 *   head is a local (its "star" fallback), and would find an axiom `{α : Sort u} → α`. So the axiom takes a proof of
 *   a proposition that is itself an axiom: `solve_by_elim` closes side goals from the local context and a few fixed
 *   lemmas only, so it never finds that proof, and a lemma it cannot finish is not used.
 * No I/O: the nonce is the caller's.
 */
import { isWordAt } from './goalProbe';
import { CODE, scanLean } from './leanScanner';

/** What leaves a goal open in the user's text: `sorry` (a term and a tactic) and `admit` (a tactic). */
const holeWords = ['sorry', 'admit'] as const;

/** The names of one check's hole: the axioms live under `axiom`, the user's holes are written as `token`. */
export function holeNames(nonce: string): { axiom: string; token: string } {
  if (!/^[0-9a-f]+$/.test(nonce)) throw new TypeError(`A hole nonce is lowercase hex, not ${JSON.stringify(nonce)}.`);
  return { axiom: `llemmaHole_${nonce}`, token: `llemma_hole_${nonce}` };
}

/**
 * The command that declares the hole, run in the declaration's environment just before it. `_root_` keeps the names
 * out of a namespace the file may have open, and the universe and binder names are ones a file will not have declared.
 * The token works where `sorry` does: as a term, and as a tactic (Lean's `sorry` tactic is `exact sorryAx _ false`).
 * `noncomputable section` lets a `def` that uses a hole compile as it did with `sorry`, which the compiler knows.
 */
export function holeCommand(nonce: string): string {
  const { axiom, token } = holeNames(nonce);
  const fill = `${axiom}.fill ${axiom}.key`;
  return [
    `axiom _root_.${axiom} : Prop`,
    `axiom _root_.${axiom}.key : ${axiom}`,
    `axiom _root_.${axiom}.fill.{u_llemma} {T_llemma : Sort u_llemma} : ${axiom} → T_llemma`,
    `macro "${token}" : term => \`(${fill})`,
    `macro "${token}" : tactic => \`(tactic| exact ${fill})`,
    'noncomputable section',
  ].join('\n');
}

/** Whether `#print axioms` lists `name` because of the hole of `nonce` (the user's own holes). */
export function isHoleAxiom(name: string, nonce: string): boolean {
  const { axiom } = holeNames(nonce);
  return name === axiom || name.startsWith(`${axiom}.`);
}

/**
 * `text` with each `sorry` and `admit` of its code outside `keep` (the proof's own range, which is never touched)
 * written as the hole's token; comments and string literals stay as they are. Lines do not move, so Lean's line
 * numbers still point into the proof where they did.
 */
export function fillHoles(
  text: string,
  keep: { from: number; to: number },
  nonce: string,
): { text: string; holes: number } {
  const { token } = holeNames(nonce);
  const mask = scanLean(text);
  let out = '';
  let copied = 0;
  let holes = 0;
  for (let i = 0; i < text.length; i++) {
    if (mask[i] !== CODE || (i >= keep.from && i < keep.to)) continue;
    const word = holeWords.find((w) => text.startsWith(w, i));
    // `«sorry»` names a declaration called sorry; a guillemet does not end a name the way `isWordAt` reads it.
    if (!word || !isWordAt(text, i, word) || text[i - 1] === '«') continue;
    if (i + word.length > keep.from && i < keep.to) continue;
    out += text.slice(copied, i) + token;
    copied = i + word.length;
    i = copied - 1;
    holes++;
  }
  return { text: out + text.slice(copied), holes };
}

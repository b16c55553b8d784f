// Flow 7: ghost text that comes from a decision procedure. `procedure_pick` (appended to Demo.lean) states
// `p q : Prop, hp : p, hq : q ⊢ p ∧ q`; in the world (test/fixtures/e2e/world-search.json) only `tauto` closes it, and
// every other candidate fails. The merged generator tries every decision procedure on every goal, so the ghost text
// is `tauto`, and the procedures are among its sources (retrieval may propose it too: the output channel lists every
// source, best score first). Tab accepts it, and the extension's output channel names its sources.
import { showAndAcceptGhostText, useSearchWorld } from './ghostText.mjs';
import { editorWithTab, goToPosition, lineNumberOf, numberedLines, showLines, waitUntil } from './workbench.mjs';

export const name = 'procedureGhost';

/** The statement, at the end of Demo.lean (line 23 of the fixture, lower once flows before have written proofs). */
const STATEMENT = 'theorem procedure_pick (p q : Prop) (hp : p) (hq : q) : p ∧ q := by';
/** The one tactic the world accepts on the goal: a decision procedure no other source proposes there. */
const EXPECTED = 'tauto';

export async function run(t) {
  const { page } = t;
  await useSearchWorld(t);
  const { editor } = editorWithTab(page, 'Demo.lean');
  // The go-to-line box moves the cursor in the active editor (Demo.lean), scrolls there and leaves the focus there
  // (no click, which the editor as the flow before leaves it may not take). Going to the fixture's statement line
  // first brings the end of the file into view, where the statement is, and the gutter gives its number.
  await goToPosition(page, 23, 1);
  const lines = await numberedLines(editor);
  const at = lineNumberOf(lines, STATEMENT);
  if (at === undefined || (lines.get(at + 1) ?? 'x').trim() !== '') {
    throw new Error(`Demo.lean should hold "${STATEMENT}" followed by a blank tactic line:\n${showLines(lines)}`);
  }
  const line = at + 1;
  await showAndAcceptGhostText(t, { line, column: 3, expected: EXPECTED, shot: 'procedure-ghost-text' });
  // The source of what was accepted: the extension writes it to its output channel (the ghost text has no room).
  const accepted = await waitUntil(
    () => t.outputChannelText(),
    (text) => /Accepted suggestion: "tauto" \(closes, from [a-z +]*\bprocedures\b[a-z +]*,/.test(text),
    'the output channel line `Accepted suggestion: "tauto" (closes, from … procedures …, …)`',
  );
  t.log(accepted.split('\n').find((l) => l.includes('Accepted suggestion: "tauto"')) ?? '');
}

// Flow 5: "Llemma: Complete Proof" from the CodeLens above the `sorry` of mul_comm_add_zero. The real embedded model
// proposes, the REPL double's world (test/fixtures/e2e/world-search.json) plays Lean: from `a b : ℕ ⊢ a * b + 0 = b * a`
// the search finds `rw [mul_comm]` (→ `b * a + 0 = b * a`) then `simp` (closes), the double re-checks the whole theorem
// (no error, no sorry; `#print axioms` gives [propext]), and the edit replaces the `sorry` with the two tactics.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MODEL_TIMEOUT_MS, positions, useSearchWorld } from './ghostText.mjs';
import {
  editorText,
  editorWithTab,
  focusEditor,
  goToPosition,
  notificationTexts,
  WrongAnswer,
  waitUntil,
} from './workbench.mjs';

export const name = 'completeProof';

/** The lens's box ends at most a line above the sorry's line starts, within the viewport. */
function lensAbove(lens, sorry) {
  if (!lens || !sorry || lens.width === 0 || lens.height === 0) return false;
  return lens.y >= 0 && lens.y + lens.height <= sorry.y + 1 && sorry.y - lens.y <= 2 * sorry.height + 4;
}

const STATEMENT = 'theorem mul_comm_add_zero (a b : Nat) : a * b + 0 = b * a := by';
const PROOF = ['  rw [mul_comm]', '  simp'];
const FOUND = /proof found and re-checked by lean4 via `[^`]*replDouble\.mjs/i;

export async function run(t) {
  const { page } = t;
  await useSearchWorld(t);
  const { editor } = editorWithTab(page, 'Demo.lean');
  const before = (await editorText(editor)).split('\n');
  const at = before.indexOf(STATEMENT);
  if (at < 0 || before[at + 1] !== '  sorry' || at + 2 !== positions.sorry.line) {
    throw new Error(
      `Demo.lean should hold "${STATEMENT}" with "  sorry" on line ${positions.sorry.line}:\n${before.join('\n')}`,
    );
  }

  // The CodeLens above the `sorry` (the only one in the file), rendered on screen directly above the sorry's line.
  const lens = editor.locator('.codelens-decoration a', { hasText: 'Llemma: Complete Proof' });
  await waitUntil(
    () => lens.count(),
    (n) => n === 1,
    'one CodeLens "Llemma: Complete Proof" in Demo.lean (above the sorry of mul_comm_add_zero)',
  );
  await focusEditor(page, 'Demo.lean');
  await goToPosition(page, positions.sorry.line, positions.sorry.column);
  await lens.hover();
  const sorryLine = editor.locator('.view-lines .view-line', { hasText: /^\s*sorry\s*$/ });
  await waitUntil(
    async () => ({ lens: await lens.boundingBox(), sorry: await sorryLine.first().boundingBox() }),
    (b) => lensAbove(b.lens, b.sorry),
    `the CodeLens to be visible right above the line "  sorry" (line ${positions.sorry.line}), the mouse on it`,
  );
  await t.shot('complete-proof-lens.png');
  // The flow before this one leaves the same file on screen: the screenshot must show this flow's state (the cursor on
  // the sorry, the mouse on the lens), not repeat the last one.
  const previous = path.join(t.artifacts, 'ghost-text-accepted.png');
  if (
    existsSync(previous) &&
    readFileSync(previous).equals(readFileSync(path.join(t.artifacts, 'complete-proof-lens.png')))
  ) {
    throw new Error('complete-proof-lens.png is byte-identical to ghost-text-accepted.png');
  }
  await lens.click();

  // The progress toast ("Llemma: searching for a proof") stays while the search runs; any other toast from the
  // extension is its answer.
  const texts = await waitUntil(
    () => notificationTexts(page),
    (all) => {
      if (all.some((s) => FOUND.test(s))) return true;
      const other = all.find((s) => /Llemma/.test(s) && !/searching for a proof/i.test(s));
      if (other) throw new WrongAnswer(`a notification matching ${FOUND}; the extension showed: "${other}"`);
      return false;
    },
    `the proof search to end with a notification matching ${FOUND}`,
    MODEL_TIMEOUT_MS,
  );
  t.log(`notification: "${texts.find((s) => FOUND.test(s))}"`);

  const expected = [STATEMENT, ...PROOF].join('\n');
  const text = await waitUntil(
    () => editorText(editor),
    (s) => s.includes(expected),
    `the sorry of mul_comm_add_zero replaced by ${JSON.stringify(PROOF.map((l) => l.trim()))}`,
  );
  const lines = text.split('\n');
  if (lines.some((l) => /\bsorry\b/.test(l))) throw new Error(`a sorry is left in Demo.lean:\n${text}`);
  await waitUntil(
    () => lens.count(),
    (n) => n === 0,
    'the CodeLens "Llemma: Complete Proof" to go away once the sorry is replaced',
  );
  await waitUntil(
    () => notificationTexts(page),
    (all) => !all.some((s) => /searching for a proof/i.test(s)),
    'the progress notification "Llemma: searching for a proof" to close after the search',
  );
  await t.shot('complete-proof.png');
  t.log('sorry replaced by the proof');
}

// Flow 5: "Llemma: Complete Proof" from the CodeLens above the `sorry` of mul_comm_add_zero. The default candidate
// generator of the embedded model folder proposes, the REPL double's world (test/fixtures/e2e/world-search.json) plays
// Lean: from `a b : ℕ ⊢ a * b + 0 = b * a` two proofs of two steps exist, `rw [mul_comm]` (→ `b * a + 0 = b * a`)
// then `simp`, and `simp` (→ `a * b = b * a`) then `rw [mul_comm]`; which one the search finds first depends on the
// candidates' scores, so either is right. The double re-checks the whole theorem (no error, no sorry; `#print axioms`
// gives [propext]), and the edit replaces the `sorry` with the two tactics.
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
const PROOFS = [
  ['  rw [mul_comm]', '  simp'],
  ['  simp', '  rw [mul_comm]'],
];
const FOUND = /proof found and re-checked by lean4 via `[^`]*replDouble\.mjs/i;

export async function run(t) {
  const { page } = t;
  await useSearchWorld(t);
  const { editor } = editorWithTab(page, 'Demo.lean');
  const before = (await editorText(editor)).split('\n');
  const at = before.indexOf(STATEMENT);
  // The flows before this one wrote proofs above it: its `sorry` is on the line after the statement, wherever that is.
  const sorry = { line: at + 2, column: positions.sorry.column };
  if (at < 0 || before[at + 1] !== '  sorry') {
    throw new Error(`Demo.lean should hold "${STATEMENT}" with "  sorry" on the next line:\n${before.join('\n')}`);
  }

  // The CodeLens above the `sorry` (the only one in the file), rendered on screen directly above the sorry's line.
  const lens = editor.locator('.codelens-decoration a', { hasText: 'Llemma: Complete Proof' });
  await waitUntil(
    () => lens.count(),
    (n) => n === 1,
    'one CodeLens "Llemma: Complete Proof" in Demo.lean (above the sorry of mul_comm_add_zero)',
  );
  await focusEditor(page, 'Demo.lean');
  await goToPosition(page, sorry.line, sorry.column);
  await lens.hover();
  const sorryLine = editor.locator('.view-lines .view-line', { hasText: /^\s*sorry\s*$/ });
  await waitUntil(
    async () => ({ lens: await lens.boundingBox(), sorry: await sorryLine.first().boundingBox() }),
    (b) => lensAbove(b.lens, b.sorry),
    `the CodeLens to be visible right above the line "  sorry" (line ${sorry.line}), the mouse on it`,
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
  // The progress toast ("Llemma: searching for a proof") stays while the search runs; any other toast from the
  // extension is its answer. The ghost-text flow wrote lines above just before: if VS Code had not drawn the lens
  // again yet, it holds the old version and the extension says so (nothing runs); then a second click is right.
  const STALE = /changed since this Complete Proof lens was drawn/;
  let texts;
  for (let click = 1; !texts; click++) {
    await lens.click();
    texts = await waitUntil(
      () => notificationTexts(page),
      (all) => {
        if (all.some((s) => FOUND.test(s))) return true;
        if (click === 1 && all.some((s) => STALE.test(s))) return true;
        const other = all.find((s) => /Llemma/.test(s) && !/searching for a proof/i.test(s) && !STALE.test(s));
        if (other) throw new WrongAnswer(`a notification matching ${FOUND}; the extension showed: "${other}"`);
        return false;
      },
      `the proof search to end with a notification matching ${FOUND}`,
      MODEL_TIMEOUT_MS,
    );
    if (!texts.some((s) => FOUND.test(s))) {
      t.log('the lens was drawn before the last edit: the extension said so; clicking it again');
      texts = undefined;
      await page.waitForTimeout(1000);
    }
  }
  t.log(`notification: "${texts.find((s) => FOUND.test(s))}"`);

  const expected = PROOFS.map((proof) => [STATEMENT, ...proof].join('\n'));
  const text = await waitUntil(
    () => editorText(editor),
    (s) => expected.some((e) => s.includes(e)),
    `the sorry of mul_comm_add_zero replaced by ${PROOFS.map((p) => JSON.stringify(p.map((l) => l.trim()))).join(' or ')}`,
  );
  t.log(`proof written: ${JSON.stringify(PROOFS.find((p) => text.includes([STATEMENT, ...p].join('\n'))))}`);
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

// Flow 5: "Llemma: Complete Proof" from the CodeLens above the `sorry` of mul_comm_add_zero. The real embedded model
// proposes, the REPL double's world (test/fixtures/e2e/world-search.json) plays Lean: from `a b : ℕ ⊢ a * b + 0 = b * a`
// the search finds `rw [mul_comm]` (→ `b * a + 0 = b * a`) then `simp` (closes), the double re-checks the whole theorem
// (no error, no sorry; `#print axioms` gives [propext]), and the edit replaces the `sorry` with the two tactics.
import { MODEL_TIMEOUT_MS, positions, useSearchWorld } from './ghostText.mjs';
import { editorText, editorWithTab, notificationTexts, WrongAnswer, waitUntil } from './workbench.mjs';

export const name = 'completeProof';

const STATEMENT = 'theorem mul_comm_add_zero (a b : Nat) : a * b + 0 = b * a := by';
const PROOF = ['  rw [mul_comm]', '  simp'];
const FOUND = /proof found and checked by Lean/i;

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

  // The CodeLens above the `sorry` (the only one in the file).
  const lens = editor.locator('.codelens-decoration a', { hasText: 'Llemma: Complete Proof' });
  await waitUntil(
    () => lens.count(),
    (n) => n === 1,
    'one CodeLens "Llemma: Complete Proof" in Demo.lean (above the sorry of mul_comm_add_zero)',
  );
  await t.shot('complete-proof-lens.png');
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

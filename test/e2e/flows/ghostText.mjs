// Flow 4: ghost text. The REPL double switches to world mode (test/fixtures/e2e/world-search.json: goals → tactics
// "Lean" accepts → resulting goals); the model is the real one embedded in the .vsix (model/default). With the cursor on
// the blank tactic line of `add_zero_blank`, "Trigger Inline Suggestion" asks the server for verified tactics; the
// ghost text must be `simp`, the model's top candidate for `n : ℕ ⊢ n + 0 = n` and the one the world says closes the
// goal. Tab writes it into the line.
import { positions as demoPositions, openDemo, showProofStateAt } from './showProofState.mjs';
import {
  allowWorkspaceSetting,
  editorWithTab,
  focusEditor,
  goToPosition,
  llemmaStatus,
  numberedLines,
  resetUi,
  runCommand,
  textOf,
  waitForStatus,
  waitUntil,
} from './workbench.mjs';

export const name = 'ghostText';

/** Lines of test/fixtures/e2e-workspace/Demo.lean used by the model flows (1-based). */
export const positions = {
  /** The blank tactic line `  ` of add_zero_blank; the cursor goes after its indentation. */
  blankTactic: { line: 15, column: 3 },
  /** `  sorry`, the proof of mul_comm_add_zero. */
  sorry: { line: 18, column: 3 },
};

/** Waits for the model's first answer: a cold model load plus a beam search of 8 on a busy 2-core machine. */
export const MODEL_TIMEOUT_MS = 90_000;

/** The tactic the world accepts on `n : ℕ ⊢ n + 0 = n` that the model ranks first (and that closes the goal). */
const EXPECTED = 'simp';

/**
 * Points llemma.lean.replCommand at the double's world mode, once per run. A REPL must be running first, so that its
 * stop ("Lean stopped") shows that the server read the new setting before the next request.
 */
export async function useSearchWorld(t) {
  const { page } = t;
  if (t.state.demoOpen) await resetUi(page);
  else await openDemo(t);
  if (t.state.world) return;
  if (!/Lean ready/.test(await llemmaStatus(page))) {
    await showProofStateAt(t, demoPositions.firstTactic, ['⊢ n + 0 = n'], 'the proof state before the world starts');
  }
  const world = t.worldReplCommand('world-search.json');
  t.writeWorkspaceSettings({ 'llemma.lean.replCommand': world });
  await allowWorkspaceSetting(page, 'llemma.lean.replCommand', world);
  await waitForStatus(
    page,
    /Llemma: Lean stopped/,
    'the server to stop the REPL after llemma.lean.replCommand changed to the world mode',
  );
  t.state.world = true;
  t.log('REPL double in world mode (world-search.json)');
}

/** Texts of the ghost-text decorations in an editor, spaces as U+0020. */
async function ghostTexts(editor) {
  const texts = await editor.locator('.ghost-text-decoration, .ghost-text').allTextContents();
  return texts.map((s) => s.replace(/\u00a0/g, ' '));
}

/**
 * Asks for ghost text at `line`:`column` of Demo.lean (the cursor moved there by the go-to-line box), checks that it
 * reads `expected`, and accepts it with Tab: the line then reads the tactic, no ghost text is left and the cursor is
 * after the tactic (only real text moves it there). Screenshots `<shot>.png` and `<shot>-accepted.png`.
 */
export async function showAndAcceptGhostText(t, { line, column, expected, shot }) {
  const { page } = t;
  const { editor } = editorWithTab(page, 'Demo.lean');
  await goToPosition(page, line, column);
  await runCommand(page, 'Trigger Inline Suggestion');
  const ghost = await waitUntil(
    () => ghostTexts(editor),
    (texts) => texts.join('').trim() !== '',
    `ghost text at Demo.lean:${line}:${column} (.ghost-text-decoration)`,
    MODEL_TIMEOUT_MS,
  );
  await t.shot(`${shot}.png`);
  const shown = ghost.join('').trim();
  t.log(`ghost text shown: "${shown}"`);
  if (shown !== expected) throw new Error(`expected the ghost text "${expected}", the editor shows "${shown}"`);

  await page.keyboard.press('Tab');
  const indent = ' '.repeat(column - 1);
  await waitUntil(
    async () => ({
      ghost: (await ghostTexts(editor)).join('').trim(),
      text: (await numberedLines(editor)).get(line) ?? '',
      cursor: await textOf(page.locator('#status\\.editor\\.selection')),
    }),
    (s) =>
      s.ghost === '' &&
      s.text === `${indent}${expected}` &&
      s.cursor.includes(`Ln ${line}, Col ${column + expected.length}`),
    `Tab to accept the ghost text: line ${line} reading "${indent}${expected}", no ghost text left, the cursor after the tactic (only real text moves it there)`,
  );
  await t.shot(`${shot}-accepted.png`);
  t.log(`accepted: line ${line} reads "${indent}${expected}"`);
}

export async function run(t) {
  const { page } = t;
  await useSearchWorld(t);
  const { line, column } = positions.blankTactic;
  const { editor } = editorWithTab(page, 'Demo.lean');
  const before = (await numberedLines(editor)).get(line) ?? '';
  if (before.trim() !== '')
    throw new Error(`Demo.lean line ${line} should be a blank tactic line, it reads "${before}"`);

  await focusEditor(page, 'Demo.lean');
  await showAndAcceptGhostText(t, { line, column, expected: EXPECTED, shot: 'ghost-text' });
}

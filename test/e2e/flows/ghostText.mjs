// Flow 4: ghost text. The REPL double switches to world mode (test/fixtures/e2e/world-search.json: goals → tactics
// "Lean" accepts → resulting goals); the candidate generator is the default of the embedded model folder in the .vsix
// (retrieval, the file, the procedures). With the cursor on the blank tactic line of `add_zero_blank`, "Trigger
// Inline Suggestion" asks the server for verified tactics. The same statement is proved above in the file
// (`add_zero'`, by induction), so the file source's first candidate is that proof; the world says it closes the goal
// (as do `simp` and `omega`, scored lower), so the ghost text is the three-line induction, from the file. Tab writes
// it in at the line's indentation, and the output channel names its source.
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
  /** `  sorry`, the proof of mul_comm_add_zero (line 18 of the fixture; lower once the ghost-text flow wrote its proof). */
  sorry: { line: 18, column: 3 },
};

/** Waits for the model's first answer: a cold model load plus a beam search of 8 on a busy 2-core machine. */
export const MODEL_TIMEOUT_MS = 90_000;

/** The proof of `add_zero'` above, which the file source proposes first and the world says closes the goal. */
const EXPECTED = 'induction n with\n| zero => rfl\n| succ k ih => simp';

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
 * reads `expected` (a tactic of several lines: each line of it, and nothing else), and accepts it with Tab: the lines
 * from `line` then read the tactic at the line's indentation, no ghost text is left and the cursor is after the tactic
 * (only real text moves it there). Screenshots `<shot>.png` and `<shot>-accepted.png`.
 */
export async function showAndAcceptGhostText(t, { line, column, expected, shot }) {
  const { page } = t;
  const { editor } = editorWithTab(page, 'Demo.lean');
  await goToPosition(page, line, column);
  await runCommand(page, 'Trigger Inline Suggestion');
  // A tactic of several lines is drawn as several decorations (the first line's and the lines below, not always in
  // the same frame): wait for ghost text with every expected line, or for any ghost text that has settled.
  const want = expected.split('\n');
  let settled = '';
  const ghost = await waitUntil(
    () => ghostTexts(editor),
    (texts) => {
      const joined = texts.join('').trim();
      const done = joined !== '' && (want.every((l) => joined.includes(l)) || joined === settled);
      settled = joined;
      return done;
    },
    `ghost text at Demo.lean:${line}:${column} (.ghost-text-decoration)`,
    MODEL_TIMEOUT_MS,
  );
  await t.shot(`${shot}.png`);
  const shown = ghost.join('').trim();
  t.log(`ghost text shown: "${shown}"`);
  // Each line of the tactic is in the text shown, and nothing else is.
  const bare = (s) => s.replace(/\s+/g, '');
  if (!want.every((l) => shown.includes(l)) || bare(shown).length !== bare(expected).length) {
    throw new Error(`expected the ghost text "${expected}", the editor shows "${shown}"`);
  }

  await page.keyboard.press('Tab');
  const indent = ' '.repeat(column - 1);
  const last = want[want.length - 1];
  const written = want.map((l) => `${indent}${l}`);
  await waitUntil(
    async () => {
      const lines = await numberedLines(editor);
      return {
        ghost: (await ghostTexts(editor)).join('').trim(),
        text: want.map((_, i) => lines.get(line + i) ?? ''),
        cursor: await textOf(page.locator('#status\\.editor\\.selection')),
      };
    },
    (s) =>
      s.ghost === '' &&
      s.text.every((l, i) => l === written[i]) &&
      s.cursor.includes(`Ln ${line + want.length - 1}, Col ${indent.length + last.length + 1}`),
    `Tab to accept the ghost text: from line ${line} ${JSON.stringify(written)}, no ghost text left, the cursor after the tactic (only real text moves it there)`,
  );
  await t.shot(`${shot}-accepted.png`);
  t.log(`accepted: from line ${line} ${JSON.stringify(written)}`);
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
  const accepted = await waitUntil(
    () => t.outputChannelText(),
    (text) => /Accepted suggestion: "induction n with[^"]*" \(closes, from file\b/.test(text),
    'the output channel line `Accepted suggestion: "induction n with …" (closes, from file …)`',
  );
  t.log(accepted.split('\n').find((l) => l.includes('Accepted suggestion: "induction')) ?? '');
}

// Flow 1: in Demo.lean, with the cursor on the first tactic of `add_zero'`, "Llemma: Show Proof State" opens a
// read-only side editor (language llemma-goal) with the goal the REPL double answered and a header naming the
// position, the declaration and the prover (Lean REPL, toolchain, project).
import {
  editorText,
  editorWithTab,
  focusEditor,
  goToPosition,
  llemmaStatus,
  openFromExplorer,
  resetUi,
  runCommand,
  textOf,
  waitForStatus,
  waitUntil,
} from './workbench.mjs';

export const name = 'showProofState';

/** Where the flows put the cursor in test/fixtures/e2e-workspace/Demo.lean (1-based line and column). */
export const positions = {
  /** `  induction n with`, first tactic of add_zero'; the goal before it is `n : ℕ ⊢ n + 0 = n`. */
  firstTactic: { line: 7, column: 3 },
  /** `theorem add_zero' …`, the statement line: not inside a tactic proof. */
  statement: { line: 6, column: 9 },
  /** `  omega`, the only tactic of two_mul'. */
  secondTheorem: { line: 12, column: 3 },
};

export const GOAL_TAB = 'Proof State';
export const SERVER_READY = /Llemma.*ready/;

/** Opens Demo.lean, checks its language and waits for the extension; later flows call it when flow 1 did not. */
export async function openDemo(t) {
  const { page } = t;
  await resetUi(page);
  await openFromExplorer(page, 'Demo.lean', "theorem add_zero'");
  await waitUntil(
    () => textOf(page.locator('#status\\.editor\\.mode')),
    (text) => text === 'Lean 4',
    'the language mode of Demo.lean to be "Lean 4"',
  );
  t.log('Demo.lean open, language mode Lean 4');
  // More room for the editors, so that screenshots show the goal view's header in full.
  await runCommand(page, 'View: Close Primary Side Bar');
  await waitForStatus(page, SERVER_READY, 'the extension to be ready', 30_000);
  t.log(`extension ready: "${await llemmaStatus(page)}"`);
  t.state.demoOpen = true;
}

/** Runs Show Proof State at a position and returns the goal view's text once it contains `expect`. */
export async function showProofStateAt(t, position, expect, what) {
  const { page } = t;
  await focusEditor(page, 'Demo.lean');
  await goToPosition(page, position.line, position.column);
  await runCommand(page, 'Llemma: Show Proof State');
  return waitUntil(
    async () => {
      const { editor } = editorWithTab(page, GOAL_TAB);
      return (await editor.count()) ? editorText(editor) : '';
    },
    (text) => expect.every((e) => text.includes(e)),
    `${what}: a side editor "${GOAL_TAB}" containing ${expect.map((e) => JSON.stringify(e)).join(', ')}`,
    15_000,
  );
}

export async function run(t) {
  const { page } = t;
  await openDemo(t);
  const { line, column } = positions.firstTactic;
  const text = await showProofStateAt(
    t,
    positions.firstTactic,
    ['n : ℕ', '⊢ n + 0 = n'],
    "the proof state at the first tactic of add_zero'",
  );
  t.log('goal view shows the goal');
  const header = [`Demo.lean:${line}:${column}`, "add_zero'", 'Lean REPL', 'leanprover/lean4:v4.9.0', 'e2e-workspace'];
  const missing = header.filter((h) => !text.includes(h));
  if (missing.length) throw new Error(`the goal view's header lacks ${missing.join(', ')}; it reads:\n${text}`);

  // The goal view is a side editor: Demo.lean keeps its own group.
  const groups = await page.locator('.editor-group-container').count();
  if (groups < 2) throw new Error(`expected the goal view beside Demo.lean (2 editor groups), found ${groups}`);
  await waitForStatus(page, /Llemma: Lean ready/, 'the REPL to be reported ready after answering');
  await t.shot('show-proof-state.png');

  // Language and read-only: focus the goal view, read the language mode, try to type.
  await focusEditor(page, GOAL_TAB);
  await waitUntil(
    () => textOf(page.locator('#status\\.editor\\.mode')),
    (mode) => mode === 'Llemma Proof State',
    'the goal view\'s language mode to be "Llemma Proof State" (llemma-goal)',
  );
  await page.keyboard.type('x');
  await waitUntil(
    () => page.locator('.monaco-editor-overlaymessage').allTextContents(),
    (texts) => texts.some((m) => /read-?only/i.test(m)),
    'VS Code\'s "Cannot edit in read-only editor" message after typing into the goal view',
  );
  const after = await editorText(editorWithTab(page, GOAL_TAB).editor);
  if (after !== text) throw new Error(`typing changed the goal view:\n${after}`);
  t.log('goal view is llemma-goal and read-only');
  await focusEditor(page, 'Demo.lean');
}

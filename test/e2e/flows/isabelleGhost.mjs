// Flow 9: ghost text in an Isabelle theory. `llemma.isabelle.path` is the Isabelle server double
// (test/doubles/isabelleServerDouble.mjs), playing Isabelle from test/fixtures/e2e/isabelle-world.json: after
// `apply (rule allI)` the goal is `\<And>x. \<exists>y. x = y`, `by blast` closes it, `by auto` fails, and every other
// step fails. The suggestions go the product's whole way: the default candidate generator is asked (with the embedded
// model and `model.sources` `auto` its sources are retrieval, the file and the procedures, all Lean's, so it offers an
// Isabelle state nothing), then Isabelle's decision procedures, each run by the double on the state. Demo.thy opens with the
// language mode `Isabelle`; on its blank step line Show Proof State shows the double's state with its header, and
// "Trigger Inline Suggestion" shows `by blast`, the one verified step, and Tab writes it into the line. The status
// bar names Isabelle, and the output channel the step's source.
import { MODEL_TIMEOUT_MS } from './ghostText.mjs';
import { GOAL_TAB } from './showProofState.mjs';
import {
  editorText,
  editorWithTab,
  goToPosition,
  llemmaStatus,
  openByName,
  resetUi,
  runCommand,
  textOf,
  waitForStatus,
  waitUntil,
} from './workbench.mjs';

export const name = 'isabelleGhost';

const FILE = 'Demo.thy';
/** The blank step line of `exists_equal` in test/fixtures/e2e-workspace/Demo.thy (1-based), after its indentation. */
const LINE = 10;
const COLUMN = 3;
/** The one step the world's Isabelle accepts on the state at that line. */
const EXPECTED = 'by blast';

async function ghostTexts(editor) {
  const texts = await editor.locator('.ghost-text-decoration, .ghost-text').allTextContents();
  return texts.map((s) => s.replace(/\u00a0/g, ' '));
}

/** The rendered line `LINE` (the theory is short: every line is in view). */
async function stepLine(editor) {
  return (await editorText(editor)).split('\n')[LINE - 1] ?? '';
}

export async function run(t) {
  const { page } = t;
  await resetUi(page);
  const { editor } = await openByName(page, FILE, 'lemma exists_equal');
  await waitUntil(
    () => textOf(page.locator('#status\\.editor\\.mode')),
    (text) => text === 'Isabelle',
    `the language mode of ${FILE} to be "Isabelle"`,
  );
  t.log(`${FILE} open, language mode Isabelle`);
  // The extension is running (its status item is there); what it says depends on the flows before this one (Lean
  // ready or stopped): Isabelle is started by the first request below.
  await waitForStatus(page, /^Llemma: /, 'the extension to be running', 30_000);
  const before = await stepLine(editor);
  if (before.trim() !== '') throw new Error(`${FILE} line ${LINE} should be a blank step line, it reads "${before}"`);

  await goToPosition(page, LINE, COLUMN);
  await runCommand(page, 'Llemma: Show Proof State');
  const expect = ['\\<And>x. \\<exists>y. x = y', 'Isabelle server · Isabelle2025-2', 'exists_equal', 'session HOL'];
  await waitUntil(
    async () => {
      const goal = editorWithTab(page, GOAL_TAB).editor;
      return (await goal.count()) ? editorText(goal) : '';
    },
    (text) => expect.every((e) => text.includes(e)),
    `a side editor "${GOAL_TAB}" containing ${expect.map((e) => JSON.stringify(e)).join(', ')}`,
    15_000,
  );
  await t.shot('isabelle-proof-state.png');
  t.log('proof state of the double shown');

  await runCommand(page, 'Trigger Inline Suggestion');
  const ghost = await waitUntil(
    () => ghostTexts(editor),
    (texts) => texts.join('').trim() !== '',
    `ghost text at ${FILE}:${LINE}:${COLUMN} (.ghost-text-decoration)`,
    MODEL_TIMEOUT_MS,
  );
  await t.shot('isabelle-ghost-text.png');
  const shown = ghost.join('').trim();
  t.log(`ghost text shown: "${shown}"`);
  if (shown !== EXPECTED) throw new Error(`expected the ghost text "${EXPECTED}", the editor shows "${shown}"`);
  const status = await llemmaStatus(page);
  if (!/Llemma: Isabelle/.test(status)) throw new Error(`the status bar should name Isabelle, it reads "${status}"`);

  await page.keyboard.press('Tab');
  await waitUntil(
    async () => ({ ghost: (await ghostTexts(editor)).join('').trim(), text: await stepLine(editor) }),
    (s) => s.ghost === '' && s.text === `  ${EXPECTED}`,
    `Tab to accept the ghost text: line ${LINE} reading "  ${EXPECTED}", no ghost text left`,
  );
  await t.shot('isabelle-ghost-text-accepted.png');
  await waitUntil(
    () => t.outputChannelText(),
    (text) => text.includes(`Accepted suggestion: "${EXPECTED}" (closes, from procedures`),
    'the output channel to log the accepted step with its source',
  );
  t.log(`accepted: line ${LINE} reads "  ${EXPECTED}", from the decision procedures`);
}

// Flow 6: "Llemma: Suggest Tactics" from the command palette on the blank tactic line of `mul_comm_pick` (appended to
// Demo.lean for this flow: flows 4 and 5 fill the other free lines). The real embedded model proposes, the REPL
// double's world (test/fixtures/e2e/world-search.json) plays Lean: on `a b : ℕ ⊢ a * b = b * a` only `rw [mul_comm]`
// closes the goal (`simp` makes no progress), so it heads the QuickPick (closing tactics first) with the closes icon
// and the detail "closes the goal". Enter writes it into the blank line.
import { MODEL_TIMEOUT_MS, useSearchWorld } from './ghostText.mjs';
import {
  editorWithTab,
  focusEditor,
  goToPosition,
  lineNumberOf,
  notificationTexts,
  numberedLines,
  showLines as show,
  startCommand,
  textOf,
  WrongAnswer,
  waitUntil,
} from './workbench.mjs';

export const name = 'suggestPick';

/**
 * The statement of the theorem; its line moves down by one once completeProof has replaced the `sorry` above it with
 * two tactics, so the flow finds it by its text.
 */
const STATEMENT = 'theorem mul_comm_pick (a b : Nat) : a * b = b * a := by';
/** The only tactic the world accepts on `a b : ℕ ⊢ a * b = b * a` that closes it. */
const EXPECTED = 'rw [mul_comm]';
const COMMAND = 'Llemma: Suggest Tactics';
/**
 * The QuickPick's title: `N verified of M generated · <model folder> (<provider>) · Lean <toolchain>`; the embedded
 * model's folder is `default` and it runs on the CPU here (the reasons other providers were skipped stay out of it).
 */
const TITLE =
  /\d+ verified of \d+ generated · default \(retrieval \+ file \+ procedures\) · Lean leanprover\/lean4:v4\.9\.0$/;

/** An item's description: its sources, best score first, then the calibrated score. */
const SOURCES = /^(retrieval|file|model|procedures)( \+ (retrieval|file|model|procedures))* · -\d+\.\d\d$/;

export async function run(t) {
  const { page } = t;
  await useSearchWorld(t);
  const { editor } = editorWithTab(page, 'Demo.lean');
  const before = await numberedLines(editor);
  const at = lineNumberOf(before, STATEMENT);
  if (at === undefined || (before.get(at + 1) ?? 'x').trim() !== '') {
    throw new Error(`Demo.lean should hold "${STATEMENT}" followed by a blank tactic line:\n${show(before)}`);
  }
  const line = at + 1;
  const column = 3;

  await focusEditor(page, 'Demo.lean');
  await goToPosition(page, line, column);
  await startCommand(page, COMMAND);
  const widget = page.locator('.quick-input-widget');

  const title = widget.locator('.quick-input-title');
  const shownTitle = await waitUntil(
    async () => {
      if (!(await widget.isVisible())) {
        // Without the QuickPick, an extension toast other than the progress one is the command's answer.
        const other = (await notificationTexts(page)).find(
          (s) => /Llemma/.test(s) && !/generating and checking tactics/i.test(s),
        );
        if (other) throw new WrongAnswer(`the QuickPick of "${COMMAND}"; the extension showed: "${other}"`);
        return '';
      }
      return textOf(title);
    },
    (text) => TITLE.test(text),
    `the QuickPick of "${COMMAND}" with a title matching ${TITLE}`,
    MODEL_TIMEOUT_MS,
  );
  t.log(`QuickPick: "${shownTitle}"`);

  const first = widget.locator('.quick-input-list .monaco-list-row').first();
  const item = await waitUntil(
    async () => ({
      label: await textOf(first.locator('.label-name')),
      // `$(pass-filled)` in a label renders as <span class="codicon codicon-pass-filled">, a glyph with no text.
      closesIcon: await first.locator('.label-name .codicon-pass-filled').count(),
      detail: await textOf(first.locator('.quick-input-list-label-meta')),
      // The description: the candidate's source(s) and its calibrated score (`retrieval + model · -4.06`).
      description: await textOf(first.locator('.label-description')),
    }),
    (s) => s.label !== '',
    'the first item of the QuickPick',
  );
  t.log(`first item: ${JSON.stringify(item)}`);
  if (
    item.label !== EXPECTED ||
    item.closesIcon !== 1 ||
    !item.detail.includes('closes the goal') ||
    !SOURCES.test(item.description)
  ) {
    throw new Error(
      `expected the first item "${EXPECTED}" with the closes icon (.codicon-pass-filled), the detail "closes the goal" and a description naming its sources and score (${SOURCES}), the QuickPick shows ${JSON.stringify(item)}`,
    );
  }
  // The progress toast closes once the request has answered (VS Code removes it a moment after the QuickPick opens).
  await waitUntil(
    () => notificationTexts(page),
    (all) => !all.some((s) => /generating and checking tactics/i.test(s)),
    'the progress notification "Llemma: generating and checking tactics" to close while the QuickPick is open',
  );
  await t.shot('suggest-pick.png');

  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden' }).catch(() => {
    throw new Error('timed out waiting for the QuickPick to close after Enter');
  });
  const after = await waitUntil(
    () => numberedLines(editor),
    (lines) => lines.get(line) === `  ${EXPECTED}`,
    `line ${line} of Demo.lean to read "  ${EXPECTED}" after choosing it`,
  ).catch(async (err) => {
    throw new Error(`${err.message}\nDemo.lean reads:\n${show(await numberedLines(editor))}`);
  });
  if (after.get(at) !== STATEMENT || lineNumberOf(after, STATEMENT) !== at) {
    throw new Error(`the tactic must replace the blank line below the statement; Demo.lean reads:\n${show(after)}`);
  }
  await t.shot('suggest-picked.png');
  t.log(`chosen: line ${line} reads "  ${EXPECTED}"`);
}

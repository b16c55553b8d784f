// Flow 0: Restricted Mode. When this flow runs, run.mjs opens the workspace untrusted (workspace trust on, no startup
// question). The Lean REPL is started with `lake`, which runs the project's lakefile, so the extension must start
// nothing: the status bar reads `Llemma: Restricted Mode`, Show Proof State answers with the Restricted Mode notice, no
// CodeLens sits on the `sorry`, and no REPL was started (the REPL double's log stays empty). Then the folder is
// trusted in VS Code's workspace trust editor: the language server starts without a reload (`Llemma: ready`) and the
// CodeLens appears. The later flows run in the trusted folder.
import { positions as modelPositions } from './ghostText.mjs';
import { positions } from './showProofState.mjs';
import {
  editorWithTab,
  focusEditor,
  goToPosition,
  llemmaStatus,
  openFromExplorer,
  resetUi,
  runCommand,
  sleep,
  UI_TIMEOUT_MS,
  waitForNotification,
  waitForStatus,
  waitUntil,
} from './workbench.mjs';

export const name = 'restrictedMode';

const RESTRICTED = /Restricted Mode: Llemma starts Lean only in trusted folders/;

export async function run(t) {
  const { page } = t;
  await resetUi(page);
  await openFromExplorer(page, 'Demo.lean', "theorem add_zero'");
  await waitForStatus(
    page,
    /Llemma: Restricted Mode/,
    'the extension to say it runs nothing in Restricted Mode',
    30_000,
  );
  t.log(`untrusted folder: "${await llemmaStatus(page)}"`);

  await focusEditor(page, 'Demo.lean');
  await goToPosition(page, positions.firstTactic.line, positions.firstTactic.column);
  await runCommand(page, 'Llemma: Show Proof State');
  const { text } = await waitForNotification(page, RESTRICTED, 'the Restricted Mode notice after Show Proof State');
  t.log(`notification: "${text}"`);
  await t.shot('restricted-mode.png');

  const { editor } = editorWithTab(page, 'Demo.lean');
  const lens = editor.locator('.codelens-decoration a', { hasText: 'Llemma: Complete Proof' });
  // CodeLenses render a moment after the editor; give them that moment before counting none.
  await sleep(1000);
  if ((await lens.count()) !== 0) throw new Error('a "Llemma: Complete Proof" CodeLens is shown in Restricted Mode');
  const replLog = t.replLogText();
  if (replLog.trim() !== '') throw new Error(`a REPL was started in Restricted Mode:\n${replLog}`);

  // Trust the folder: the trust editor's first button ("Trust") grants it for this folder.
  await resetUi(page);
  await runCommand(page, 'Workspaces: Manage Workspace Trust');
  const trust = page.locator('.workspace-trust-editor .workspace-trust-buttons .monaco-button').first();
  await trust.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS }).catch(() => {
    throw new Error(`timed out after ${UI_TIMEOUT_MS} ms waiting for the workspace trust editor's Trust button`);
  });
  t.log(`pressing "${((await trust.textContent()) ?? '').trim()}" in the workspace trust editor`);
  await trust.click();
  await waitForStatus(page, /Llemma.*ready/, 'the language server to start once the folder is trusted', 30_000);
  // Close the trust editor (its tab's close button), so that Demo.lean is the active editor again.
  const trustTab = page.locator('.tabs-container .tab', { hasText: 'Workspace Trust' }).first();
  await trustTab.locator('.tab-actions .action-label').first().click();
  await trustTab.waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS }).catch(() => {
    throw new Error(`timed out after ${UI_TIMEOUT_MS} ms waiting for the Workspace Trust editor to close`);
  });
  await waitUntil(
    () => lens.count(),
    (n) => n === 1,
    `the CodeLens "Llemma: Complete Proof" above the sorry on line ${modelPositions.sorry.line} once the folder is trusted`,
  );
  t.log('folder trusted: server started, CodeLens shown');
}

// Flow 3: the REPL fails to start. The workspace's .vscode/settings.json is rewritten so that llemma.lean.replCommand
// starts a REPL double that exits at once (test/fixtures/e2e/repl-startup-fail.json), the way a REPL built for another
// Lean does. The server must stop the running REPL when the setting changes, report the failure on the next request (an
// error notification naming the REPL, the status bar showing `Lean failed`), and keep answering: once the setting is
// removed again and "Llemma: Restart Server" has run, Show Proof State works again (in the other theorem). A workspace
// value of replCommand is used only once allowed: the flow checks the question and that the REPL runs on until "Allow".
import { openDemo, positions, SERVER_READY, showProofStateAt } from './showProofState.mjs';
import {
  allowWorkspaceSetting,
  focusEditor,
  goToPosition,
  llemmaStatus,
  resetUi,
  runCommand,
  sleep,
  waitForDialog,
  waitForNotification,
  waitForStatus,
} from './workbench.mjs';

export const name = 'replFailure';

export async function run(t) {
  const { page } = t;
  if (t.state.demoOpen) await resetUi(page);
  else await openDemo(t);

  // A REPL must be running, so that its stop proves the server saw the new setting.
  if (!/Lean ready/.test(await llemmaStatus(page))) {
    await showProofStateAt(t, positions.firstTactic, ['⊢ n + 0 = n'], 'the proof state before the failure');
  }
  const failing = t.replCommand('repl-startup-fail.json');
  t.writeWorkspaceSettings({ 'llemma.lean.replCommand': failing });
  // A workspace value of replCommand is asked about first; meanwhile the server keeps the user's value (the REPL keeps
  // running: a changed command would stop it), and only "Allow" hands the new one over.
  await waitForDialog(
    page,
    /^This workspace sets llemma\.lean\.replCommand to .*Run it\?$/,
    'the question whether to run the workspace replCommand',
  );
  await sleep(1000);
  const meanwhile = await llemmaStatus(page);
  if (!/Lean ready/.test(meanwhile)) {
    throw new Error(
      `the server must keep its REPL until the workspace value is allowed; the status bar reads "${meanwhile}"`,
    );
  }
  await t.shot('workspace-setting-question.png');
  await allowWorkspaceSetting(page, 'llemma.lean.replCommand', failing);
  t.log('workspace replCommand asked about, the REPL kept until allowed');
  await waitForStatus(
    page,
    /Llemma: Lean stopped/,
    'the server to stop the REPL after llemma.lean.replCommand changed in .vscode/settings.json',
  );
  t.log('setting change reached the server');

  await focusEditor(page, 'Demo.lean');
  await goToPosition(page, positions.firstTactic.line, positions.firstTactic.column);
  await runCommand(page, 'Llemma: Show Proof State');
  const { text, isError } = await waitForNotification(
    page,
    /REPL/i,
    'an error notification about the REPL that exited at start',
    15_000,
  );
  await waitForStatus(page, /Llemma: Lean failed/, 'the status bar to show that Lean failed');
  await t.shot('repl-failure.png');
  if (!isError) throw new Error(`the REPL failure notification is not an error: "${text}"`);
  // The message has the REPL's stderr on a line of its own; the toast shows it on one line, so the line must end in
  // a full stop before the next sentence (not "…is not installed Check that…").
  if (!/is not installed\. Check that the REPL/.test(text)) {
    throw new Error(`the toast should read "…is not installed. Check that the REPL…"; it reads "${text}"`);
  }
  t.log(`failure shown: "${text}"; status "${await llemmaStatus(page)}"`);

  // Recovery: the right command again, a server restart, and a proof state for the other theorem.
  await resetUi(page);
  const stoppedBefore = /Lean stopped/.test(await llemmaStatus(page));
  t.writeWorkspaceSettings({});
  // The server reports the failed REPL as stopped when the setting changes; that shows the change arrived before the
  // restart below reads the settings. Where the status says "stopped" already, there is nothing to see: wait a little.
  if (stoppedBefore) await sleep(2000);
  else {
    await waitForStatus(page, /Llemma: Lean stopped/, 'the failed REPL to be stopped', 5000).catch(() =>
      t.log('no "Lean stopped" after restoring the setting; restarting the server anyway'),
    );
  }
  await runCommand(page, 'Llemma: Restart Server');
  await waitForStatus(page, SERVER_READY, 'the language server to be ready after "Llemma: Restart Server"', 30_000);
  await showProofStateAt(t, positions.secondTheorem, ['a : ℕ', '⊢ 2 * a = a + a', "two_mul'"], 'after the recovery');
  await waitForStatus(page, /Llemma: Lean ready/, 'the REPL to be ready again');
  await t.shot('repl-recovered.png');
  t.log('server answers again after the restart');
}

// Flow 2: with the cursor on a theorem's statement line, "Llemma: Show Proof State" shows an error notification that
// the cursor is not inside a tactic proof.
import { openDemo, positions } from './showProofState.mjs';
import { focusEditor, goToPosition, resetUi, runCommand, waitForNotification } from './workbench.mjs';

export const name = 'notInProof';

export async function run(t) {
  const { page } = t;
  if (t.state.demoOpen) await resetUi(page);
  else await openDemo(t);
  await focusEditor(page, 'Demo.lean');
  await goToPosition(page, positions.statement.line, positions.statement.column);
  await runCommand(page, 'Llemma: Show Proof State');
  const { text, isError } = await waitForNotification(
    page,
    /tactic proof/i,
    'the error that the cursor is not inside a tactic proof',
  );
  await t.shot('not-in-proof.png');
  if (!isError) throw new Error(`the notification is not an error: "${text}"`);
  t.log(`error shown: "${text}"`);
}

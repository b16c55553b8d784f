// Helpers that drive the VS Code workbench (code-server 4.100.3 = VS Code 1.100.3) through Playwright. Not a flow:
// run.mjs lists the flows by name. Every wait has a timeout and fails with a message saying what it waited for and
// what the screen showed instead, so that a red run explains itself without a debugger.

/** Default time for a UI reaction (a palette opening, a notification appearing). */
export const UI_TIMEOUT_MS = 10_000;

/** Thrown by an `accept` callback of waitUntil to stop waiting: what is on screen already settles the check. */
export class WrongAnswer extends Error {}

/** Polls `read()` until `accept(value)` holds; throws `timed out after N ms waiting for <what>` with the last value. */
export async function waitUntil(read, accept, what, timeoutMs = UI_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (err) {
      if (err instanceof WrongAnswer) throw new Error(`expected ${err.message}`);
      last = `<error: ${err instanceof Error ? err.message.split('\n')[0] : err}>`;
    }
    if (Date.now() > deadline) {
      const seen = typeof last === 'string' ? JSON.stringify(last.slice(0, 600)) : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await sleep(100);
  }
}

/** The text of the first element `locator` finds, whitespace collapsed; '' when it has none. */
export async function textOf(locator) {
  return ((await locator.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Monaco renders spaces as U+00A0 and may keep line nodes out of order; this gives the text as the user reads it. */
export async function editorText(editor) {
  const lines = await editor.locator('.view-lines .view-line').evaluateAll((nodes) =>
    nodes
      .map((n) => ({ top: Number.parseFloat(n.style.top || '0'), text: n.textContent ?? '' }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text),
  );
  return lines.join('\n').replace(/\u00a0/g, ' ');
}

/** Texts of all status bar items, for waits and for error messages. */
export async function statusBarTexts(page) {
  const texts = await page.locator('.statusbar-item').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** Waits for a status bar item whose text matches `pattern`; returns its text. */
export async function waitForStatus(page, pattern, what, timeoutMs = UI_TIMEOUT_MS) {
  const texts = await waitUntil(
    () => statusBarTexts(page),
    (all) => all.some((t) => pattern.test(t)),
    `${what} (a status bar item matching ${pattern})`,
    timeoutMs,
  );
  return texts.find((t) => pattern.test(t));
}

/** The text of the extension's status bar item (the one containing "Llemma"), or '' when there is none. */
export async function llemmaStatus(page) {
  return (await statusBarTexts(page)).find((t) => /Llemma/.test(t)) ?? '';
}

/** Texts of the notification toasts on screen. */
export async function notificationTexts(page) {
  // Rendered text: a toast's textContent includes the CSS of its <style> elements.
  const texts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim());
}

/**
 * Waits for a notification toast matching `pattern`; returns its text and whether it carries the error icon. A toast
 * from the extension (containing `Llemma`) that does not match ends the wait at once: it is the extension's answer.
 */
export async function waitForNotification(page, pattern, what, timeoutMs = UI_TIMEOUT_MS) {
  const texts = await waitUntil(
    () => notificationTexts(page),
    (all) => {
      if (all.some((t) => pattern.test(t))) return true;
      const other = all.find((t) => /Llemma/.test(t));
      if (other)
        throw new WrongAnswer(`${what} (a notification matching ${pattern}); the extension showed: "${other}"`);
      return false;
    },
    `${what} (a notification matching ${pattern})`,
    timeoutMs,
  );
  const text = texts.find((t) => pattern.test(t));
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: pattern }).first();
  const isError = (await toast.locator('.codicon-error').count()) > 0;
  return { text, isError };
}

/** Opens the command palette with F1 and runs the entry whose label is exactly `label` (e.g. `Llemma: Show Proof State`). */
export async function runCommand(page, label) {
  await startCommand(page, label);
  await waitForQuickInputClosed(page, `the command palette to close after running "${label}"`);
}

/**
 * Chooses the palette entry `label` and returns at once: for a command that opens a QuickPick of its own in the same
 * quick input widget, "the palette closed" cannot be told apart from "the QuickPick has not opened yet".
 */
export async function startCommand(page, label) {
  await openQuickInput(page, `>${label}`);
  const focused = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
  await waitUntil(
    async () => ((await focused.count()) ? textOf(focused.locator('.label-name')) : ''),
    (text) => text === label,
    `the command palette to offer "${label}" as its first entry`,
  );
  await page.keyboard.press('Enter');
}

/** Opens a file of the workspace by name with Quick Open (the explorer may be closed) and waits for its text. */
export async function openByName(page, name, expectText) {
  await openQuickInput(page, name);
  const focused = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
  await waitUntil(
    async () => ((await focused.count()) ? textOf(focused.locator('.label-name')) : ''),
    (text) => text === name,
    `Quick Open to offer "${name}" as its first entry`,
  );
  await page.keyboard.press('Enter');
  await waitForQuickInputClosed(page, `Quick Open to close after opening ${name}`);
  await waitUntil(
    () => editorText(editorWithTab(page, name).editor),
    (text) => text.includes(expectText),
    `${name} to open`,
  );
  return editorWithTab(page, name);
}

/** Moves the cursor with the palette's go-to-line mode (`:line:column`, both 1-based) and checks where it landed. */
export async function goToPosition(page, line, column) {
  await openQuickInput(page, `:${line}:${column}`);
  await page.keyboard.press('Enter');
  await waitForQuickInputClosed(page, `the go-to-line box to close after :${line}:${column}`);
  await waitUntil(
    () => textOf(page.locator('#status\\.editor\\.selection')),
    (text) => text.includes(`Ln ${line}, Col ${column}`),
    `the cursor to be at Ln ${line}, Col ${column}`,
  );
}

async function openQuickInput(page, value) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS }).catch(() => {
    throw new Error(`timed out after ${UI_TIMEOUT_MS} ms waiting for the command palette to open (F1)`);
  });
  await input.fill(value);
}

async function waitForQuickInputClosed(page, what) {
  await page
    .locator('.quick-input-widget')
    .waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS })
    .catch(() => {
      throw new Error(`timed out after ${UI_TIMEOUT_MS} ms waiting for ${what}`);
    });
}

/** Closes whatever popup is open and clears all notifications, so that each flow starts from a quiet screen. */
export async function resetUi(page) {
  for (let i = 0; i < 2; i++) await page.keyboard.press('Escape');
  await page
    .locator('.quick-input-widget')
    .waitFor({ state: 'hidden', timeout: 2000 })
    .catch(() => undefined);
  if ((await page.locator('.notifications-toasts .notification-toast').count()) > 0) {
    await runCommand(page, 'Notifications: Clear All Notifications');
    await waitUntil(
      () => page.locator('.notifications-toasts .notification-toast').count(),
      (n) => n === 0,
      'the notifications to be cleared',
    );
  }
}

/** The editor group showing the tab titled `title`, and its editor. */
export function editorWithTab(page, title) {
  const group = page
    .locator('.editor-group-container')
    .filter({ has: page.locator('.tab.active', { hasText: title }) })
    .first();
  return { group, editor: group.locator('.monaco-editor').first() };
}

/**
 * Brings the editor of `Demo.lean` (or another tab) to the keyboard, by clicking its active tab: wherever the editor
 * is scrolled (a click on its text can land outside the lines drawn), the click focuses the editor and moves nothing.
 */
export async function focusEditor(page, title) {
  const { group } = editorWithTab(page, title);
  await group.locator('.tab.active', { hasText: title }).click();
}

/** Opens `name` from the explorer (double click) unless it is already the active tab, and waits for its text. */
export async function openFromExplorer(page, name, expectText) {
  const { editor } = editorWithTab(page, name);
  if ((await editor.count()) === 0) {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS }).catch(() => {
      throw new Error(`timed out after ${UI_TIMEOUT_MS} ms waiting for ${name} in the explorer`);
    });
    await row.dblclick();
  }
  await waitUntil(
    () => editorText(editorWithTab(page, name).editor),
    (text) => text.includes(expectText),
    `${name} to open`,
  );
  return editorWithTab(page, name);
}

/** The message of the modal dialog on screen, whitespace collapsed; '' when there is none. */
export async function dialogMessage(page) {
  const text = page.locator('.monaco-dialog-box .dialog-message-text');
  return (await text.count()) ? textOf(text) : '';
}

/** Waits for a modal dialog whose message matches `pattern`; returns the message. */
export async function waitForDialog(page, pattern, what, timeoutMs = UI_TIMEOUT_MS) {
  return waitUntil(
    () => dialogMessage(page),
    (message) => pattern.test(message),
    `${what} (a modal dialog whose message matches ${pattern})`,
    timeoutMs,
  );
}

/** Presses the button labelled `label` of the modal dialog on screen and waits for the dialog to close. */
export async function pressDialogButton(page, label) {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.locator('.dialog-buttons .monaco-button', { hasText: label }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS }).catch(() => {
    throw new Error(`timed out after ${UI_TIMEOUT_MS} ms waiting for the dialog to close after "${label}"`);
  });
}

/**
 * A workspace value of `key` (one of the settings that choose what runs) is used only once allowed: waits for the
 * extension's question, checks that it shows the exact value, and allows it.
 */
export async function allowWorkspaceSetting(page, key, value) {
  const escaped = key.replace(/\./g, '\\.');
  const message = await waitForDialog(
    page,
    new RegExp(`^This workspace sets ${escaped} to `),
    `the extension to ask before using the workspace's ${key}`,
  );
  if (!message.includes(value.replace(/\s+/g, ' '))) {
    throw new Error(`the question should show the exact value ${JSON.stringify(value)}; it reads "${message}"`);
  }
  await pressDialogButton(page, 'Allow');
  return message;
}

/**
 * The editor's rendered lines by line number (1-based), spaces as U+0020. Monaco renders only the lines in view and
 * scrolls when a line is added, so a line's index in the rendered text is not its number: the number comes from the
 * line-number gutter row at the same height.
 */
export async function numberedLines(editor) {
  const lines = await editor.evaluate((root) => {
    const numbers = new Map();
    for (const row of root.querySelectorAll('.margin-view-overlays > div')) {
      const n = Number.parseInt(row.querySelector('.line-numbers')?.textContent ?? '', 10);
      if (Number.isInteger(n)) numbers.set(row.style.top, n);
    }
    return [...root.querySelectorAll('.view-lines .view-line')]
      .filter((l) => numbers.has(l.style.top))
      .map((l) => [numbers.get(l.style.top), l.textContent ?? '']);
  });
  return new Map(lines.map(([n, text]) => [n, text.replace(/\u00a0/g, ' ')]));
}

/** The number of the line reading exactly `text`, or undefined. */
export function lineNumberOf(lines, text) {
  for (const [n, s] of lines) if (s === text) return n;
  return undefined;
}

/** Numbered lines as text, for an error message. */
export const showLines = (lines) =>
  [...lines]
    .sort((a, b) => a[0] - b[0])
    .map(([n, s]) => `${n}: ${s}`)
    .join('\n');

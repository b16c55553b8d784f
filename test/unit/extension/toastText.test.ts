// A toast shows its message on one line; sentences of a multi-line server message must not run together.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toastText } from '../../../extension/toastText';

test('a line without a full stop gets one before the next sentence', () => {
  // The shape of the REPL client's "died while starting" message: its stderr tail on a line of its own.
  const message =
    'The Lean REPL (`lake env repl`) exited with code 1 while starting:\n' +
    'error: repl is not installed\n' +
    "Check that the REPL was built with this project's Lean version.";
  assert.equal(
    toastText(message),
    'The Lean REPL (`lake env repl`) exited with code 1 while starting: error: repl is not installed. ' +
      "Check that the REPL was built with this project's Lean version.",
  );
});

test('lines that end a sentence or a clause are joined with a space; blank lines and indentation go', () => {
  assert.equal(toastText('First.\n\n  Second!\nThird?\nList:\n  item'), 'First. Second! Third? List: item');
  assert.equal(toastText('a;\r\nb,\rc'), 'a; b, c');
});

test('a one-line message is unchanged', () => {
  const line = 'Lean is not installed: `lake` is neither on the PATH nor in ~/.elan/bin.';
  assert.equal(toastText(line), line);
  assert.equal(toastText(''), '');
});

test('escape sequences and bidi controls from a quoted output are shown, not obeyed', () => {
  assert.equal(toastText('stderr: \u001b]0;pwned\u0007 done\u202e'), 'stderr: ␛]0;pwned␇ done<U+202E>');
});

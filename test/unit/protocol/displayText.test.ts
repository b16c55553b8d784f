// What reaches a display: escape sequences, carriage returns and bidirectional controls become visible and inert;
// the CLI's messages name its own flags, the language server's name VS Code settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forDisplay, jsonForDisplay } from '../../../protocol';
import { cliMessage } from '../../../server/cli/output';
import { type RemedyKey, remedy, renderRemedies, vscodeWords } from '../../../server/remedies';

test('forDisplay makes terminal escapes, carriage returns and bidi controls visible', () => {
  const hostile = 'simp\u001b]0;pwned\u0007 \u001b[2Jnorm_num\rrfl \u009b31m x\u202egnp.exe\u2066';
  const shown = forDisplay(hostile);
  assert.equal(shown, 'simp␛]0;pwned␇ ␛[2Jnorm_num␍rfl <U+009B>31m x<U+202E>gnp.exe<U+2066>');
  assert.equal(forDisplay(shown), shown, 'idempotent: nothing left to escape');
  assert.equal(forDisplay('a\tb\r\nc ⊢ ∀ x, x = x'), 'a\tb\nc ⊢ ∀ x, x = x', 'tabs, newlines and Unicode math stay');
});

test('jsonForDisplay escapes what JSON.stringify leaves raw, and the data round-trips', () => {
  const value = { tactic: 'exact h\u009b2J\u202e\u001b[31m', n: 1 };
  const text = jsonForDisplay(value);
  assert.equal(forDisplay(text), text, 'nothing in it acts on a terminal');
  assert.deepEqual(JSON.parse(text), value);
});

test('remedies are written in each front end’s words, and every key has words in both', () => {
  const message = `The REPL hung. Raise the limit: ${remedy.setting('lean.importTimeoutMs')}, then ${remedy.restart}.`;
  assert.equal(
    renderRemedies(message, vscodeWords),
    'The REPL hung. Raise the limit: the setting `llemma.lean.importTimeoutMs`, then run "Llemma: Restart Server".',
  );
  assert.equal(cliMessage(message), 'The REPL hung. Raise the limit: `--timeout <ms>`, then run the command again.');
  const keys = Object.keys(vscodeWords.settings) as RemedyKey[];
  for (const key of keys) {
    assert.doesNotMatch(cliMessage(remedy.setting(key)), /\{\{|llemma\./, key);
    assert.match(renderRemedies(remedy.setting(key), vscodeWords), new RegExp(`llemma\\.${key.replace('.', '\\.')}`));
  }
});

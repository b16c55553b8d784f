// The decisions behind workspace-restricted settings: a value from a repository's .vscode/settings.json reaches the
// server only once the user approved that exact value; until then the server gets the user's value or the default.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allowButton,
  approvalQuestion,
  decide,
  noAnswers,
  pathInSection,
  readAnswers,
  recordAnswer,
  remoteHost,
  replaceAt,
  useMineButton,
} from '../../../extension/workspaceSettings';

const evil = 'sh -c "touch /tmp/pwned; exec lake exe repl"';

test('a workspace replCommand is withheld until approved; the user value (or the default) is used instead', () => {
  const fromWorkspace = { defaultValue: '', workspaceValue: evil };
  assert.deepEqual(decide('lean.replCommand', fromWorkspace, noAnswers), {
    kind: 'withheld',
    workspaceValue: evil,
    fallback: '',
    ask: true,
  });
  const withUserValue = { ...fromWorkspace, globalValue: 'lake env /opt/repl' };
  const d = decide('lean.replCommand', withUserValue, noAnswers);
  assert.equal(d.kind === 'withheld' && d.fallback, 'lake env /opt/repl');
});

test('a workspace folder value wins over the workspace value, as in VS Code', () => {
  const d = decide(
    'lean.replPath',
    { defaultValue: '', workspaceValue: '/a/repl', workspaceFolderValue: '/b/repl' },
    noAnswers,
  );
  assert.equal(d.kind === 'withheld' && d.workspaceValue, '/b/repl');
});

test('values that choose nothing new are not asked about: unset, the default, or the user value', () => {
  assert.equal(decide('lean.replCommand', { defaultValue: '', globalValue: evil }, noAnswers).kind, 'notFromWorkspace');
  assert.equal(
    decide('lean.replCommand', { defaultValue: '', workspaceValue: '' }, noAnswers).kind,
    'notFromWorkspace',
  );
  const same = { defaultValue: '', globalValue: 'lake exe repl', workspaceValue: 'lake exe repl' };
  assert.equal(decide('lean.replCommand', same, noAnswers).kind, 'notFromWorkspace');
  assert.equal(
    decide('search.allowNativeDecide', { defaultValue: false, workspaceValue: false }, noAnswers).kind,
    'notFromWorkspace',
  );
});

test('an approval covers exactly the approved value: a changed value is withheld and asked again', () => {
  const answers = recordAnswer(noAnswers, [{ key: 'lean.replCommand', value: evil }], allowButton);
  assert.equal(decide('lean.replCommand', { defaultValue: '', workspaceValue: evil }, answers).kind, 'approved');
  const changed = decide('lean.replCommand', { defaultValue: '', workspaceValue: `${evil} ` }, answers);
  assert.equal(changed.kind === 'withheld' && changed.ask, true);
  // The approval is for one key: the same text as replPath is still withheld.
  assert.equal(decide('lean.replPath', { defaultValue: '', workspaceValue: evil }, answers).kind, 'withheld');
});

test('"Use My Settings" is remembered: the value stays withheld and is not asked again; closing records nothing', () => {
  const pending = [{ key: 'model.path' as const, value: 'http://10.0.0.9:8000/v1' }];
  const declined = recordAnswer(noAnswers, pending, useMineButton);
  const d = decide('model.path', { defaultValue: '', workspaceValue: 'http://10.0.0.9:8000/v1' }, declined);
  assert.deepEqual(d, { kind: 'withheld', workspaceValue: 'http://10.0.0.9:8000/v1', fallback: '', ask: false });
  assert.deepEqual(recordAnswer(noAnswers, pending, undefined), noAnswers);
  // Allowing later replaces the refusal.
  const allowed = recordAnswer(declined, pending, allowButton);
  assert.deepEqual(allowed, { approved: { 'model.path': '"http://10.0.0.9:8000/v1"' }, declined: {} });
});

test('stored answers are read defensively', () => {
  assert.deepEqual(readAnswers(undefined), noAnswers);
  assert.deepEqual(readAnswers({ approved: { 'lean.replPath': 3, 'model.path': '"x"' }, declined: 'no' }), {
    approved: { 'model.path': '"x"' },
    declined: {},
  });
});

test('the key is found inside the configuration object of any section that contains it', () => {
  assert.deepEqual(pathInSection('llemma', 'lean.replCommand'), ['lean', 'replCommand']);
  assert.deepEqual(pathInSection(undefined, 'model.path'), ['llemma', 'model', 'path']);
  assert.deepEqual(pathInSection('llemma.lean', 'lean.replPath'), ['replPath']);
  assert.deepEqual(pathInSection('llemma.lean.replPath', 'lean.replPath'), []);
  assert.equal(pathInSection('llemma.model', 'lean.replPath'), undefined);
  assert.equal(pathInSection('llemmaX', 'lean.replPath'), undefined);
});

test('replaceAt substitutes a nested value without changing the input', () => {
  const section = { lean: { replCommand: evil, requestTimeoutMs: 5 }, model: { path: '' } };
  const out = replaceAt(section, ['lean', 'replCommand'], '');
  assert.deepEqual(out, { lean: { replCommand: '', requestTimeoutMs: 5 }, model: { path: '' } });
  assert.equal(section.lean.replCommand, evil);
  assert.equal(replaceAt(evil, [], ''), '');
  assert.deepEqual(replaceAt(null, ['a', 'b'], 1), { a: { b: 1 } });
});

test('the question shows the exact value, and for a model URL the host that would receive the goals', () => {
  const one = approvalQuestion([{ key: 'lean.replCommand', value: evil }]);
  assert.equal(one.message, `This workspace sets llemma.lean.replCommand to \`${evil}\`. Run it?`);
  assert.match(one.detail, /runs this command line/);
  const url = approvalQuestion([{ key: 'model.path', value: 'https://goals.example.com:8443/v1#model=x' }]);
  assert.match(url.message, /Send your goals to goals\.example\.com:8443\?$/);
  assert.match(url.detail, /sends the proof states of your Lean files to the model server at goals\.example\.com:8443/);
  const folder = approvalQuestion([{ key: 'model.path', value: '/models/llemma' }]);
  assert.match(folder.message, /Load this model\?$/);
  const two = approvalQuestion([
    { key: 'lean.replPath', value: './evil' },
    { key: 'search.allowNativeDecide', value: true },
  ]);
  assert.match(two.message, /sets 2 Llemma settings/);
  assert.match(two.detail, /llemma\.lean\.replPath = `\.\/evil`/);
  assert.match(two.detail, /llemma\.search\.allowNativeDecide = true: .*native_decide/);
});

test('remoteHost tells a server URL from a folder', () => {
  assert.equal(remoteHost('http://localhost:8000/v1'), 'localhost:8000');
  assert.equal(remoteHost('HTTPS://a.b/v1'), 'a.b');
  assert.equal(remoteHost('/home/me/model'), undefined);
  assert.equal(remoteHost(''), undefined);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  defaultSettings,
  executionProviders,
  generationGraphModes,
  invalidSettings,
  parseSetting,
  resolveSettings,
  restartKeys,
  type SettingSpec,
  settingKeys,
  settingsSchema,
  settingsSection,
  workspaceRestrictedKeys,
} from '../../../protocol';
import {
  configurationContribution,
  settingsTable,
  settingsTargets,
  tableEnd,
  tableStart,
  withGeneratedSettings,
} from '../../../scripts/settingsManifest';

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
const manifest = JSON.parse(read('package.json'));
const specs: Readonly<Record<string, SettingSpec>> = settingsSchema;
const regenerate = 'differs from protocol/settings.ts: run `npm run gen:settings`';

test("package.json's contributes.configuration is the one generated from protocol/settings.ts", () => {
  assert.deepEqual(manifest.contributes.configuration, configurationContribution(), `package.json ${regenerate}`);
  for (const [k, v] of Object.entries(manifest.contributes.configuration.properties) as [string, { type: string }][]) {
    const key = k.slice(settingsSection.length + 1) as keyof typeof defaultSettings;
    assert.equal(v.type, typeof defaultSettings[key], `type of ${k}`);
  }
});

test('every file the generator writes is as it writes it', () => {
  for (const file of settingsTargets) {
    const text = read(file);
    assert.equal(text, withGeneratedSettings(file, text), `${file} ${regenerate}`);
  }
});

test('the settings tables list every setting with its default', () => {
  const table = settingsTable();
  for (const file of ['README.md', 'docs/user-README.md']) {
    const text = read(file);
    assert.ok(text.includes(`${tableStart}\n\n${table}\n\n${tableEnd}`), `${file} ${regenerate}`);
  }
  for (const key of settingKeys) {
    const shown = defaultSettings[key] === '' ? '""' : String(defaultSettings[key]);
    assert.match(table, new RegExp(`^\\| \`${settingsSection}\\.${key}\` +\\| \`${shown}\` +\\|`, 'm'), key);
  }
});

test('every default is a value its setting admits, and every choice has its description', () => {
  for (const key of settingKeys) {
    assert.deepEqual(parseSetting(key, defaultSettings[key]), defaultSettings[key], key);
    const spec = specs[key]!;
    if ('choices' in spec) assert.equal(spec.choices.descriptions.length, spec.choices.values.length, key);
  }
  assert.deepEqual(settingsSchema['model.executionProvider'].choices.values, ['auto', ...executionProviders]);
  assert.deepEqual(settingsSchema['model.generationGraph'].choices.values, generationGraphModes);
});

test('resolveSettings reads nested and flat keys and keeps defaults for missing or mistyped values', () => {
  const nested = resolveSettings({ lean: { replPath: '/opt/repl', requestTimeoutMs: 5000, importTimeoutMs: 'soon' } });
  assert.equal(nested['lean.replPath'], '/opt/repl');
  assert.equal(nested['lean.requestTimeoutMs'], 5000);
  assert.equal(nested['lean.importTimeoutMs'], defaultSettings['lean.importTimeoutMs']);
  assert.equal(resolveSettings({ 'lean.replCommand': 'lake exe repl' })['lean.replCommand'], 'lake exe repl');
  assert.deepEqual(resolveSettings(null), defaultSettings);
});

test('resolveSettings reads a choice among its values and an execution-provider list as the list', () => {
  const graph = (raw: unknown) => resolveSettings({ model: { generationGraph: raw } })['model.generationGraph'];
  assert.equal(graph('on'), 'on');
  assert.equal(graph(' off '), 'off');
  assert.equal(graph('yes'), 'auto');
  assert.equal(graph(true), 'auto');
  const ep = (raw: unknown) => resolveSettings({ model: { executionProvider: raw } })['model.executionProvider'];
  assert.equal(ep('auto'), 'auto');
  assert.equal(ep(''), 'auto');
  assert.deepEqual(ep('cuda'), ['cuda']);
  assert.deepEqual(ep(' cuda, cpu '), ['cuda', 'cpu']);
  assert.equal(ep('cuda,gpu'), 'auto', 'a list with an unknown provider keeps the default');
  assert.equal(ep('auto,cpu'), 'auto');
  assert.equal(ep(['cuda']), 'auto', 'the setting is text');
  assert.equal(parseSetting('model.executionProvider', 'gpu'), undefined);
});

test('restart keys are real settings', () => {
  for (const k of restartKeys) assert.ok(k in defaultSettings, k);
  assert.deepEqual(restartKeys, ['lean.replCommand', 'lean.replPath', 'isabelle.path', 'isabelle.session']);
});

test("package.json's restrictedConfigurations are exactly the workspace-restricted keys of protocol/settings.ts", () => {
  const untrusted = manifest.capabilities?.untrustedWorkspaces;
  assert.equal(untrusted?.supported, 'limited');
  assert.deepEqual(
    untrusted.restrictedConfigurations,
    workspaceRestrictedKeys.map((k) => `${settingsSection}.${k}`),
    `package.json ${regenerate}`,
  );
  for (const k of workspaceRestrictedKeys) assert.ok(k in defaultSettings, k);
});

test('invalid values are named, with the default used instead', () => {
  assert.deepEqual(
    invalidSettings({ model: { generationGraph: 'yes', executionProvider: 'cuda,tpu' }, 'suggest.shown': '8' }),
    [
      'llemma.model.executionProvider is "cuda,tpu", which is not one of auto, cuda, webgpu, cpu (or a comma-separated list); the default "auto" is used.',
      'llemma.model.generationGraph is "yes", which is not one of auto, on, off; the default "auto" is used.',
      'llemma.suggest.shown is "8", which is not a number; the default "8" is used.',
    ],
  );
  assert.deepEqual(invalidSettings({ model: { generationGraph: 'on' }, 'lean.replPath': null }), []);
});

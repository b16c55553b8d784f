import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  defaultSettings,
  resolveSettings,
  restartKeys,
  settingsSection,
  workspaceRestrictedKeys,
} from '../../protocol';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const contributed: Record<string, { type: string; default: unknown }> = manifest.contributes.configuration.properties;

test('package.json contributes exactly the settings of protocol/settings.ts, with the same defaults and types', () => {
  const fromManifest = Object.fromEntries(
    Object.entries(contributed).map(([k, v]) => [k.slice(settingsSection.length + 1), v.default]),
  );
  assert.deepEqual(fromManifest, defaultSettings);
  for (const [k, v] of Object.entries(contributed)) {
    const key = k.slice(settingsSection.length + 1) as keyof typeof defaultSettings;
    assert.equal(v.type, typeof defaultSettings[key], `type of ${k}`);
  }
});

test('resolveSettings reads nested and flat keys and keeps defaults for missing or mistyped values', () => {
  const nested = resolveSettings({ lean: { replPath: '/opt/repl', requestTimeoutMs: 5000, importTimeoutMs: 'soon' } });
  assert.equal(nested['lean.replPath'], '/opt/repl');
  assert.equal(nested['lean.requestTimeoutMs'], 5000);
  assert.equal(nested['lean.importTimeoutMs'], defaultSettings['lean.importTimeoutMs']);
  assert.equal(resolveSettings({ 'lean.replCommand': 'lake exe repl' })['lean.replCommand'], 'lake exe repl');
  assert.deepEqual(resolveSettings(null), defaultSettings);
});

test('restart keys are real settings', () => {
  for (const k of restartKeys) assert.ok(k in defaultSettings, k);
});

test("package.json's restrictedConfigurations are exactly the workspace-restricted keys of protocol/settings.ts", () => {
  const untrusted = manifest.capabilities?.untrustedWorkspaces;
  assert.equal(untrusted?.supported, 'limited');
  assert.deepEqual(
    untrusted.restrictedConfigurations,
    workspaceRestrictedKeys.map((k) => `${settingsSection}.${k}`),
  );
  for (const k of workspaceRestrictedKeys) assert.ok(k in defaultSettings, k);
});

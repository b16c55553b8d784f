// The extension's manifest as users and the marketplace see it: names that agree, no placeholder links, and the
// README that is packaged being the user README.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');
const manifest = JSON.parse(read('package.json'));
const title = (markdown: string) => /^# (.+)$/m.exec(markdown)?.[1];

/** The `--readme-path` of the package script: the README that goes into the .vsix. */
function packagedReadme(): string {
  const m = /--readme-path\s+(\S+)/.exec(manifest.scripts.package);
  assert.ok(m, 'the package script names the user README with --readme-path');
  return m[1]!;
}

test('the display name is the title of the packaged README and of the repository README', () => {
  const readme = packagedReadme();
  assert.ok(existsSync(path.join(root, readme)), readme);
  assert.equal(title(read(readme)), manifest.displayName);
  assert.equal(title(read('README.md')), manifest.displayName);
});

test('the packaged README is written for users: no relative links (they would break in the marketplace)', () => {
  const text = read(packagedReadme());
  const links = [...text.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.ok(links.length > 0);
  for (const link of links) assert.match(link, /^https:\/\//, link);
  assert.match(text, /Restricted Mode/);
  for (const command of manifest.contributes.commands)
    assert.ok(text.includes(`Llemma: ${command.title}`), command.title);
  for (const key of Object.keys(manifest.contributes.configuration.properties)) assert.ok(text.includes(key), key);
});

test('the manifest carries no placeholder links', () => {
  const text = read('package.json');
  assert.doesNotMatch(text, /example\.(invalid|com|org)/);
  for (const field of ['repository', 'homepage', 'bugs']) {
    const value = JSON.stringify(manifest[field] ?? '');
    assert.doesNotMatch(value, /example|invalid|localhost/, field);
  }
});

// `npm run gen:settings`: writes the settings of protocol/settings.ts into package.json and the READMEs
// (scripts/settingsManifest.ts) and names the files it changed.

import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { settingsTargets, withGeneratedSettings } from './settingsManifest';

const root = path.resolve(import.meta.dirname, '..');
for (const file of settingsTargets) {
  const abs = path.join(root, file);
  const before = readFileSync(abs, 'utf8');
  const after = withGeneratedSettings(file, before);
  if (after === before) continue;
  writeFileSync(abs, after);
  console.log(`updated ${file}`);
}

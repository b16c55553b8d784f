// What protocol/settings.ts says about the settings, written where VS Code and the readers look for it: package.json's
// `contributes.configuration` and `restrictedConfigurations`, and the settings tables of README.md and
// docs/user-README.md (between marker comments). `npm run gen:settings` (scripts/genSettings.ts) rewrites the files;
// test/unit/house/settings.test.ts fails while a file differs from what this module makes of it.

import { type SettingSpec, settingKeys, settingsSchema, settingsSection, workspaceRestrictedKeys } from '../protocol';

/** The files this module writes, relative to the repository root. */
export const settingsTargets = ['package.json', 'README.md', 'docs/user-README.md'] as const;

export const tableStart = '<!-- settings table: generated from protocol/settings.ts by `npm run gen:settings` -->';
export const tableEnd = '<!-- end of settings table -->';

const specs: Readonly<Record<string, SettingSpec>> = settingsSchema;

/** package.json's `contributes.configuration`: one property per setting, its fields in a fixed order. */
export function configurationContribution(): { title: string; properties: Record<string, unknown> } {
  const properties: Record<string, unknown> = {};
  for (const key of settingKeys) {
    const spec = specs[key]!;
    properties[`${settingsSection}.${key}`] = {
      type: spec.kind === 'choice' || spec.kind === 'autoOrList' ? 'string' : spec.kind,
      default: spec.default,
      ...(spec.scope ? { scope: spec.scope } : {}),
      ...('choices' in spec ? { enum: spec.choices.values, enumDescriptions: spec.choices.descriptions } : {}),
      ...('minimum' in spec ? { minimum: spec.minimum } : {}),
      ...('maximum' in spec ? { maximum: spec.maximum } : {}),
      markdownDescription: spec.markdownDescription,
    };
  }
  return { title: 'Llemma', properties };
}

/** package.json's `capabilities.untrustedWorkspaces.restrictedConfigurations`. */
export function restrictedConfigurations(): string[] {
  return workspaceRestrictedKeys.map((key) => `${settingsSection}.${key}`);
}

/** The settings table of the READMEs: setting, default, what it does (with the range when it has a maximum). */
export function settingsTable(): string {
  const rows = settingKeys.map((key) => {
    const spec = specs[key]!;
    const range = 'maximum' in spec && spec.maximum !== undefined ? ` (${spec.minimum ?? 0}–${spec.maximum})` : '';
    return [`\`${settingsSection}.${key}\``, `\`${spec.default === '' ? '""' : spec.default}\``, spec.summary + range];
  });
  const header = ['setting', 'default', 'what it does'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `text` of `file` (one of `settingsTargets`) with its settings written from protocol/settings.ts. */
export function withGeneratedSettings(file: (typeof settingsTargets)[number], text: string): string {
  if (file === 'package.json') {
    const manifest = JSON.parse(text);
    manifest.capabilities.untrustedWorkspaces.restrictedConfigurations = restrictedConfigurations();
    manifest.contributes.configuration = configurationContribution();
    return `${JSON.stringify(manifest, null, 2)}\n`;
  }
  const start = text.indexOf(tableStart);
  const end = text.indexOf(tableEnd);
  if (start < 0 || end < start) throw new Error(`${file} has no "${tableStart}" … "${tableEnd}" markers`);
  return `${text.slice(0, start + tableStart.length)}\n\n${settingsTable()}\n\n${text.slice(end)}`;
}

/**
 * JSON as the repository's formatter (Biome) prints it: objects one key per line, arrays of plain values on one line
 * when they fit in 120 columns. Files the stages write into the repository (the default model's config.json and
 * tokenizer.json) are then already formatted, and `biome check` stays clean after a re-run.
 */
const lineWidth = 120;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function formatJson(value: unknown): string {
  return `${print(value as Json, '', 0)}\n`;
}

function print(value: Json, indent: string, column: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const flat = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
      // The trailing comma after a value in its parent counts towards the width.
      if (column + flat.length + 1 <= lineWidth) return flat;
    }
    return `[\n${value.map((v) => `${inner}${print(v, inner, inner.length)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([k, v]) => {
    const key = `${inner}${JSON.stringify(k)}: `;
    return `${key}${print(v, inner, key.length)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

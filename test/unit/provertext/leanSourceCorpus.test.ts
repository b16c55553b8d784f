// Property tests of the Lean source functions over real Lean 4 code: every miniF2F theorem (four JSONL variants), a
// spread of ~470 Mathlib4 files and ~130 compfiles files. The corpus lives in the project's data folder (not in the
// repository, it is 80 MB): $LLEMMA_DATA_DIR, ./data or ../shared/data; the suite is skipped, saying so, without it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  CODE,
  declarationAt,
  isWordAt,
  planGoalQuery,
  scanLean,
  skipSpaceAndComments,
  sorrySites,
  splitHeader,
  topLevelCommands,
} from '@llemma/prover-text/lean';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');
const dataDir = [process.env.LLEMMA_DATA_DIR, path.join(repo, 'data'), path.join(repo, '..', 'shared', 'data')].find(
  (d) => d !== undefined && existsSync(path.join(d, 'minif2f-lean4')),
);
const skip = dataDir ? false : 'no Lean corpus (set LLEMMA_DATA_DIR to the data folder)';

/** The rows of a JSONL file whose index passes `keep` (only those are parsed: the Mathlib file is 70 MB). */
function jsonl(file: string, keep: (index: number) => boolean = () => true): Record<string, string>[] {
  return readFileSync(path.join(dataDir ?? '', file), 'utf8')
    .trim()
    .split('\n')
    .filter((_l, i) => keep(i))
    .map((l) => JSON.parse(l.replace(/: NaN\b/g, ': null')) as Record<string, string>);
}

/** Each miniF2F row as a whole file, with the theorem's name. */
function miniF2F(): { name: string; text: string; imports: string }[] {
  const imports = (h: string) => /^(?:import [^\n]*\n)+/.exec(h)?.[0] ?? '';
  const rows: { name: string; text: string; imports: string }[] = [];
  for (const r of jsonl('minif2f-lean4/yangky11_minif2f_lean4.jsonl')) {
    rows.push({ name: r.name!, text: r.source_text!, imports: imports(r.source_text!) });
  }
  for (const r of jsonl('minif2f-lean4/deepseek_prover_v1.5_minif2f.jsonl')) {
    const text = `${r.header}${r.informal_prefix}${r.formal_statement}  sorry\n`;
    rows.push({ name: r.name!, text, imports: imports(r.header!) });
  }
  for (const r of jsonl('minif2f-lean4/deepseek_prover_v1.5_minif2f_valid_few_shot.jsonl')) {
    rows.push({ name: r.name!, text: `${r.informal_prefix}${r.formal_statement}${r.formal_proof}\n`, imports: '' });
  }
  for (const r of jsonl('minif2f-lean4/yangky11_minif2f_lean4_legacy_v4.20.jsonl')) {
    rows.push({ name: r.name!, text: `${r.header}\n\n${r.formal_statement}\n`, imports: imports(`${r.header}\n`) });
  }
  return rows;
}

const theoremLine = /^(theorem|lemma)\s+([^\s:({[⦃]+)/gm;

describe('Lean source functions over a real corpus', { skip }, () => {
  test('miniF2F: every theorem is found with its name and its header is the imports', () => {
    const rows = miniF2F();
    assert.equal(rows.length, 488 * 3 + 67);
    for (const { name, text, imports } of rows) {
      const found = [...text.matchAll(theoremLine)];
      assert.ok(found.length >= 1, name);
      for (const m of found) {
        const decl = declarationAt(text, m.index);
        assert.equal(decl?.keywordStart, m.index, name);
        assert.equal(decl?.name, m[2], name);
      }
      assert.ok(
        found.some((m) => m[2] === name),
        `${name} is among the theorems`,
      );
      assert.equal(splitHeader(text).header, imports, name);
    }
  });

  test('miniF2F: the goal query in each proof names the theorem and keeps the imports and opens apart', () => {
    for (const { name, text, imports } of miniF2F().slice(0, 976)) {
      const lines = text.trimEnd().split('\n');
      const last = lines.length - 1;
      const plan = planGoalQuery(text, { line: last, character: lines[last]!.length });
      assert.ok(!('reason' in plan), `${name}: ${JSON.stringify(plan)}`);
      assert.equal(plan.declName, name);
      assert.equal(plan.header, imports);
      assert.match(plan.preamble, /open BigOperators Real Nat Topology Rat/);
      assert.match(plan.cmd, /all_goals sorry$/);
    }
  });

  const sample = () => [
    ...jsonl('mathlib4/mathlib4_lean_files.jsonl', (i) => i % 10 === 0),
    ...jsonl('compfiles/compfiles_lean_files.jsonl', (i) => i % 4 === 0),
  ];

  test('Mathlib4 and compfiles: every theorem/lemma at column 0 in code is a declaration of that name', () => {
    let checked = 0;
    let inComments = 0;
    for (const { path: file, text } of sample() as { path: string; text: string }[]) {
      const mask = scanLean(text);
      const commands = topLevelCommands(text, mask);
      for (const m of text.matchAll(theoremLine)) {
        if (mask[m.index] !== CODE) {
          // Only block comments (doc strings with examples) hold such lines; the region must open with `/-`.
          let start = m.index;
          while (start > 0 && mask[start - 1] !== CODE) start--;
          assert.ok(text.startsWith('/-', start), `${file}: ${m[0]} in a non-comment region`);
          inComments++;
          continue;
        }
        const decl = commands.find((c) => c.start <= m.index && m.index < c.end);
        assert.equal(decl?.keywordStart, m.index, `${file}: ${m[0]}`);
        assert.equal(decl?.name, m[2], `${file}: ${m[0]}`);
        checked++;
      }
      const header = splitHeader(text, mask).header;
      assert.ok(header === '' || /import [^\n]*\n?$/.test(header), `${file}: header ends with an import`);
    }
    assert.ok(checked > 10000, `only ${checked} theorems checked`);
    assert.ok(inComments < 50, `${inComments} theorems in comments`);
  });

  test('every sorry in code is a search site exactly where the goal query at it replaces text from the sorry on', () => {
    const texts = [
      ...miniF2F().map((r) => r.text),
      ...jsonl('mathlib4/mathlib4_lean_files.jsonl').flatMap((r) => (r.text?.includes('sorry') ? [r.text] : [])),
      ...jsonl('compfiles/compfiles_lean_files.jsonl').flatMap((r) => (r.text?.includes('sorry') ? [r.text] : [])),
    ];
    let sites = 0;
    let others = 0;
    for (const text of texts) {
      const mask = scanLean(text);
      const found = new Set(sorrySites(text).map((s) => `${s.position.line}:${s.position.character}`));
      const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
      for (let i = text.indexOf('sorry'); i >= 0; i = text.indexOf('sorry', i + 1)) {
        if (mask[i] !== CODE || !isWordAt(text, i, 'sorry') || !declarationAt(text, i, mask)) continue;
        const line = starts.findLastIndex((o) => o <= i);
        const position = { line, character: i - (starts[line] ?? 0) };
        const plan = planGoalQuery(text, position);
        const startsHere = !('reason' in plan) && skipSpaceAndComments(text, mask, plan.completion.replaceFrom) === i;
        assert.equal(
          found.has(`${line}:${position.character}`),
          startsHere,
          `line ${line + 1}: ${text.split('\n')[line]}`,
        );
        if (startsHere) sites++;
        else others++;
      }
    }
    assert.ok(sites > 500, `only ${sites} sites`);
    assert.ok(others > 10, `only ${others} sorries that are no site`);
  });

  test('compfiles: at every line of the small files, the plan keeps a prefix of the file and appends one probe line', () => {
    let plans = 0;
    for (const { text = '' } of jsonl('compfiles/compfiles_lean_files.jsonl', (i) => i % 10 === 0)) {
      // Each plan scans its whole file; small files keep this test fast.
      if (text.length > 20000) continue;
      const lines = text.split('\n');
      for (let line = 0; line < lines.length; line++) {
        const plan = planGoalQuery(text, { line, character: lines[line]!.length });
        if ('reason' in plan) continue;
        plans++;
        const cut = plan.cmd.lastIndexOf('\n') + 1;
        const kept = plan.header + plan.preamble + plan.cmd.slice(0, cut);
        assert.ok(text.startsWith(kept) || (kept.endsWith('by\n') && text.startsWith(kept.slice(0, -1))));
        const probe = plan.cmd.slice(cut);
        assert.match(probe, /^ +all_goals sorry$/);
        assert.equal(plan.probe.column, probe.indexOf('sorry'));
        assert.equal(plan.probe.line, plan.cmd.split('\n').length);
      }
    }
    assert.ok(plans > 1000, `only ${plans} plans`);
  });
});

// Writes server/minif2f/data/<variant>.json from the miniF2F Lean 4 sources (PROVENANCE.md there): for each problem
// its name, split and formal statement, plus the header every problem shares and the source file's SHA-256. The
// statements are copied byte for byte; only the fields a formal-to-formal run needs are kept. The Isabelle variant
// (isabelle.json, from the miniF2F Isabelle sources) keeps each problem's whole theory byte for byte instead: its
// header differs from problem to problem, and some theories ship a proof, which a run strips.
//
// Usage: node scripts/minif2fData.mjs <folder holding the Lean .jsonl files> [<folder holding the Isabelle .jsonl>]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const sources = [
  {
    variant: 'yangky11',
    file: 'yangky11_minif2f_lean4.jsonl',
    repository: 'https://github.com/yangky11/miniF2F-lean4',
    commit: '5746b7d6c47855ce1294bed87329618ff7f1bc31',
  },
  {
    variant: 'deepseek',
    file: 'deepseek_prover_v1.5_minif2f.jsonl',
    repository: 'https://github.com/deepseek-ai/DeepSeek-Prover-V1.5',
    commit: '2c4ba9119eef74d0d611f494261b2c5bae98c69a',
  },
];

const from = process.argv[2];
if (!from) {
  process.stderr.write('usage: node scripts/minif2fData.mjs <folder with the source .jsonl files>\n');
  process.exit(2);
}
const out = path.resolve(import.meta.dirname, '..', 'server', 'minif2f', 'data');
const splitOrder = { valid: 0, test: 1 };

for (const s of sources) {
  const bytes = readFileSync(path.join(from, s.file));
  const rows = bytes
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  const headers = new Set(rows.map((r) => r.header));
  if (headers.size !== 1) throw new Error(`${s.file}: ${headers.size} different headers; expected one`);
  const problems = rows
    .map((r) => {
      if (!(r.split in splitOrder)) throw new Error(`${s.file}: ${r.name} has split ${r.split}`);
      if (!r.formal_statement.endsWith(':= by\n')) throw new Error(`${s.file}: ${r.name} does not end with := by`);
      return { name: r.name, split: r.split, statement: r.formal_statement };
    })
    .sort((a, b) => splitOrder[a.split] - splitOrder[b.split] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const data = {
    variant: s.variant,
    source: {
      repository: s.repository,
      commit: s.commit,
      file: s.file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
    header: [...headers][0],
    problems,
  };
  const target = path.join(out, `${s.variant}.json`);
  writeFileSync(target, `${JSON.stringify(data, null, 1)}\n`);
  process.stdout.write(`${path.relative(process.cwd(), target)}: ${problems.length} problems\n`);
}

const isabelle = {
  file: 'facebookresearch_minif2f_isabelle.jsonl',
  repository: 'https://github.com/facebookresearch/miniF2F',
  commit: 'e4f113090ad82d64f8ce064d2f55b613a9b6bded',
};
const isabelleFrom = process.argv[3];
if (isabelleFrom) {
  const bytes = readFileSync(path.join(isabelleFrom, isabelle.file));
  const rows = bytes
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  const problems = rows
    .map((r) => {
      if (!(r.split in splitOrder)) throw new Error(`${isabelle.file}: ${r.name} has split ${r.split}`);
      if (r.theory_name !== r.name) throw new Error(`${isabelle.file}: ${r.name} is in theory ${r.theory_name}`);
      return { name: r.name, split: r.split, theory: r.source_text };
    })
    .sort((a, b) => splitOrder[a.split] - splitOrder[b.split] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const data = {
    variant: 'isabelle',
    source: {
      repository: isabelle.repository,
      commit: isabelle.commit,
      file: isabelle.file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
    problems,
  };
  const target = path.join(out, 'isabelle.json');
  writeFileSync(target, `${JSON.stringify(data, null, 1)}\n`);
  process.stdout.write(`${path.relative(process.cwd(), target)}: ${problems.length} problems\n`);
}

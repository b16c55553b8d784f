// The Isabelle variant of miniF2F: every shipped theory, its proofs stripped, is one search from its theorem's sorry.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { statementSorries, theoryHeader, theoryStatements, unfinishedProofs } from '@llemma/prover-text/isabelle';
import { miniF2FVariantIds } from '../../../protocol';
import { categoryOf, problemFile, selectProblems, variantProblems } from '../../../server/minif2f/problems';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

test('the Isabelle variant ships 244 valid and 244 test theories, each named as its theorem', () => {
  assert.ok(miniF2FVariantIds.includes('isabelle'));
  const problems = variantProblems('isabelle');
  assert.equal(problems.filter((p) => p.split === 'valid').length, 244);
  assert.equal(problems.filter((p) => p.split === 'test').length, 244);
  for (const p of problems) {
    assert.equal(theoryHeader(p.statement)?.name, p.name, p.name);
    assert.ok(categoryOf(p.name));
  }
  const data = JSON.parse(readFileSync(path.join(root, 'server/minif2f/data/isabelle.json'), 'utf8'));
  const provenance = readFileSync(path.join(root, 'server/minif2f/data/PROVENANCE.md'), 'utf8');
  assert.ok(provenance.includes(data.source.commit));
  assert.ok(provenance.includes(`\`${data.source.sha256.slice(0, 8)}…\``), 'the checksum in PROVENANCE.md');
});

test('a problem file is its theory with every shipped proof stripped, searched from its theorem’s sorry', () => {
  let shippedProofs = 0;
  for (const p of variantProblems('isabelle')) {
    if (unfinishedProofs(p.statement).length === 0) shippedProofs++;
    const { text, position, extension } = problemFile('isabelle', p);
    assert.equal(extension, '.thy');
    const statements = theoryStatements(text);
    assert.equal(statements.length, 1, p.name);
    const proof = text.slice(statements[0]!.proofStart, statements[0]!.end).trim();
    assert.equal(proof, 'sorry', `${p.name}: the proof is stripped`);
    assert.deepEqual(statementSorries(text)[0]?.first, position, p.name);
    assert.ok(text.trimEnd().endsWith('end'), p.name);
  }
  // PROVENANCE.md: 71 test and 76 valid theories ship a proof.
  assert.equal(shippedProofs, 147);
  assert.equal(selectProblems('isabelle', { split: 'test', limit: 3 }).length, 3);
});

// The `.thy` language as the manifest contributes it: the language id the official Isabelle extension uses, a grammar
// that knows the outer-syntax vocabulary the server's theory reader knows, and every prover language activating the
// extension and offering its commands.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  decisionProcedures,
  proofStartKeywords,
  statementKeywords,
  theoryLevelKeywords,
  unfinishedProofKeywords,
} from '@llemma/prover-text/isabelle';
import { LanguageIds, proverLanguageIds } from '../../../protocol';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  captures?: Record<string, { name: string }>;
}
const isabelleGrammar = manifest.contributes.grammars.find((g: { language: string }) => g.language === 'isabelle');
const grammar: { scopeName: string; patterns: Rule[] } = JSON.parse(
  readFileSync(path.join(root, isabelleGrammar.path), 'utf8'),
);

/** The scope the grammar's top-level rules give a lone word (the first rule whose match is the whole word). */
function scopeOf(word: string): string | undefined {
  for (const rule of grammar.patterns) {
    if (!rule.match) continue;
    const m = new RegExp(rule.match, 'u').exec(` ${word} `);
    if (m && (m[1] ?? m[0]).trim() === word) return rule.name ?? rule.captures?.['1']?.name;
  }
  return undefined;
}

describe('the Isabelle language and grammar', () => {
  it('uses the official Isabelle extension’s language id and scope for .thy files', () => {
    const language = manifest.contributes.languages.find((l: { id: string }) => l.id === LanguageIds.isabelle);
    assert.deepEqual(language.extensions, ['.thy']);
    assert.equal(isabelleGrammar.scopeName, 'source.isabelle');
    assert.equal(grammar.scopeName, isabelleGrammar.scopeName);
  });

  it('activates on, and offers its editor commands in, every prover language', () => {
    for (const id of proverLanguageIds) {
      assert.ok(manifest.activationEvents.includes(`onLanguage:${id}`), id);
      for (const entry of manifest.contributes.menus.commandPalette) {
        if (entry.command === 'llemma.cancelSearch') continue;
        assert.ok(String(entry.when).includes(`editorLangId == ${id}`), `${entry.command} in ${id}`);
      }
    }
  });

  it('marks every statement, proof and theory-level keyword the theory reader knows', () => {
    const words = [...statementKeywords, ...proofStartKeywords, ...theoryLevelKeywords, 'theory', 'imports', 'begin'];
    for (const word of words) {
      const scope = scopeOf(word);
      assert.match(scope ?? '', /^(keyword|storage|invalid)\./, `${word}: ${scope}`);
    }
    for (const word of unfinishedProofKeywords) assert.match(scopeOf(word) ?? '', /^invalid\./, word);
  });

  it('marks the decision procedures’ methods', () => {
    for (const step of decisionProcedures) {
      const method = /^by \(?(\w+)/.exec(step)?.[1] ?? '';
      assert.match(scopeOf(method) ?? '', /^support\.function\.method\./, step);
    }
  });

  it('does not mark a word that merely contains a keyword', () => {
    assert.equal(scopeOf('lemmata'), undefined);
    assert.equal(scopeOf('simple'), undefined);
  });
});

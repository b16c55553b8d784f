import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  codeMask,
  planIsabelleGoal,
  proofTheory,
  questionTheory,
  sledgehammerCommand,
  stripProofs,
  theoryHeader,
  theoryStatements,
  unfinishedProofs,
} from '@llemma/prover-text/isabelle';

const minif2f = join(import.meta.dirname, '..', '..', 'fixtures', 'isabelle', 'minif2f');
const read = (f: string) => readFileSync(join(minif2f, f), 'utf8');

describe('theory text', () => {
  it('marks nested comments, strings and cartouches as not code', () => {
    const text = 'lemma (* a (* b *) sorry *) "sorry" \\<open>x \\<open>sorry\\<close>\\<close> ‹sorry› sorry';
    const mask = codeMask(text);
    const code = [...text].filter((_, i) => mask[i]).join('');
    assert.equal(code.replace(/\s+/g, ' ').trim(), 'lemma sorry');
    assert.deepEqual(unfinishedProofs(text), [{ keyword: 'sorry', offset: text.lastIndexOf('sorry') }]);
  });

  it('reads the header and the statements of every miniF2F sample', () => {
    for (const f of readdirSync(minif2f).filter((x) => x.endsWith('.thy'))) {
      const text = read(f);
      const name = f.replace(/\.thy$/, '');
      assert.equal(theoryHeader(text)?.name, name);
      const statements = theoryStatements(text);
      assert.equal(statements.length, 1, f);
      assert.equal(statements[0]?.name, name);
      assert.ok((statements[0]?.proofStart ?? -1) > 0, f);
      assert.equal(text.slice(statements[0]?.end).trim(), 'end');
    }
  });

  it('strips existing proofs, leaving sorry in their place', () => {
    for (const f of ['aime_1983_p1.thy', 'mathd_algebra_107.thy']) {
      const stripped = stripProofs(read(f));
      assert.doesNotMatch(stripped, /\bby\b|\bqed\b|\busing\b/);
      assert.equal(unfinishedProofs(stripped).length, 1);
      assert.match(stripped, /shows "[^"]*"\s*sorry\s*end\s*$/);
    }
    // A file whose proof is already `sorry` keeps its text.
    assert.equal(
      stripProofs(read('imo_1959_p1.thy')).replace(/\s+/g, ' '),
      read('imo_1959_p1.thy').replace(/\s+/g, ' '),
    );
  });
});

describe('planIsabelleGoal', () => {
  const text = [
    'theory Demo imports Main begin',
    '',
    'lemma helper: "x = (x::nat)" by simp',
    '',
    'lemma demo: "\\<forall>x. \\<exists>y. x = (y::nat)"',
    '  apply (rule allI)',
    '  apply auto',
    '  done',
    '',
    'end',
  ].join('\n');

  it('plans the state before the step on the cursor line, and refuses the statement line', () => {
    const plan = planIsabelleGoal(text, { line: 6, character: 3 });
    assert.ok(!('reason' in plan));
    assert.equal(plan.declName, 'demo');
    assert.deepEqual(plan.steps, ['apply (rule allI)']);
    assert.equal(plan.indent, '  ');
    assert.match(plan.preamble, /lemma helper/);
    const q = questionTheory(plan, 'Llemma_Q', ['apply simp']);
    const lines = q.text.split('\n');
    assert.match(lines[0] ?? '', /^theory Llemma_Q imports Main begin/);
    assert.equal(lines[q.stepFirstLine - 1], '  apply simp');
    assert.equal(lines[q.printLine - 1], '  print_state');
    assert.equal(lines[q.printLine], '  oops');
    const statement = planIsabelleGoal(text, { line: 4, character: 2 });
    assert.equal('reason' in statement && statement.reason, 'notInProof');
    const outside = planIsabelleGoal(text, { line: 1, character: 0 });
    assert.equal('reason' in outside && outside.reason, 'notInProof');
  });

  it('asks Sledgehammer as the last step of a question, with its time limit in whole seconds', () => {
    const plan = planIsabelleGoal(text, { line: 6, character: 3 });
    assert.ok(!('reason' in plan));
    assert.equal(sledgehammerCommand(10), 'sledgehammer [timeout = 10]');
    assert.equal(sledgehammerCommand(0.2), 'sledgehammer [timeout = 1]');
    const q = questionTheory(plan, 'Llemma_Q', ['apply simp', sledgehammerCommand(5)]);
    const lines = q.text.split('\n');
    assert.equal(lines[q.stepLastLine - 1], '  sledgehammer [timeout = 5]');
    assert.equal(lines[q.printLine - 1], '  print_state');
  });

  it('writes a whole proof in place of the rest of the user proof, with nothing that excuses it', () => {
    const plan = planIsabelleGoal(text, { line: 5, character: 0 });
    assert.ok(!('reason' in plan));
    const theory = proofTheory(plan, 'Llemma_P', ['by auto']);
    assert.match(theory, /lemma demo: "[^"]*"\n {2}by auto\n\nend\n$/);
    assert.equal(unfinishedProofs(theory).length, 0);
  });

  it('plans a one-line proof at its first proof command', () => {
    const plan = planIsabelleGoal(read('mathd_algebra_107.thy'), { line: 12, character: 4 });
    assert.ok(!('reason' in plan));
    assert.deepEqual(plan.steps, []);
    assert.match(plan.prefix, /shows "\(x \+ 4\)\^2 \+ \(y-3\)\^2 = 5\^2"\s*\n$/);
    assert.match(plan.rest, /^ {2}using assms by/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  forbiddenWords,
  maxTacticLength,
  maxTacticLines,
  nativeDecideWords,
  screenTactic,
} from '../../server/search/tacticFilter';

const strict = { allowNativeDecide: false };
const native = { allowNativeDecide: true };

function reason(raw: string, opts = strict): string {
  const result = screenTactic(raw, opts);
  assert.equal(result.ok, false, `expected ${JSON.stringify(raw)} to be rejected`);
  return result.ok ? '' : result.reason;
}

function accepted(raw: string, opts = strict): string {
  const result = screenTactic(raw, opts);
  assert.ok(result.ok, `expected ${JSON.stringify(raw)} to pass, got: ${result.ok ? '' : result.reason}`);
  return result.tactic;
}

/** The words the brief for this screen names; the exported list must contain every one. */
const required = [
  'sorry',
  'admit',
  'stop',
  'sorryAx',
  'run_tac',
  'run_cmd',
  'run_elab',
  'by_elab',
  'IO',
  'unsafe',
  'implemented_by',
  'extern',
  'native_decide',
  'ofReduceBool',
  'ofReduceNat',
  'trustCompiler',
  'set_option',
  'dbg_trace',
  'theorem',
  'lemma',
  'def',
  'example',
  'instance',
  'axiom',
  'axioms',
  'opaque',
  'abbrev',
  'structure',
  'class',
  'inductive',
  'namespace',
  'section',
  'end',
  'import',
  'macro',
  'macro_rules',
  'syntax',
  'elab',
  'elab_rules',
  'attribute',
  'initialize',
  'builtin_initialize',
  'notation',
  'infix',
  'infixl',
  'infixr',
  'prefix',
  'postfix',
  'universe',
  'variable',
  'mutual',
  'deriving',
];

describe('screenTactic: forbidden words', () => {
  it('lists every required word', () => {
    for (const word of required) assert.ok(forbiddenWords.includes(word), word);
  });

  for (const word of forbiddenWords) {
    const isNative = (nativeDecideWords as readonly string[]).includes(word);
    it(`rejects \`${word}\` as a word and as a name component${isNative ? ' unless native_decide is allowed' : ''}`, () => {
      for (const raw of [word, `exact ${word}`, `simp [${word}] at h`, `exact Foo.${word} h`, `exact @${word} _`]) {
        assert.match(reason(raw), new RegExp(`\`${word}\``), raw);
        if (isNative) accepted(raw, native);
        else assert.match(reason(raw, native), new RegExp(`\`${word}\``), raw);
      }
    });
  }

  it('gives short reasons for the log', () => {
    assert.equal(reason('sorry'), 'uses `sorry`');
    assert.equal(reason('intro x\ntheorem foo : True := trivial'), 'uses the command keyword `theorem`');
    assert.equal(reason('native_decide'), 'uses `native_decide` (native_decide is not allowed)');
    assert.equal(reason('#eval 1'), 'uses the command `#eval`');
  });

  it('rejects every `#` command', () => {
    for (const cmd of ['#eval', '#print', '#exit', '#check', '#reduce', '#synth', '#guard_msgs', '#help']) {
      assert.equal(reason(`${cmd} foo`), `uses the command \`${cmd}\``);
      assert.equal(reason(`exact h; ${cmd}`, native), `uses the command \`${cmd}\``);
    }
  });

  it('finds `sorry` however the name is spelled for Lean', () => {
    for (const raw of [
      'exact Nat.sorry',
      'exact _root_.sorryAx _ false',
      'exact «sorry»',
      'exact Nat.«sorryAx» _',
      'exact x«sorry»',
      'exact (λsorry => h)',
      'exact 1sorry',
      'exact sorry!',
      "exact sorry'",
      'exact h.1.sorry',
      'first | rfl | sorry',
      'exact ⟨sorry, sorry⟩',
    ]) {
      assert.match(reason(raw, native), /`sorry(Ax)?`/, raw);
    }
  });

  it('turns off the kernel check only through set_option, which is refused', () => {
    assert.equal(reason('set_option debug.skipKernelTC true in exact h'), 'uses `set_option`');
  });

  it('refuses `decide +native` unless native_decide is allowed', () => {
    assert.equal(reason('decide +native'), 'uses `native` (native_decide is not allowed)');
    assert.equal(accepted('decide +native', native), 'decide +native');
    assert.equal(accepted('exact Lean.ofReduceBool _ _ rfl', native), 'exact Lean.ofReduceBool _ _ rfl');
  });
});

describe('screenTactic: allowed tactics', () => {
  it('accepts ordinary tactics and identifiers that merely contain a forbidden word', () => {
    for (const raw of [
      'simp [Nat.add_comm]',
      'norm_num',
      'omega',
      'decide',
      'exact h.stop_ok',
      'exact stopping_time_le h',
      'intro sorry_lemma',
      'exact admitted',
      'exact h.ending',
      'simp [List.prefix_append]',
      'exact Nat.le_of_lt_succ h',
      'exact Classical.byContradiction fun h => h rfl',
      'rcases h with ⟨x, hx⟩',
      'nlinarith [sq_nonneg (a - b), sq_nonneg (a + b)]',
      'intro ε hε',
      'exact h₁.trans h₂',
      'simp [#[1, 2].size]',
      'exact?',
      'simp?',
      'field_simp',
      'linarith [h.1, h.2]',
      'rw [show (2 : ℝ) = 1 + 1 by norm_num]',
      'induction n with\n| zero => simp\n| succ n ih => omega',
      'open Nat in simp',
    ]) {
      assert.equal(accepted(raw), raw);
    }
  });

  it('trims the candidate but keeps the relative indentation of later lines', () => {
    assert.equal(accepted('  constructor\n  · simp\n  · omega  \n'), 'constructor\n  · simp\n  · omega');
  });
});

describe('screenTactic: shape and characters', () => {
  it('rejects an empty candidate', () => {
    assert.equal(reason(''), 'is empty');
    assert.equal(reason(' \n  \n'), 'is empty');
  });

  it('rejects candidates that are too long or have too many lines', () => {
    accepted('x'.repeat(maxTacticLength));
    assert.equal(reason('x'.repeat(maxTacticLength + 1)), `is longer than ${maxTacticLength} characters`);
    accepted(Array(maxTacticLines).fill('skip').join('\n'));
    assert.equal(
      reason(
        Array(maxTacticLines + 1)
          .fill('skip')
          .join('\n'),
      ),
      `has more than ${maxTacticLines} lines`,
    );
  });

  it('rejects tabs, carriage returns and other control characters', () => {
    assert.equal(reason('simp\tat h'), 'contains a tab');
    assert.equal(reason('simp\r\nomega'), 'contains a carriage return');
    assert.equal(reason('simp\u0000'), 'contains the control character U+0000');
    assert.equal(reason('simp\u0007 at h'), 'contains the control character U+0007');
    assert.equal(reason('simp\u007f'), 'contains the control character U+007F');
    assert.equal(reason('simp\u0085omega'), 'contains the control character U+0085');
  });

  it('rejects invisible characters that could hide a word', () => {
    assert.equal(reason('exact so\u200brry'), 'contains the invisible character U+200B');
    assert.equal(reason('exact so\u2060rry'), 'contains the invisible character U+2060');
    assert.equal(reason('exact h \u202e'), 'contains the invisible character U+202E');
    assert.equal(reason('exact a\ufeffb'), 'contains the invisible character U+FEFF');
    assert.equal(reason('exact h\u2028sorry'), 'contains the invisible character U+2028');
    assert.equal(reason('exact \ud800h'), 'contains the invisible character U+D800');
  });

  it('rejects comments, which could swallow what follows when the proof is written back', () => {
    for (const raw of ['simp -- done', 'exact h --sorry', '/- note -/ simp', 'simp /-', 'simp -/', 'simp\n-- tail']) {
      assert.equal(reason(raw), 'contains a comment', raw);
    }
    accepted('linarith [a - b, -c]');
  });
});

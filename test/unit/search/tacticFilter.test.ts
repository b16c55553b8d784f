import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandWords, compfilesKeywords } from '@llemma/prover-text/lean';
import {
  forbiddenWords,
  maxTacticLength,
  maxTacticLines,
  nativeDecideWords,
  screenTactic,
} from '../../../server/search/tacticFilter';

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

  const commands: readonly string[] = forbiddenWords.filter(
    (w) => /^[a-z_0-9]+$/.test(w) && reason(w).includes('command'),
  );
  for (const word of forbiddenWords) {
    const isNative = (nativeDecideWords as readonly string[]).includes(word);
    const isCommand = commands.includes(word);
    const where = isCommand ? 'as a word' : 'as a word and as a name component';
    it(`rejects \`${word}\` ${where}${isNative ? ' unless native_decide is allowed' : ''}`, () => {
      // A command keyword is one only as a whole token: Lean reads `Foo.def` (`IsRoot.def`) as a name.
      const component = `exact Foo.${word} h`;
      for (const raw of [word, `exact ${word}`, `simp [${word}] at h`, component, `exact @${word} _`]) {
        if (isCommand && raw === component) {
          accepted(raw);
          continue;
        }
        assert.match(reason(raw), new RegExp(`\`${word}\``), raw);
        // With native_decide allowed its words pass wherever a term may stand; only `native_decide` is a tactic.
        if (isNative && (raw !== word || word === 'native_decide')) accepted(raw, native);
        else assert.match(reason(raw, native), new RegExp(`\`${word}\``), raw);
      }
    });
  }

  it("refuses every word of Lean's command vocabulary after a newline, as the source reader knows them", () => {
    // `open` and `scoped` are allowed only as `open … in` a tactic; compfiles' statement keywords are names elsewhere.
    for (const word of commandWords) {
      if (compfilesKeywords.has(word)) continue;
      const why = reason(`exact h\n  ${word} foo`);
      assert.match(why, new RegExp(`\`${word}\``), word);
    }
  });

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
      'rw [IsRoot.def, eval_sub]',
      'exact (basis A b).end',
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
    accepted(`exact ${'x'.repeat(maxTacticLength - 6)}`);
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

describe('screenTactic: model output that runs code while Lean elaborates', () => {
  it('refuses the payloads an OpenAI-compatible server sent', () => {
    assert.equal(reason('exact eval% (unsafeIO (pure 1)).toOption.get!'), 'uses the term elaborator `eval%`');
    assert.match(reason('exact unsafeBaseIO (pure 1)'), /`unsafeBaseIO`/);
    assert.match(reason('exact unsafeBaseIO (IO.Process.run { cmd := "sh" } >>= fun _ => pure 1)'), /unsafeBaseIO/);
    assert.match(reason('exact (Lean.Meta.evalExpr)'), /`Lean\.Meta\.evalExpr`/);
    const hidden = 'exact (Lean.Elab.runFrontend "\\x23eval \\x49O.Process.run {cmd := \\"sh\\"}" {} "" `x)';
    assert.equal(reason(hidden), 'has an escape in a string literal');
    // Each check holds on its own, whichever comes first.
    assert.match(reason('exact (Lean.Elab.runFrontend "x" {} "" default)'), /`Lean\.Elab\.runFrontend`/);
    assert.equal(reason('exact (f "\\u{23}eval")'), 'has an escape in a string literal');
    // Without escapes a string shows its text; one that spells code is refused all the same.
    assert.equal(reason('exact f "#eval IO.Process.run"'), 'has a string literal that spells `#eval`');
    assert.match(reason('exact f "x := unsafeIO y"'), /string literal that spells `unsafeIO`/);
  });

  it('refuses every command after a newline', () => {
    for (const command of [
      'notation3 "x" => 1',
      'proof_wanted foo : True',
      'suppress_compilation',
      'add_decl_doc foo',
      'library_note "x"',
      'assert_not_exists Foo',
      'unseal foo',
    ]) {
      const word = command.split(' ')[0];
      assert.equal(reason(`exact h\n${command}`), `uses the command keyword \`${word}\``, command);
      assert.equal(reason(`exact h\n  ${command}`), `uses the command keyword \`${word}\``, command);
    }
    assert.equal(reason('exact h\nopen Foo'), 'uses `open` other than as `open … in` a tactic');
    assert.equal(reason('exact h\n  open Foo'), 'uses the command keyword `open`');
    accepted('open Real in\nsimp [pi_pos]');
  });

  it('refuses every term elaborator spelled `name%` but the proof-term ones Mathlib uses', () => {
    for (const name of ['eval', 'decide', 'type_of', 'ensure_type_of', 'x'])
      assert.equal(reason(`exact ${name}% h`), `uses the term elaborator \`${name}%\``);
    accepted('rw [reassoc_of% h]');
    accepted('exact n % 2');
  });

  it('refuses names that reach metaprogramming or the system, however the file opened them', () => {
    for (const raw of [
      'exact Elab.runFrontend x',
      'exact Meta.evalExpr Nat q e',
      'exact _root_.IO.println x',
      'exact System.FilePath.mk x',
      'exact Process.run x',
      'exact EIO.toIO f x',
      'exact evalExpr Nat q e',
      'exact Lean.Environment.contains env n',
      'exact Lean.x',
      'exact unsafeCast h',
      'exact ptrAddrUnsafe h',
      'exact dbgTraceIfShared "x" h',
      'open Lean in simp',
      'open IO in simp',
    ]) {
      assert.ok(!screenTactic(raw, native).ok, raw);
    }
  });

  it('refuses string escapes, interpolation, raw strings and quotations', () => {
    for (const esc of ['\\x23', '\\u{23}', '\\n', '\\t', '\\\\', '\\"'])
      assert.equal(reason(`trace "${esc}eval"`), 'has an escape in a string literal', esc);
    assert.equal(reason('exact s!"{unsafeIO x}"'), 'has `{` or `}` in a string literal');
    assert.equal(reason('exact r"x"'), 'has a raw string literal');
    assert.equal(reason("exact '\\x'"), 'has an escape in a character literal');
    assert.equal(reason('exact `(tactic| simp)'), 'uses a quotation or name literal (metaprogramming)');
    accepted('success_if_fail_with_msg "linarith failed" linarith');
  });

  it('refuses look-alike letters and symbols', () => {
    assert.match(reason('exact evаl% h'), /U\+0430/);
    assert.match(reason('＃eval 1'), /full-width look-alike U\+FF03/);
    assert.match(reason('exact h ％ 2'), /full-width look-alike U\+FF05/);
    assert.match(reason('exact ᵘⁿˢᵃᶠᵉIO h'), /once Unicode compatibility forms are normalised|`IO`/);
    accepted('simp [Set.compl_def, sᶜ, Aᵀ, αᵐᵒᵖ]');
  });
});

// The Lean source scanner, the header split and the top-level declarations (provertext/lean/leanSource.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  CODE,
  COMMENT,
  declarationAt,
  LITERAL,
  scanLean,
  splitHeader,
  topLevelCommands,
} from '@llemma/prover-text/lean';

const tricky = readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', 'lean', 'Tricky.lean'), 'utf8');

/** The kind of the character where `needle` starts in `text` (the `nth` occurrence, from 0). */
function kindAt(text: string, needle: string, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in text`);
  return scanLean(text)[at] ?? -1;
}

describe('scanLean', () => {
  test('line comments end at the newline', () => {
    const text = 'simp -- theorem x\ntheorem y';
    assert.equal(kindAt(text, 'theorem x'), COMMENT);
    assert.equal(kindAt(text, 'theorem y'), CODE);
    assert.equal(kindAt(text, 'simp'), CODE);
  });

  test('block comments nest, doc and module-doc comments included', () => {
    const text = '/- a /- b -/ theorem c -/ theorem d\n/-- doc theorem e -/ /-! mod theorem f -/ g';
    assert.equal(kindAt(text, 'theorem c'), COMMENT);
    assert.equal(kindAt(text, 'theorem d'), CODE);
    assert.equal(kindAt(text, 'theorem e'), COMMENT);
    assert.equal(kindAt(text, 'theorem f'), COMMENT);
    assert.equal(kindAt(text, 'g'), CODE);
  });

  test('an unclosed block comment runs to the end', () => {
    const text = 'x /- open\ntheorem t';
    assert.equal(kindAt(text, 'theorem'), COMMENT);
  });

  test('strings hide comment markers and keywords, escapes included', () => {
    const text = 'def s := "a -- b \\" theorem c" -- real\ndef t := 1';
    assert.equal(kindAt(text, '-- b'), LITERAL);
    assert.equal(kindAt(text, 'theorem c'), LITERAL);
    assert.equal(kindAt(text, '-- real'), COMMENT);
    assert.equal(kindAt(text, 'def t'), CODE);
  });

  test('interpolated strings may hold strings inside their braces', () => {
    const text = 'def s := s!"x {f "}" ++ "-- y"} z" -- c\nnext';
    assert.equal(kindAt(text, '-- y'), LITERAL);
    assert.equal(kindAt(text, ' z"'), LITERAL);
    assert.equal(kindAt(text, '-- c'), COMMENT);
    assert.equal(kindAt(text, 'next'), CODE);
  });

  test('raw strings end at the quote with as many hashes', () => {
    const text = 'def r := r#"a "q" -- b"# -- c\ndef p := r"x" ++ rfl';
    assert.equal(kindAt(text, '-- b'), LITERAL);
    assert.equal(kindAt(text, '-- c'), COMMENT);
    assert.equal(kindAt(text, 'x"'), LITERAL);
    assert.equal(kindAt(text, 'rfl'), CODE);
  });

  test("char literals, but not primes in names or Mathlib's '' and ⁻¹'", () => {
    const text = "def c := '\"' -- one\ndef q := '\\'' ++ h' ++ f '' s ++ g ⁻¹' t ++ '𝓝' -- two\nend";
    assert.equal(kindAt(text, '"'), LITERAL);
    assert.equal(kindAt(text, '-- one'), COMMENT);
    assert.equal(kindAt(text, "\\'"), LITERAL);
    assert.equal(kindAt(text, "h'"), CODE);
    assert.equal(kindAt(text, "'' s"), CODE);
    assert.equal(kindAt(text, "' t"), CODE);
    assert.equal(kindAt(text, "'𝓝'"), LITERAL);
    assert.equal(kindAt(text, '-- two'), COMMENT);
    assert.equal(kindAt(text, 'end'), CODE);
  });

  test('quoted names are code even when they hold comment markers', () => {
    const text = 'theorem «a -- b» : True := trivial\nnext';
    assert.equal(kindAt(text, '-- b'), CODE);
    assert.equal(kindAt(text, 'next'), CODE);
  });
});

describe('splitHeader', () => {
  test('imports with comments before and between them; the body starts on the next line', () => {
    const { header, bodyStart } = splitHeader(tricky);
    assert.ok(header.endsWith('import Mathlib.Data.Real.Basic\n'));
    assert.ok(header.startsWith('/-\nCopyright'));
    assert.ok(tricky.slice(bodyStart).startsWith('\n/-!\n# Module doc'));
  });

  test('the module system: `module`, `public import`, `meta import`', () => {
    const text =
      '/- c -/\n\nmodule\n\npublic import Mathlib.Tactic\n\npublic meta import X\nimport all Y\n\n@[expose] public section\n';
    const { header } = splitHeader(text);
    assert.equal(header, '/- c -/\n\nmodule\n\npublic import Mathlib.Tactic\n\npublic meta import X\nimport all Y\n');
  });

  test('prelude', () => {
    assert.equal(splitHeader('prelude\nimport Init.Core\ndef x := 1').header, 'prelude\nimport Init.Core\n');
  });

  test('no header: empty, the body starts at 0', () => {
    assert.deepEqual(splitHeader('-- hi\ntheorem t : True := trivial'), { header: '', bodyStart: 0 });
  });

  test('a last import without a newline ends the text', () => {
    assert.deepEqual(splitHeader('import Mathlib'), { header: 'import Mathlib', bodyStart: 14 });
  });

  test('an import after the first command is not header', () => {
    const text = 'import A\nopen B\nimport C\n';
    assert.equal(splitHeader(text).header, 'import A\n');
  });

  test('an identifier that begins with `import` is not an import', () => {
    assert.equal(splitHeader('importantThing\n').header, '');
  });
});

describe('topLevelCommands and declarationAt', () => {
  const commands = topLevelCommands(tricky);
  const byName = (name: string) => {
    const found = commands.find((c) => c.name === name);
    assert.ok(found, `no command named ${name}`);
    return found;
  };

  test('finds every command of the fixture, in order, and nothing in comments or strings', () => {
    assert.deepEqual(
      commands.map((c) => `${c.keyword} ${c.name}`),
      [
        '/-! /-!',
        'open open',
        'namespace namespace',
        'theorem first',
        'def greeting',
        'def quoteChar',
        'def withPrime',
        'def fib',
        'structure Point',
        'instance instance',
        'instance pointToString',
        'theorem usesOpenIn',
        'lemma slow',
        'def someReal',
        'example example',
        'theorem «weird name»',
        '#eval #eval',
        'end end',
        'theorem afterEnd',
      ],
    );
  });

  test('a declaration starts at its doc comment and attributes; its keyword after them', () => {
    const first = byName('first');
    assert.ok(tricky.slice(first.start).startsWith('/-- The doc comment of `first`'));
    assert.ok(tricky.slice(first.keywordStart).startsWith('theorem first'));
    assert.ok(tricky.slice(first.end).startsWith('def greeting'));
  });

  test('`open … in` and `set_option … in` belong to the declaration they prefix', () => {
    assert.ok(tricky.slice(byName('usesOpenIn').start).startsWith('open Nat in\ntheorem'));
    const slow = byName('slow');
    assert.ok(tricky.slice(slow.start).startsWith('set_option maxHeartbeats 400000 in\n/-- doc'));
    assert.ok(tricky.slice(slow.keywordStart).startsWith('lemma slow'));
  });

  test('match arms, termination_by and deriving at column 0 continue the declaration', () => {
    const fib = byName('fib');
    assert.ok(tricky.slice(fib.start, fib.end).includes('termination_by n => n'));
    assert.ok(tricky.slice(fib.end).startsWith('structure Point'));
    const point = byName('Point');
    assert.ok(tricky.slice(point.start, point.end).includes('deriving Repr'));
  });

  test('modifiers are part of the start; the name is read after the keyword', () => {
    const someReal = byName('someReal');
    assert.ok(tricky.slice(someReal.start).startsWith('noncomputable def someReal'));
    assert.equal(byName('pointToString').keyword, 'instance');
  });

  test('declarationAt: anywhere inside, up to the next command', () => {
    const inProof = tricky.indexOf('  exact h');
    assert.equal(declarationAt(tricky, inProof)?.name, 'slow');
    const blankBefore = tricky.indexOf('\n\nnoncomputable') + 1;
    assert.equal(declarationAt(tricky, blankBefore)?.name, 'slow');
    assert.equal(declarationAt(tricky, tricky.indexOf('trivial\n\n#eval'))?.name, '«weird name»');
  });

  test('declarationAt: nothing in the header, an open, a namespace, an #eval or an end', () => {
    assert.equal(declarationAt(tricky, tricky.indexOf('import Mathlib.Tactic')), undefined);
    assert.equal(declarationAt(tricky, tricky.indexOf('open Real')), undefined);
    assert.equal(declarationAt(tricky, tricky.indexOf('namespace Tricky')), undefined);
    assert.equal(declarationAt(tricky, tricky.indexOf('#eval')), undefined);
    assert.equal(declarationAt(tricky, tricky.indexOf('end Tricky')), undefined);
  });

  test('declarationAt: the end of the text belongs to the last declaration', () => {
    const last = declarationAt(tricky, tricky.length);
    assert.equal(last?.name, 'afterEnd');
    assert.equal(last?.end, tricky.length);
  });

  test('a theorem inside a nested comment, a doc comment or a string is not a declaration', () => {
    for (const name of ['inComment', 'inModuleDoc', 'inDocComment', 'inString', 'inLineComment']) {
      assert.equal(
        commands.find((c) => c.name === name),
        undefined,
        name,
      );
    }
  });
});

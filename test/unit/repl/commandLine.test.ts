import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandLineError, formatCommandLine, parseCommandLine } from '../../../server/provers/lean/repl/commandLine';

describe('parseCommandLine', () => {
  const cases: [string, string[]][] = [
    ['lake env repl', ['lake', 'env', 'repl']],
    ['  lake   exe\trepl  ', ['lake', 'exe', 'repl']],
    ['', []],
    ['   ', []],
    ['lake env "/opt/my repl/.lake/build/bin/repl"', ['lake', 'env', '/opt/my repl/.lake/build/bin/repl']],
    ["lake env '/opt/my repl/repl'", ['lake', 'env', '/opt/my repl/repl']],
    ['a"b c"d', ['ab cd']],
    ["'it'\\''s'", ["it's"]],
    ['"say \\"hi\\""', ['say "hi"']],
    ['"a\\\\b"', ['a\\b']],
    ['"$HOME \\$HOME"', ['$HOME $HOME']],
    ['"\\n stays"', ['\\n stays']],
    ['\'no \\escapes "here"\'', ['no \\escapes "here"']],
    ['my\\ repl --flag', ['my repl', '--flag']],
    ['\\"quoted\\"', ['"quoted"']],
    ['C:\\elan\\bin\\lake.exe env repl', ['C:\\elan\\bin\\lake.exe', 'env', 'repl']],
    ['a\\\\b', ['a\\b']],
    ['\'\' "" x', ['', '', 'x']],
    ['~/repl $HOME *.lean', ['~/repl', '$HOME', '*.lean']],
    ['trailing\\', ['trailing\\']],
    ['env ⊢ «name»', ['env', '⊢', '«name»']],
  ];
  for (const [line, argv] of cases) {
    it(`splits ${JSON.stringify(line)}`, () => assert.deepEqual(parseCommandLine(line), argv));
  }

  it('reports an unclosed double quote with its position', () => {
    assert.throws(
      () => parseCommandLine('lake env "/opt/repl'),
      (err: unknown) =>
        err instanceof CommandLineError && /unclosed double quote/.test(err.message) && /10/.test(err.message),
    );
  });

  it('reports an unclosed single quote', () => {
    assert.throws(() => parseCommandLine("repl 'x"), /unclosed single quote/);
    assert.throws(() => parseCommandLine("repl 'x"), CommandLineError);
  });

  it('does not take an escaped quote for a closing one', () => {
    assert.throws(() => parseCommandLine('"abc\\"'), CommandLineError);
  });
});

describe('formatCommandLine', () => {
  const argvs = [
    ['lake', 'env', 'repl'],
    ['lake', 'env', '/opt/my repl/repl'],
    ["it's", '', 'a"b', '$HOME', 'x\\\\y', 'end\\'],
    ['C:\\elan\\bin\\lake.exe', 'env'],
  ];
  for (const argv of argvs) {
    it(`round-trips ${JSON.stringify(argv)}`, () => assert.deepEqual(parseCommandLine(formatCommandLine(argv)), argv));
  }

  it('leaves plain words and Windows paths bare', () => {
    assert.equal(formatCommandLine(['lake', 'env', 'C:\\repl\\repl.exe']), 'lake env C:\\repl\\repl.exe');
    assert.equal(formatCommandLine(['a b']), "'a b'");
  });
});

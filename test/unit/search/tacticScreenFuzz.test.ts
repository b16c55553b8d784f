// The tactic screen against generated hostile candidates and against real Mathlib tactics. Every generated candidate
// carries something that must never reach Lean (a name or elaborator that runs code, an unlisted tactic where Lean
// starts a tactic, a command, an escape, a look-alike letter, an unbalanced bracket, …) inside tactic text that is
// otherwise real; none may pass. The real tactics (test/fixtures/tactics/, sampled from the training examples)
// measure what the screen costs: the test prints how many pass and why the others do not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { mulberry32 } from '@llemma/stdx';
import { screenTactic } from '../../../server/search/tacticFilter';
import { tacticPlaces } from './tacticPlaces';

const fixture = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'tactics', 'mathlib-tactics.jsonl');
const realTactics: string[] = readFileSync(fixture, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as string);

/** Terms that run code or reach metaprogramming or the system wherever a term stands. */
const hostileTerms = [
  'eval% (unsafeIO (pure 1)).toOption.get!',
  'unsafeBaseIO (IO.Process.run { cmd := "sh" })',
  '(Lean.Meta.evalExpr)',
  'Lean.Elab.runFrontend "\\x23eval \\x49O.Process.run {cmd := \\"sh\\"}" {} "" `x',
  'decide% x',
  'type_of% x',
  'by_elab pure default',
  'unsafeCast 0',
  'UnsafeIO.run x',
  'ptrAddrUnsafe x',
  'dbgTrace "x" fun _ => h',
  'dbg_trace "x"; h',
  'IO.FS.writeFile "f" "x"',
  '_root_.IO.println "x"',
  'System.FilePath.mk "x"',
  'EIO.toIO id x',
  'Elab.Command.elabCommand x',
  'Meta.evalExpr Nat q e',
  'Mathlib.Tactic.Polyrith.polyrith',
  'Lean.Environment.find? env n',
  'Lean.reduceBool c',
  'sorryAx _ false',
  'sorry',
  '`(tactic| run_tac x)',
  '`foo',
  's!"{unsafeIO x}"',
  '"{x}"',
  '"\\u{23}eval"',
  '"a\\nb"',
  '"\\t"',
  'r"x"',
  "'\\x41'",
  'do let x ← IO.getEnv "HOME"; pure x',
  '(evalExpr Nat q e)',
  '(runFrontend x)',
  'Lean.ofReduceBool a b h',
];
/** Tactics the allow-list leaves out, each put where Lean starts a tactic. */
const hostileTactics = [
  'polyrith',
  'run_tac pure ()',
  'run_tac do IO.println "x"',
  'slim_check',
  'plausible',
  'sleep_heartbeats 100000',
  'bv_decide',
  'set_option maxHeartbeats 0 in simp',
  'with_panel_widgets [x] simp',
  'native_decide',
  'decide +native',
  'stop',
  'admit',
  'sorry',
  'aesop (add safe tactic foo)',
  'simp (config := { discharger := do pure () })',
  'linarith (config := { discharger := writeFile a b })',
];
/** Commands, each put after a newline, at the start of a line or inside it. */
const commands = [
  'notation3 "x" => 1',
  'open Foo',
  'proof_wanted foo : True',
  'suppress_compilation',
  'add_decl_doc foo',
  'library_note "x"',
  'assert_not_exists Foo',
  'unseal foo',
  'theorem t : True := trivial',
  'def f := 1',
  'instance : Foo := ⟨⟩',
  'macro "x" : tactic => `(tactic| simp)',
  'elab "x" : tactic => pure ()',
  'initialize pure ()',
  'attribute [simp] foo',
  '@[implemented_by f] def g := 1',
  'namespace Foo',
  'end',
  '#eval IO.Process.run { cmd := "sh" }',
  '#exit',
  'set_option debug.skipKernelTC true',
  'compile_inductive Foo',
  'termination_by x',
  'decreasing_by simp',
];
/** Places where a term stands, with `T` for it. */
const termSlots = [
  'exact T',
  'refine ⟨T, ?_⟩',
  'simp [T]',
  'rw [T] at h',
  'have h := T',
  'exact fun x => T',
  'show p from T',
  'exact (by exact T)',
  'nlinarith [T, sq_nonneg (a - b)]',
  'calc a = b := T\n  _ = c := rfl',
  'obtain ⟨x, hx⟩ := T',
  'exact fun x => by exact (fun y => show q from T) x',
  'simp only [foo] at h ⊢ <;> exact T',
  'apply foo (x := T)',
];
/** Letters Lean does not read as such, standing in for ASCII ones: Cyrillic, full-width, superscripts. */
const lookAlikes: Readonly<Record<string, string[]>> = {
  a: ['а', 'ａ', 'ᵃ'],
  e: ['е', 'ｅ', 'ᵉ'],
  o: ['о', 'ｏ', 'ᵒ'],
  p: ['р', 'ｐ', 'ᵖ'],
  c: ['с', 'ｃ', 'ᶜ'],
  i: ['і', 'ｉ', 'ⁱ'],
  s: ['ѕ', 'ｓ', 'ˢ'],
  u: ['ս', 'ｕ', 'ᵘ'],
  '#': ['＃', '﹟'],
  '%': ['％', '﹪'],
};

function generate(count: number, seed: number): string[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const reals = realTactics.filter((t) => !t.includes('"') && screenTactic(t, strict).ok);
  const realPick = () => pick(reals);
  const lookAlike = (text: string) =>
    Array.from(text)
      .map((ch) => (lookAlikes[ch] && rand() < 0.5 ? pick(lookAlikes[ch] as string[]) : ch))
      .join('');
  const unknownTactic = () => {
    const letters = 'abcdefghijklmnopqrstuvwxyz_';
    let word = '';
    for (let n = 3 + Math.floor(rand() * 10); n > 0; n--) word += letters[Math.floor(rand() * letters.length)];
    return word.replace(/^_+/, 'x');
  };
  const shapes: Array<() => string> = [
    () => pick(termSlots).replace('T', pick(hostileTerms)),
    () => pick(tacticPlaces).replace('P', pick(hostileTactics)),
    () => pick(tacticPlaces).replace('P', `${unknownTactic()} ${pick(['', 'h', '[foo]', 'at h'])}`.trim()),
    () => `${realPick()}\n${pick(commands)}`,
    () => `${realPick()}\n  ${pick(commands)}`,
    () => `${realPick()}; ${pick(commands)}`,
    // Into a real tactic at a space outside any literal (the real tactics chosen have none).
    () => {
      const t = realPick();
      const spaces = [...t.matchAll(/ /g)].map((m) => m.index ?? 0);
      const at = spaces.length > 0 ? pick(spaces) : t.length;
      return `${t.slice(0, at)} ${pick(hostileTerms)} ${t.slice(at)}`;
    },
    () => `${realPick()}\n${pick(tacticPlaces).replace('P', pick(hostileTactics))}`,
    () => lookAlike(pick(termSlots).replace('T', pick(['evalx% x', 'unsafeIO x', 'IO.Process.run x', '#eval x']))),
    () => lookAlike(`exact ${pick(['eval', 'unsafe', 'sorry', 'admit'])}% h`).replace(/%/, pick(['%', '％'])),
    () => `exact ${pick(['#', '＃', '﹟'])}${lookAlike('eval')} 1`,
    () => `trace "${pick(['\\x23', '\\u{23}', '\\n', '\\t', '\\\\', '\\"'])}eval"`,
    () => `exact «${pick(['unsafeIO', 'sorry', 'IO', 'evalExpr', 'dbgTrace'])}» h`,
    () => `exact Lean.«${pick(['Elab', 'Meta'])}».x`,
    // Very long: over the limit, or within it with the payload at the very end.
    () => `simp [${Array.from({ length: 400 }, () => 'foo_bar').join(', ')}] ${pick(hostileTerms)}`,
    () => `simp [${Array.from({ length: 150 }, () => 'h').join(', ')}, ${pick(hostileTerms)}]`,
    () => Array.from({ length: 31 }, () => 'skip').join('\n'),
    () => {
      const open = Math.floor(rand() * 5);
      const close = pick([open + 1 + Math.floor(rand() * 3), Math.max(0, open - 1 - Math.floor(rand() * 3))]);
      return `exact ${'('.repeat(open)}h${')'.repeat(open === close ? close + 1 : close)}`;
    },
    () => `simp\n${pick(['-- x', '/- x -/', '-/'])} ${realPick()}`,
    () => `exact so${pick(['\u200b', '\u2060', '\u00ad', '\u202e', '\ufeff'])}rry`,
    () => `${'exact fun x => by\n'.repeat(1 + Math.floor(rand() * 3))}${pick(hostileTactics)}`,
  ];
  // Half of them follow a real tactic on the line before: at column 0 the payload is still where a tactic starts.
  const out = new Set<string>();
  while (out.size < count) {
    const candidate = pick(shapes)();
    out.add(rand() < 0.5 ? `${realPick()}\n${candidate}` : candidate);
  }
  return [...out];
}

const strict = { allowNativeDecide: false };

describe('screenTactic: fuzz', () => {
  it('accepts none of 12,000 distinct generated hostile candidates', () => {
    const started = performance.now();
    const candidates = generate(12_000, 20240613);
    const accepted = candidates.filter((c) => screenTactic(c, strict).ok);
    // native_decide allowed relaxes only its own words; everything else must still be refused.
    const nativeFree = candidates.filter((c) => !/native|reduceBool|ofReduceBool/.test(c));
    const acceptedNative = nativeFree.filter((c) => screenTactic(c, { allowNativeDecide: true }).ok);
    const ms = performance.now() - started;
    console.log(
      `fuzz: ${candidates.length} distinct hostile candidates, ` +
        `${accepted.length} accepted; ${nativeFree.length} rechecked with native_decide allowed, ` +
        `${acceptedNative.length} accepted; ${ms.toFixed(0)} ms`,
    );
    assert.deepEqual([...new Set(accepted)].slice(0, 20), []);
    assert.deepEqual([...new Set(acceptedNative)].slice(0, 20), []);
  });
});

/**
 * Refusals the screen made before it was an allow-list too, each for a documented safety reason: a candidate refused
 * for one of these is not counted against the allow-list. Everything else the screen refuses is.
 */
const earlierReasons: ReadonlyArray<readonly [string, RegExp]> = [
  ['longer than 2000 characters or 30 lines', /^is longer than|^has more than \d+ lines/],
  [
    'sorry, set_option, run_tac, unsafe, … (forbidden words)',
    new RegExp(
      '^uses `(sorry|admit|stop|sorryAx|run_tac|run_cmd|run_elab|run_meta|by_elab|IO|unsafe|implemented_by|extern|' +
        'set_option|dbg_trace)`$',
    ),
  ],
  ['native_decide not allowed', /native_decide is not allowed/],
  ['a `#` command', /^uses the command `#/],
  ['a command keyword', /^uses the command keyword/],
  ['a comment', /^contains a comment/],
  ['a tab, control or invisible character', /^contains (a tab|a carriage|the control|the invisible)/],
];

function histogram(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([r, n]) => `    ${String(n).padStart(4)}  ${r.replace(/\n/g, '\\n').slice(0, 110)}`)
    .join('\n');
}

describe('screenTactic: real Mathlib tactics', () => {
  it('accepts at least 99 % of the real tactics it has no earlier safety reason to refuse', () => {
    const refused = realTactics.map((t) => screenTactic(t, strict)).flatMap((r) => (r.ok ? [] : [r.reason]));
    const earlier = refused.filter((r) => earlierReasons.some(([, re]) => re.test(r)));
    const counted = realTactics.length - earlier.length;
    const accepted = realTactics.length - refused.length;
    const rate = (100 * accepted) / counted;
    const labels = earlier.map((r) => earlierReasons.find(([, re]) => re.test(r))?.[0] ?? r);
    const allowList = refused.filter((r) => !earlier.includes(r));
    console.log(
      `screen: ${accepted}/${counted} real Mathlib tactics accepted (${rate.toFixed(2)} %); ` +
        `${realTactics.length} in the sample, ${earlier.length} refused for reasons the screen had before:\n` +
        `${histogram(labels)}\n  refused by the allow-list and the new checks (${allowList.length}):\n` +
        histogram(allowList),
    );
    assert.ok(rate >= 99, `only ${rate.toFixed(2)} % accepted`);
  });
});
